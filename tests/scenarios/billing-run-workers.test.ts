import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { startBillingRun } from '../../src/app/billing/billing-run.ts';
import { loadConfig } from '../../src/config.ts';
import { createServices } from '../../src/main.ts';
import { seedDemoCatalog } from '../../dev/demo-catalog.ts';
import { benchCustomerId, seed } from '../../bench/billing-seed.ts';
import { testEnv } from '../support/test-app.ts';

/**
 * Two worker processes (bench/billing-worker.child.ts, as two instances of the app) consume one billing run from
 * the shared queue; one is killed (SIGKILL) in the middle of its second customer, after that customer's lines,
 * invoice and reports are written and before its result is recorded. Its message comes back when its lease ends
 * and the other worker finishes the run.
 *
 * The order is set by events, not by waits, so that it holds on a loaded machine: the survivor is started when the
 * dying worker says it holds its second customer (it has billed one alone), and the dying worker holds that
 * customer, its lease renewed, until the survivor has billed one more; only then is it killed. Leases are short
 * (3 s) but renewed while a customer is billed, so a slow customer is not taken by the other worker meanwhile.
 */
const PERIOD = '2026-10';
const CUSTOMERS = 6;

function worker(
  env: Record<string, string>,
  onStderr: (text: string) => void = () => {},
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/billing-worker.child.ts', PERIOD], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      onStderr(stderr);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0 && signal !== 'SIGKILL') return reject(new Error(`worker exited ${code}: ${stderr.slice(-2000)}`));
      resolve({ code, signal });
    });
  });
}

it('bills every customer cycle once and completes the run once when a worker is killed mid-customer', async () => {
  const env = testEnv({ PARTNER_NAME: 'Workers test partner' });
  const services = await createServices(loadConfig(env));
  await services.storage.ensure();
  await seedDemoCatalog(services);
  await seed(services, { customers: CUSTOMERS, subscriptions: CUSTOMERS * 3, usageRows: CUSTOMERS * 8 });
  const { run } = await startBillingRun(services, PERIOD, 'test');
  expect(run).toMatchObject({ status: 'running', customersTotal: CUSTOMERS });

  const common = { WORKER_LEASE_MS: '3000', WORKER_CONCURRENCY: '1' };
  // The dying worker bills its first customer alone and holds its second; the survivor starts then, and the dying
  // worker is killed once the survivor has billed a customer too (2 done: one each).
  let holding!: () => void;
  const holds = new Promise<void>((resolve) => (holding = resolve));
  const killedRun = worker({ ...env, ...common, WORKER_DIE_AT: '2', WORKER_DIE_AFTER_DONE: '2' }, (stderr) => {
    if (stderr.includes('dying: holding customer 2')) holding();
  });
  const survivorRun = Promise.race([holds, killedRun]).then(() => worker({ ...env, ...common }));
  const [killed, survivor] = await Promise.all([killedRun, survivorRun]);
  expect(killed.signal).toBe('SIGKILL');
  expect(survivor.code).toBe(0);

  const finished = (await services.billingRuns.get(PERIOD))?.value;
  expect(finished).toMatchObject({ status: 'completed', customersTotal: CUSTOMERS, customersDone: CUSTOMERS });
  const results = await services.billingRuns.results(PERIOD);
  expect(results.map((r) => r.status)).toEqual(Array(CUSTOMERS).fill('done'));

  for (let c = 0; c < CUSTOMERS; c++) {
    const customerId = benchCustomerId(c);
    const invoices = await services.billing.invoices(customerId);
    expect(invoices.map((i) => i.value.cycle)).toEqual(['2026-10-01']);
    const lines = await services.billing.lines(customerId, '2026-10-01', '2026-10-01');
    expect(new Set(lines.map((l) => l.id)).size).toBe(lines.length);
    expect(lines).toHaveLength(invoices[0]?.value.lineCount ?? -1);
  }

  const names: string[] = [];
  for await (const file of services.reports.list(`${PERIOD}/`)) names.push(file.name);
  expect(names.filter((n) => n.endsWith('manifest.json'))).toEqual([`${PERIOD}/manifest.json`]);
  expect(names.filter((n) => /\.(xlsx|csv|xml)$/.test(n))).toHaveLength(CUSTOMERS * 3);

  const mailDir = path.join(env.DATA_DIR ?? '', 'mail');
  const mails = readdirSync(mailDir)
    .map((f) => JSON.parse(readFileSync(path.join(mailDir, f), 'utf8')) as { kind: string; subject: string })
    .filter((m) => m.kind === 'billing-run-finished');
  expect(mails).toHaveLength(1);
  expect(mails[0]?.subject).toContain('completed');
  // The killed worker's message was taken up again, not left behind or dead-lettered.
  expect(await services.workQueue?.depth()).toBe(0);
  expect(await services.workQueue?.deadLetters()).toEqual([]);
}, 300_000);
