import { performance } from 'node:perf_hooks';
import { startAzurite } from '../dev/azurite.ts';
import { DEMO_END, seedDemoData } from '../dev/seed.ts';
import { localEnv } from '../dev/settings.ts';
import { loadConfig } from '../src/config.ts';
import { createServices } from '../src/main.ts';
import { round, temporaryDir, type Benchmark } from './bench.ts';

/**
 * What a newcomer waits for on the first `npm start`: the demo year (two months with --quick) replayed through the
 * simulator clock on a fresh in-process Azurite, as `npm start` does it. The time (baseline = the target, 60 s on
 * an idle 2-core machine), the process's CPU seconds (Azurite included: it runs in this process), and the table
 * calls per simulated day (the simulators' own tables stand in for Microsoft and are not counted).
 */
export const demoSeed: Benchmark = async ({ quick }) => {
  const months = quick ? 2 : 12;
  const azurite = await startAzurite();
  try {
    const config = loadConfig({
      ...localEnv(),
      STORAGE_CONNECTION_STRING: azurite.connectionString,
      DATA_DIR: temporaryDir('bench-demo-'),
      STORAGE_NAME_PREFIX: 'demo',
    });
    const services = await createServices(config);
    await services.storage.ensure();
    const calls = services.storage.calls.count;
    const cpu = process.cpuUsage();
    const began = performance.now();
    const customers = await seedDemoData(services, { months });
    const seconds = (performance.now() - began) / 1000;
    const used = process.cpuUsage(cpu);
    if (customers.length !== 4) throw new Error(`The demo seeded ${customers.length} customers`);
    const start = Date.UTC(new Date(DEMO_END).getUTCFullYear(), new Date(DEMO_END).getUTCMonth() - months, 0, 8);
    const days = Math.round((Date.parse(DEMO_END) - start) / 86_400_000);
    const perDay = (services.storage.calls.count - calls) / days;
    return [
      {
        name: quick ? 'demo/seed-2-months' : 'demo/seed-year',
        value: round(seconds, 1),
        unit: 's',
        baseline: quick ? 10 : 60,
        ratio: round(seconds / (quick ? 10 : 60)),
        note: `${months} months (${days} simulated days) replayed, ${round((used.user + used.system) / 1e6, 1)} s CPU; baseline = target (${quick ? 10 : 60} s)`,
      },
      {
        name: 'demo/seed-calls-per-day',
        value: round(perDay, 1),
        unit: 'calls',
        baseline: null,
        ratio: null,
        note: `counted table calls per simulated day of the demo replay`,
      },
    ];
  } finally {
    await azurite.close();
  }
};
