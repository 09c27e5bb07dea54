import { billRunCustomer } from '../src/app/billing/billing-run.ts';
import { billingDepsOf } from '../src/app/billing/deps.ts';
import { reportWriter } from '../src/app/reports/report-writer.ts';
import { consumeWorkQueue, TableWorkQueue } from '../src/adapters/queue/table-work-queue.ts';
import { loadConfig } from '../src/config.ts';
import { billCycleMessageSchema, BILLING_DELIVERIES } from '../src/jobs/billing.ts';
import { createServices } from '../src/main.ts';

/**
 * One worker process of a billing run, as an instance of the app would be: consumes the billing queue (the Table
 * Storage work queue shared with the other workers) until the run `argv[2]` is no longer running, then prints one
 * JSON line (customers it billed, its storage calls per customer, its peak RSS). `WORKER_LEASE_MS` shortens the
 * lease; `WORKER_DIE_AT=n` kills the process (SIGKILL) in the middle of its n-th customer: after the customer's
 * lines, invoice and reports are written, before its result is recorded.
 */
const runId = process.argv[2] ?? '';
let peak = process.memoryUsage.rss();
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);

const services = await createServices(loadConfig(process.env));
const queue = new TableWorkQueue(services.storage.table('workqueue', { counted: false }), 'billing', {
  maxDeliveries: BILLING_DELIVERIES,
  leaseMs: Number(process.env.WORKER_LEASE_MS ?? 5 * 60_000),
});
const dieAt = Number(process.env.WORKER_DIE_AT ?? 0);
const writer = reportWriter(services);
let started = 0;
const deps = billingDepsOf(services, {
  async afterCustomer(customer, bill) {
    await writer.afterCustomer(customer, bill);
    if (dieAt && started >= dieAt) process.kill(process.pid, 'SIGKILL');
  },
  afterRun: (run) => writer.afterRun(run),
});

const abort = new AbortController();
let watchCalls = 0;
const watch = setInterval(() => {
  watchCalls += 1;
  void services.billingRuns.get(runId).then((run) => {
    if (run && run.value.status !== 'running') abort.abort();
  });
}, 500);

let billed = 0;
const callsBefore = services.storage.calls.count;
await consumeWorkQueue(
  queue,
  async (body, message) => {
    started += 1;
    const result = await billRunCustomer(deps, billCycleMessageSchema.parse(body), {
      finalAttempt: message.deliveryCount >= BILLING_DELIVERIES,
    });
    if (result.status === 'done') billed += 1;
  },
  { concurrency: Number(process.env.WORKER_CONCURRENCY ?? 8), idleMs: 200, signal: abort.signal },
);
clearInterval(watch);
clearInterval(sampler);
// The watch on the run's status is this harness's, not billing's.
const calls = services.storage.calls.count - callsBefore - watchCalls;
console.log(
  JSON.stringify({
    pid: process.pid,
    billed,
    calls,
    callsPerCustomer: billed ? calls / billed : 0,
    peakRssMb: Math.max(peak, process.memoryUsage.rss()) / 2 ** 20,
  }),
);
process.exit(0);
