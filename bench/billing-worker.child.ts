import { readFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';
import { billRunCustomer } from '../src/app/billing/billing-run.ts';
import { billingDepsOf } from '../src/app/billing/deps.ts';
import { reportWriter } from '../src/app/reports/report-writer.ts';
import { consumeWorkQueue, TableWorkQueue } from '../src/adapters/queue/table-work-queue.ts';
import { callKind, storageCallScope, type StorageCallCounter } from '../src/adapters/storage/storage.ts';
import { loadConfig } from '../src/config.ts';
import { billCycleMessageSchema, BILLING_DELIVERIES } from '../src/jobs/billing.ts';
import { createServices } from '../src/main.ts';

/**
 * One worker process of a billing run, as an instance of the app would be: consumes the billing queue (the Table
 * Storage work queue shared with the other workers) until the run `argv[2]` is no longer running, then prints one
 * JSON line (customers it billed, its storage calls per customer, its peak RSS). `WORKER_LEASE_MS` shortens the
 * lease; `WORKER_DIE_AT=n` kills the process (SIGKILL) in the middle of its n-th customer: after the customer's
 * lines, invoice and reports are written, before its result is recorded. There it writes `dying: holding customer n`
 * to stderr and, with `WORKER_DIE_AFTER_DONE=k`, holds that customer (its lease renewed) until the run counts k
 * customers done, so that a test can make another worker bill alongside it before it dies, whatever the load.
 */
const runId = process.argv[2] ?? '';
/**
 * The peak RSS is the kernel's (exact, and no 20 ms sampling spending the worker's CPU): this process image's high
 * water mark (VmHWM in /proc/self/status), not getrusage's maxRSS, which keeps the peak of what ran before an exec
 * (a shell forked from the bench's large process); the V8 heap and external memory are sampled four times a second,
 * kept at the highest RSS seen, to say what it is.
 */
function peakRssMb(): number {
  try {
    const line = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (line) return Number(line[1]) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}
let sampled: Record<string, number> = { rss: 0 };
const sampler = setInterval(() => {
  const now = process.memoryUsage();
  if (now.rss <= (sampled.rss ?? 0)) return;
  sampled = { ...now };
  for (const space of getHeapSpaceStatistics()) sampled[space.space_name] = space.space_used_size;
}, 250);

const config = loadConfig(process.env);
const prefix = config.STORAGE_NAME_PREFIX;
const services = await createServices(config);
const queue = new TableWorkQueue(services.storage.table('workqueue', { counted: false }), 'billing', {
  maxDeliveries: BILLING_DELIVERIES,
  leaseMs: Number(process.env.WORKER_LEASE_MS ?? 5 * 60_000),
});
const dieAt = Number(process.env.WORKER_DIE_AT ?? 0);
const dieAfterDone = Number(process.env.WORKER_DIE_AFTER_DONE ?? 0);
const writer = reportWriter(services);
let started = 0;
const deps = billingDepsOf(services, {
  async afterCustomer(customer, bill) {
    await writer.afterCustomer(customer, bill);
    if (dieAt && started >= dieAt) {
      process.stderr.write(`dying: holding customer ${started}\n`);
      while (dieAfterDone && ((await services.billingRuns.progress(runId))?.done ?? 0) < dieAfterDone)
        await new Promise((resolve) => setTimeout(resolve, 100));
      process.kill(process.pid, 'SIGKILL');
    }
  },
  afterRun: async (run) => {
    const scope = storageCallScope.getStore();
    if (scope) completers.add(scope);
    await writer.afterRun(run);
  },
});
type Scope = StorageCallCounter & { requests: string[] };
/**
 * The calls of the messages that billed a customer and did not also complete the run, counted as each message ends
 * (keeping every message's requests until the end would grow the worker's heap with the run it measures).
 */
let customers = 0;
let customerCalls = 0;
const customerKinds: Record<string, number> = {};
const completers = new Set<StorageCallCounter>();
/**
 * Calls a customer's message makes that are not that customer's: the per-process caches it happens to refresh (the
 * partner's settings, the global price list and who has a list of their own, each at most once a minute), and the
 * whole run's counts read when one of the 16 count shards finishes (16 per run).
 */
const runLevel = (request: string) =>
  / [^ ]*settings\(/.test(request) ||
  /prices\(\)\?.*PartitionKey (eq|ne) 'global'/.test(request) ||
  /billingruns\(\)\?.*RowKey ge '~progress\|'/.test(request);

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
const kindsBefore = new Map(services.storage.calls.byKind);
await consumeWorkQueue(
  queue,
  async (body, message) => {
    started += 1;
    const scope: Scope = { count: 0, byKind: new Map(), requests: [] };
    const result = await storageCallScope.run(scope, () =>
      billRunCustomer(deps, billCycleMessageSchema.parse(body), {
        finalAttempt: message.deliveryCount >= BILLING_DELIVERIES,
      }),
    );
    if (result.status === 'done') {
      billed += 1;
      if (completers.delete(scope)) return;
      customers += 1;
      for (const request of scope.requests) {
        if (runLevel(request)) continue;
        customerCalls += 1;
        const kind = callKind(request.slice(0, request.indexOf(' ')), request.slice(request.indexOf(' ') + 1), prefix);
        customerKinds[kind] = (customerKinds[kind] ?? 0) + 1;
      }
    }
  },
  { concurrency: Number(process.env.WORKER_CONCURRENCY ?? 8), idleMs: 200, signal: abort.signal },
);
clearInterval(watch);
clearInterval(sampler);
if (process.env.WORKER_HEAP_SNAPSHOT) (await import('node:v8')).writeHeapSnapshot(process.env.WORKER_HEAP_SNAPSHOT);
// The watch on the run's status is this harness's, not billing's.
const calls = services.storage.calls.count - callsBefore - watchCalls;
const kinds: Record<string, number> = {};
for (const [kind, count] of services.storage.calls.byKind) {
  const own = count - (kindsBefore.get(kind) ?? 0) - (kind === 'GET billingruns' ? watchCalls : 0);
  if (own) kinds[kind] = own;
}
console.log(
  JSON.stringify({
    pid: process.pid,
    billed,
    calls,
    callsPerCustomer: billed ? calls / billed : 0,
    kinds,
    customers,
    customerCalls,
    customerKinds,
    peakRssMb: peakRssMb(),
    atPeakMb: Object.fromEntries(Object.entries(sampled).map(([k, v]) => [k, Math.round(v / 2 ** 20)])),
    // CPU time of the whole process (user + system), start-up included: what the machine's load inflates least.
    cpuSeconds: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
  }),
);
process.exit(0);
