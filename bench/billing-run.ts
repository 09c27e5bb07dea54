import { mkdirSync, writeFileSync } from 'node:fs';
import { cp, symlink } from 'node:fs/promises';
import { build } from 'esbuild';
import { appBundleOptions, FONTS_DIR } from '../scripts/bundle-options.mjs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import os from 'node:os';
import { guidFrom } from '../src/adapters/auth/local-keys.ts';
import { startBillingRun } from '../src/app/billing/billing-run.ts';
import { PREMIUM, seed, type Size } from './billing-seed.ts';
import { seedDemoCatalog } from '../dev/demo-catalog.ts';
import { startAzurite } from '../dev/azurite.ts';
import { localEnv } from '../dev/settings.ts';
import { writeBillingReportXlsx } from '../src/adapters/reports/billing-report.xlsx.ts';
import { loadExcelJS } from '../src/adapters/reports/xlsx-support.ts';
import { loadConfig } from '../src/config.ts';
import { buildBillingReport } from '../src/domain/billing-report.ts';
import type { BillingLine } from '../src/domain/billing.ts';
import { createServices } from '../src/main.ts';
import { round, temporaryDir, runJsonChild, type Benchmark, type BenchRow } from './bench.ts';

/**
 * `billing-run`: 2,000 customers, 20,000 subscriptions and 200,000 daily usage rows (10% with --quick) billed for
 * one month with every customer's report written, as the app runs it: the run is started (its customers recorded
 * and one message each enqueued on the Table Storage work queue), then worker processes
 * (bench/billing-worker.child.ts, no heap cap) consume the queue until the run completes, against one in-memory
 * Azurite in this process. Measured with one worker and with two (`billing-run/scale-out`), at half size for
 * memory flatness, and at 200 customers for `billing-run/calls-per-customer` (storage calls per billed customer,
 * counted by the SDK pipeline policy in each worker: billing, recording the result, completing the run).
 * `billing-run/xlsx-vs-exceljs`: our report writer against raw exceljs streaming writing the same rows to a
 * discarding sink, alternated, best of three.
 */
const PERIOD = '2026-10';
const CHILD_TIMEOUT_MS = 15 * 60_000;

interface WorkerResult {
  billed: number;
  calls: number;
  callsPerCustomer: number;
  peakRssMb: number;
  /** Customers billed by a message that did not also complete the run, and their calls (by kind). */
  customers: number;
  customerCalls: number;
  customerKinds: Record<string, number>;
  /** The worker process's CPU time (user + system), start-up included. */
  cpuSeconds: number;
}

interface RunResult {
  seconds: number;
  done: number;
  failed: number;
  workers: WorkerResult[];
  /** The busiest worker's peak RSS. */
  peakRssMb: number;
  /** Storage calls of one customer's message (billing it, its reports' reads, recording its result), averaged. */
  callsPerCustomer: number;
  /** Average calls per customer by kind (`GET invoices`, `POST $batch`, …). */
  perKind: Record<string, number>;
  /** Every other call of the workers in the run: completing it (manifest, notice), per-process caches. */
  runLevelCalls: number;
  /** CPU time (user + system) during the run: this process (Azurite, in the main) and each worker. */
  cpu: { azurite: number; workers: number[] };
}

let bundled: Promise<string> | undefined;

/**
 * The worker as the function app runs in Azure: bundled by esbuild with the options of `npm run build`
 * (scripts/bundle-options.mjs), run by plain Node, not through tsx (whose loader thread and compiler cost each process
 * ~45 MB and seconds of CPU that the app does not spend). Built once per bench run into a temporary directory, with the invoice fonts and
 * the shipped knowledge articles where the bundle looks for them.
 */
function workerBundle(): Promise<string> {
  bundled ??= (async () => {
    const root = temporaryDir('bench-worker-');
    await build({
      ...appBundleOptions,
      entryPoints: { 'billing-worker': 'bench/billing-worker.child.ts' },
      outdir: path.join(root, 'dist'),
      outExtension: { '.js': '.mjs' },
    });
    await cp(FONTS_DIR, path.join(root, 'dist', 'fonts'), { recursive: true });
    await symlink(path.resolve('knowledge'), path.join(root, 'knowledge'));
    return path.join(root, 'dist', 'billing-worker.mjs');
  })();
  return bundled;
}

/**
 * Spawns one worker of the run against the shared storage; resolves with its JSON line. `BENCH_WORKER_TSX=1` runs
 * the TypeScript source through tsx instead of the bundle (to compare with trees measured that way).
 */
export async function runWorker(
  env: Record<string, string>,
  runId: string,
  cgroupProcs?: string,
): Promise<WorkerResult> {
  if (process.env.BENCH_WORKER_TSX === '1')
    return runJsonChild<WorkerResult>('bench/billing-worker.child.ts', [runId], env, {
      label: 'worker',
      timeoutMs: CHILD_TIMEOUT_MS,
      ...(cgroupProcs ? { cgroupProcs } : {}),
    });
  return runJsonChild<WorkerResult>(await workerBundle(), [runId], env, {
    label: 'worker',
    timeoutMs: CHILD_TIMEOUT_MS,
    bundled: true,
    ...(cgroupProcs ? { cgroupProcs } : {}),
  });
}

/**
 * A memory control group limited to `megabytes`, as a Flex Consumption instance of that size is (infra/main.bicep's
 * `instanceMemoryMB`): Node sizes V8's heap from that limit, not from this machine's 24 GiB. Its `cgroup.procs`, or
 * undefined where no memory cgroup (v1) can be made (not root, or none mounted).
 */
function instanceCgroup(megabytes: number): string | undefined {
  const dir = `/sys/fs/cgroup/memory/csp-bench-${megabytes}mb`;
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'memory.limit_in_bytes'), String(megabytes * 2 ** 20));
    return path.join(dir, 'cgroup.procs');
  } catch {
    return undefined;
  }
}

export async function measureRun(
  size: Size,
  workers: number,
  options: { cgroupProcs?: string } = {},
): Promise<RunResult> {
  const azurite = await startAzurite();
  try {
    const env = {
      ...(localEnv() as Record<string, string>),
      STORAGE_CONNECTION_STRING: azurite.connectionString,
      DATA_DIR: temporaryDir('bench-billing-'),
      STORAGE_NAME_PREFIX: 'bill',
      PARTNER_NAME: 'Bench partner',
      // As the function app's host settings in Azure (infra/main.bicep).
      MALLOC_ARENA_MAX: '2',
    };
    const services = await createServices(loadConfig(env));
    await services.storage.ensure();
    await seedDemoCatalog(services);
    const seeding = performance.now();
    await seed(services, size);
    process.stderr.write(
      `  seeded ${size.customers} customers, ${size.subscriptions} subscriptions, ${size.usageRows} usage rows in ${round((performance.now() - seeding) / 1000, 1)} s; ${workers} worker(s)\n`,
    );
    await workerBundle();
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    await startBillingRun(services, PERIOD, 'bench');
    const results = await Promise.all(
      Array.from({ length: workers }, () => runWorker(env, PERIOD, options.cgroupProcs)),
    );
    const seconds = (performance.now() - started) / 1000;
    const cpuAfter = process.cpuUsage(cpuBefore);
    const azuriteCpu = (cpuAfter.user + cpuAfter.system) / 1e6;
    process.stderr.write(
      `  run: ${round(seconds, 1)} s, cpu azurite ${round(azuriteCpu, 1)} s, workers ${results.map((r) => round(r.cpuSeconds, 1)).join(' + ')} s; load ${os
        .loadavg()
        .map((l) => round(l, 1))
        .join(' ')}\n`,
    );
    const run = (await services.billingRuns.get(PERIOD))?.value;
    const customers = results.reduce((s, r) => s + r.customers, 0);
    const customerCalls = results.reduce((s, r) => s + r.customerCalls, 0);
    const perKind: Record<string, number> = {};
    for (const r of results)
      for (const [kind, count] of Object.entries(r.customerKinds)) perKind[kind] = (perKind[kind] ?? 0) + count;
    for (const kind of Object.keys(perKind)) perKind[kind] = round((perKind[kind] ?? 0) / Math.max(1, customers), 3);
    return {
      seconds,
      done: run?.customersDone ?? 0,
      failed: run?.customersFailed ?? 0,
      workers: results,
      peakRssMb: Math.max(...results.map((r) => r.peakRssMb)),
      callsPerCustomer: customers ? customerCalls / customers : 0,
      perKind,
      runLevelCalls: results.reduce((s, r) => s + r.calls, 0) - customerCalls,
      cpu: { azurite: azuriteCpu, workers: results.map((r) => r.cpuSeconds) },
    };
  } finally {
    await azurite.close();
  }
}

/** Synthetic report lines: 40 subscriptions, the rest spread over them. */
function syntheticLines(count: number): BillingLine[] {
  const customerId = guidFrom('bench-xlsx');
  return Array.from({ length: count }, (_, i) => ({
    id: `line-${String(i).padStart(7, '0')}`,
    customerId,
    cycle: '2026-10-01',
    kind: i % 5 === 0 ? 'proRata' : 'cycleFee',
    chargeDate: '2026-09-01',
    periodStart: '2026-09-01',
    periodEnd: '2026-10-01',
    subscriptionId: `sub-${i % 40}`,
    productId: PREMIUM,
    description: `Microsoft 365 Business Premium ${i % 40}: ${1 + (i % 9)} seat(s) for 2026-09-01 to 2026-09-30`,
    quantity: String(1 + (i % 9)),
    unitPrice: '22.00',
    amount: (22 * (1 + (i % 9))).toFixed(2),
    currency: 'USD',
    priceListId: 'global',
    priceSource: 'global',
    createdAt: '2026-10-01T01:00:00.000Z',
  }));
}

const sink = () => new Writable({ write: (_chunk, _encoding, done) => done() });

async function timeOurs(lines: BillingLine[]): Promise<number> {
  const total = lines.reduce((s, l) => s + Number(l.amount), 0).toFixed(2);
  const report = buildBillingReport({
    partnerName: 'Bench partner',
    customer: { id: lines[0]?.customerId ?? '', name: 'Bench' },
    invoice: {
      id: 'INV-20261001-BENCH000',
      customerId: lines[0]?.customerId ?? '',
      cycle: '2026-10-01',
      cycleStart: '2026-09-01',
      issuedOn: '2026-10-01',
      currency: 'USD',
      total,
      lineCount: lines.length,
      status: 'open',
      createdAt: '2026-10-01T01:00:00.000Z',
    },
    lines,
  });
  const started = performance.now();
  await writeBillingReportXlsx(report, sink());
  return performance.now() - started;
}

async function timeRaw(lines: BillingLine[]): Promise<number> {
  const excel = await loadExcelJS();
  const started = performance.now();
  const workbook = new excel.stream.xlsx.WorkbookWriter({ stream: sink(), useStyles: false, useSharedStrings: false });
  const sheet = workbook.addWorksheet('Lines');
  for (const l of lines) {
    const day = (iso: string) => new Date(`${iso}T00:00:00.000Z`);
    sheet
      .addRow([
        day(l.cycle),
        l.subscriptionId,
        l.kind,
        day(l.chargeDate),
        day(l.periodStart),
        day(l.periodEnd),
        l.description,
        Number(l.quantity),
        Number(l.unitPrice),
        Number(l.amount),
        l.priceListId,
        l.id,
      ])
      .commit();
  }
  sheet.commit();
  await workbook.commit();
  return performance.now() - started;
}

/** Rows per second of our report writer and of raw exceljs streaming on the same lines: best of three, alternated. */
export async function compareXlsxWriters(rows: number): Promise<{ oursRate: number; rawRate: number }> {
  const lines = syntheticLines(rows);
  await timeOurs(syntheticLines(100));
  await timeRaw(syntheticLines(100));
  const ours: number[] = [];
  const raw: number[] = [];
  for (let i = 0; i < 3; i++) {
    ours.push(await timeOurs(lines));
    raw.push(await timeRaw(lines));
  }
  return { oursRate: rows / (Math.min(...ours) / 1000), rawRate: rows / (Math.min(...raw) / 1000) };
}

const kindNote = (kinds: Record<string, number>) =>
  Object.entries(kinds)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ');

export const billingRun: Benchmark = async ({ quick }) => {
  const full: Size = quick
    ? { customers: 200, subscriptions: 2000, usageRows: 20_000 }
    : { customers: 2000, subscriptions: 20_000, usageRows: 200_000 };
  const half: Size = {
    customers: full.customers / 2,
    subscriptions: full.subscriptions / 2,
    usageRows: full.usageRows / 2,
  };
  const small: Size = { customers: 200, subscriptions: 2000, usageRows: 20_000 };
  const atSmall = await measureRun(small, 1);
  const loads: number[] = [];
  loads.push(round(os.loadavg()[0] ?? 0, 1));
  const oneWorker = await measureRun(full, 1);
  loads.push(round(os.loadavg()[0] ?? 0, 1));
  const twoWorkers = await measureRun(full, 2);
  const halfTwo = await measureRun(half, 2);
  const instanceMb = 2048;
  const cgroup = instanceCgroup(instanceMb);
  const inInstance = cgroup ? await measureRun(full, 2, { cgroupProcs: cgroup }) : undefined;
  for (const result of [atSmall, oneWorker, twoWorkers, halfTwo, ...(inInstance ? [inInstance] : [])])
    if (result.failed || result.done === 0) throw new Error(`billing run failed for ${result.failed} customer(s)`);

  const rows = quick ? 20_000 : 100_000;
  const { oursRate, rawRate } = await compareXlsxWriters(rows);

  const sizeNote = (s: Size) => `${s.customers} customers, ${s.subscriptions} subscriptions, ${s.usageRows} usage rows`;
  const speedUp = oneWorker.seconds / twoWorkers.seconds;
  const cpuMs = (r: RunResult, customers: number) =>
    round(((r.cpu.azurite + r.cpu.workers.reduce((a, b) => a + b, 0)) / customers) * 1000, 1);
  const cpuNote = (r: RunResult) =>
    `Azurite ${round(r.cpu.azurite, 1)} s + workers ${r.cpu.workers.map((c) => round(c, 1)).join(' + ')} s`;
  const out: BenchRow[] = [
    {
      name: 'billing-run',
      value: round(twoWorkers.seconds, 1),
      unit: 's',
      baseline: round(oneWorker.seconds, 1),
      ratio: round(twoWorkers.seconds / oneWorker.seconds),
      note: `${sizeNote(full)}: start + every customer billed with its xlsx, csv and xml, the manifest, by two worker processes (baseline: one); target <= 60 s`,
    },
    {
      name: 'billing-run/scale-out',
      value: round(speedUp),
      unit: 'x',
      baseline: 1.6,
      ratio: round(speedUp / 1.6),
      note: `one worker ${round(oneWorker.seconds, 1)} s / two workers ${round(twoWorkers.seconds, 1)} s on ${os.cpus().length} cores, Azurite in the parent process (baseline = target 1.6); load average ${loads.join(' / ')} (1 min, at the start of each of the two runs)`,
    },
    {
      name: 'billing-run/cpu-per-customer',
      value: cpuMs(twoWorkers, full.customers),
      unit: 'ms',
      baseline: cpuMs(oneWorker, full.customers),
      ratio: round(cpuMs(twoWorkers, full.customers) / cpuMs(oneWorker, full.customers)),
      note: `CPU time (user + system) per customer of the full-size run with two workers, Azurite included: ${cpuNote(twoWorkers)} (baseline: one worker, ${cpuNote(oneWorker)}); less inflated by a loaded machine than wall time; two cores give at most 2 s of CPU per second`,
    },
    {
      name: 'billing-run/calls-per-customer',
      value: round(oneWorker.callsPerCustomer, 2),
      unit: 'calls',
      baseline: round(atSmall.callsPerCustomer, 2),
      ratio: round(oneWorker.callsPerCustomer / atSmall.callsPerCustomer),
      note: `table calls of one customer's message at ${full.customers} customers (baseline: at ${small.customers}); target equal and <= 10; by kind: ${kindNote(oneWorker.perKind)}`,
    },
    {
      name: `billing-run/calls-per-customer/${small.customers}`,
      value: round(atSmall.callsPerCustomer, 2),
      unit: 'calls',
      baseline: 10,
      ratio: round(atSmall.callsPerCustomer / 10),
      note: `the same at ${small.customers} customers (baseline = target 10); by kind: ${kindNote(atSmall.perKind)}`,
    },
    {
      name: 'billing-run/calls-per-run',
      value: oneWorker.runLevelCalls,
      unit: 'calls',
      baseline: atSmall.runLevelCalls,
      ratio: round(oneWorker.runLevelCalls / atSmall.runLevelCalls),
      note: `the run's other table calls at ${full.customers} customers (baseline: at ${small.customers}): the completing message (its customer, the manifest's results, the notice) and each worker's caches (mark-up, partner profile, global price list once a minute); not per customer`,
    },
    {
      name: 'billing-run/rss',
      value: round(twoWorkers.peakRssMb, 0),
      unit: 'MB',
      baseline: 300,
      ratio: round(twoWorkers.peakRssMb / 300),
      note: `peak RSS of the busiest of two workers at full size, no heap cap (baseline = target 300 MB)`,
    },
    {
      name: 'billing-run/rss-half-size',
      value: round(halfTwo.peakRssMb, 0),
      unit: 'MB',
      baseline: null,
      ratio: null,
      note: `the same at half size (${sizeNote(half)}), ${round(halfTwo.seconds, 1)} s: full/half = ${round(twoWorkers.peakRssMb / halfTwo.peakRssMb)}`,
    },
    // Left out where no memory cgroup can be made (it needs root and cgroup v1's memory controller).
    ...(inInstance
      ? [
          {
            name: 'billing-run/rss-2gb-instance',
            value: round(inInstance.peakRssMb, 0),
            unit: 'MB',
            baseline: 300,
            ratio: round(inInstance.peakRssMb / 300),
            note: `the full-size run with two workers, each started in a memory cgroup of ${instanceMb} MB as on a Flex Consumption instance of that size (infra instanceMemoryMB): V8 sizes its heap from the instance, not from this machine's memory; ${round(inInstance.seconds, 1)} s (baseline = target 300 MB)`,
          },
        ]
      : []),
    {
      name: 'billing-run/xlsx-vs-exceljs',
      value: Math.round(oursRate),
      unit: 'rows/s',
      baseline: Math.round(rawRate),
      ratio: round(oursRate / rawRate),
      note: `${rows} lines: our report (styles, groups, subtotals) vs raw exceljs streaming rows; target ratio >= 0.5`,
    },
  ];
  return out;
};
