import { performance } from 'node:perf_hooks';
import { continueBillingRun, startBillingRun } from '../src/app/billing/billing-run.ts';
import { billingDepsOf } from '../src/app/billing/deps.ts';
import { generateProviderReports } from '../src/app/reports/provider-reports.ts';
import { reportWriter } from '../src/app/reports/report-writer.ts';
import { loadConfig } from '../src/config.ts';
import { createServices } from '../src/main.ts';

/**
 * The measured part of bench/billing-run.ts, in its own process: the month's billing run with every report, then
 * the provider reports. Samples its own RSS every 20 ms and prints one JSON line.
 */
const period = process.argv[2] ?? '';
let peak = process.memoryUsage.rss();
let at: NodeJS.MemoryUsage | undefined;
const sampler = setInterval(() => {
  const rss = process.memoryUsage.rss();
  if (rss > peak) {
    peak = rss;
    if (process.env.BENCH_MEMORY_DETAIL) at = process.memoryUsage();
  }
}, 20);

const services = await createServices(loadConfig(process.env));
let files = 0;
const started = performance.now();
const { run } = await startBillingRun(services, period, 'bench');
const gc = (globalThis as { gc?: () => void }).gc;
let liveDuringRunMb = 0;
const onProgress = () => {
  if (!gc) return;
  gc();
  liveDuringRunMb = Math.max(liveDuringRunMb, process.memoryUsage().heapUsed / 2 ** 20);
};
const result = await continueBillingRun(
  billingDepsOf(services, reportWriter(services, { onFile: () => (files += 1) })),
  run.id,
  { concurrency: 8, onProgress },
);
const billingPeakMb = Math.max(peak, process.memoryUsage.rss()) / 2 ** 20;
gc?.();
const liveAfterBillingMb = process.memoryUsage().heapUsed / 2 ** 20;
files += (await generateProviderReports(services, period)).length;
gc?.();
const liveAfterProviderMb = process.memoryUsage().heapUsed / 2 ** 20;
const seconds = (performance.now() - started) / 1000;
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage.rss());
console.log(
  JSON.stringify({
    seconds,
    peakRssMb: peak / 2 ** 20,
    billingPeakMb,
    ...(gc ? { liveDuringRunMb } : {}),
    liveAfterBillingMb,
    liveAfterProviderMb,
    ...(at ? { atPeak: Object.fromEntries(Object.entries(at).map(([k, v]) => [k, Math.round(v / 2 ** 20)])) } : {}),
    done: result.customersDone,
    failed: result.customersFailed,
    files,
  }),
);
process.exit(0);
