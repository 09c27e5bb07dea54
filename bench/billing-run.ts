import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { guidFrom } from '../src/adapters/auth/local-keys.ts';
import { seedDemoCatalog } from '../dev/demo-catalog.ts';
import { startAzurite } from '../dev/azurite.ts';
import { localEnv } from '../dev/settings.ts';
import { writeBillingReportXlsx } from '../src/adapters/reports/billing-report.xlsx.ts';
import { loadExcelJS } from '../src/adapters/reports/xlsx-support.ts';
import { loadConfig } from '../src/config.ts';
import { buildBillingReport } from '../src/domain/billing-report.ts';
import type { BillingLine, UsageRecord } from '../src/domain/billing.ts';
import type { ChangeLogEntry, SubscriptionRecord } from '../src/domain/subscription.ts';
import { stateOf } from '../src/domain/subscription.ts';
import { createServices, type Services } from '../src/main.ts';
import { round, type Benchmark, type BenchRow } from './bench.ts';

/**
 * `billing-run`: 2,000 customers, 20,000 subscriptions and 200,000 daily usage rows (10% with --quick) billed for
 * one month with every report written (each customer's xlsx, csv and xml, the manifest, the provider reports),
 * against an in-memory Azurite in this process. The run itself is a child process (bench/billing-run.child.ts),
 * so its peak RSS, sampled every 20 ms, is the run's alone; it runs at half and full size to show memory stays
 * flat as rows grow. `billing-run/xlsx-vs-exceljs`: our report writer against raw exceljs streaming writing the
 * same rows to a discarding sink, alternated, best of three.
 */
const PERIOD = '2026-10';
const PREMIUM = 'CFQ7TTC0LCHC:0002';
const BASIC = 'CFQ7TTC0LH18:0001';
const CHILD_TIMEOUT_MS = 15 * 60_000;
/**
 * The run's old-generation cap, as `npm run billing` runs it. The run's live heap stays at ~50 MB whatever the
 * size (measured with --expose-gc: BENCH_EXPOSE_GC=1); uncapped, V8 lets garbage accumulate (460 MB RSS at full
 * size, 290 MB at half), so a bounded process needs the cap.
 */
const RUN_HEAP_MB = Number(process.env.BENCH_RUN_HEAP_MB ?? 256);

interface Size {
  customers: number;
  subscriptions: number;
  usageRows: number;
}

interface ChildResult {
  seconds: number;
  peakRssMb: number;
  done: number;
  failed: number;
  files: number;
}

/** Writes customers, subscription records with their change-log entries and usage rows straight through the stores. */
async function seed(services: Services, size: Size): Promise<void> {
  const at = '2026-09-01T00:00:00.000Z';
  const perCustomer = Math.round(size.subscriptions / size.customers);
  const usagePerCustomer = Math.round(size.usageRows / size.customers);
  const meters = 4;
  const jobs = Array.from({ length: size.customers }, (_, c) => c);
  const worker = async () => {
    for (let c = jobs.shift(); c !== undefined; c = jobs.shift()) {
      const customerId = guidFrom(`bench-customer-${c}`);
      const tenantId = guidFrom(`bench-tenant-${c}`);
      await services.customers.create({
        id: customerId,
        name: `Bench customer ${String(c).padStart(5, '0')}`,
        billingDay: 1,
        currency: 'USD',
        country: 'US',
        company: {},
        billingChangeConfirmation: false,
        tenantId,
        createdAt: at,
        updatedAt: at,
      });
      const records: SubscriptionRecord[] = [];
      const log: ChangeLogEntry[] = [];
      for (let s = 0; s < perCustomer - 1; s++) {
        const productId = s % 2 ? BASIC : PREMIUM;
        const record: SubscriptionRecord = {
          id: guidFrom(`bench-sub-${c}-${s}`),
          customerId,
          customerTenantId: tenantId,
          orderId: `order-${c}`,
          productId,
          productName: s % 2 ? 'Microsoft 365 Business Basic' : 'Microsoft 365 Business Premium',
          catalogItemId: `${productId}:0001`,
          isNce: true,
          quantity: 5 + (s % 7),
          assignedQuantity: 3 + (s % 3),
          minQuantity: 1,
          maxQuantity: 300,
          status: 'active',
          term: 'P1Y',
          billingFrequency: 'monthly',
          startDate: '2026-09-01',
          termStartDate: '2026-09-01',
          termEndDate: '2027-09-01',
          autoRenew: true,
          refundable: [],
          unitPrice: s % 2 ? '6.00' : '22.00',
          currency: 'USD',
          priceListId: 'global',
          priceSource: 'global',
          syncedAt: at,
        };
        records.push(record);
        log.push({
          id: guidFrom(`bench-log-${c}-${s}`),
          customerId,
          at,
          actor: 'bench',
          source: 'portal',
          action: 'purchase',
          subscriptionId: record.id,
          productName: record.productName,
          after: stateOf(record),
        });
      }
      await services.customerData.commit(customerId, { subscriptions: records.map((value) => ({ value })), log });
      // One Azure plan per customer: its usage, `meters` meters a day.
      const azure = guidFrom(`bench-azure-${c}`);
      const usage: UsageRecord[] = Array.from({ length: usagePerCustomer }, (_, u) => ({
        customerId,
        subscriptionId: azure,
        meterId: `meter-${u % meters}`,
        meterName: `Meter ${u % meters}`,
        meterCategory: 'Virtual Machines',
        unitOfMeasure: '1 Hour',
        date: `2026-09-${String(1 + (Math.floor(u / meters) % 30)).padStart(2, '0')}`,
        quantity: '24',
        cost: `${(1 + (u % 13) / 10).toFixed(2)}`,
        currency: 'USD',
        source: 'simulator',
      }));
      await services.usageStore.save(usage);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

/** Runs the billing run of PERIOD in a fresh process against `connectionString`; bounded in time. */
function runChild(env: Record<string, string>): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        `--max-old-space-size=${RUN_HEAP_MB}`,
        ...(process.env.BENCH_EXPOSE_GC ? ['--expose-gc'] : []),
        '--import',
        'tsx',
        'bench/billing-run.child.ts',
        PERIOD,
      ],
      { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const last = stdout.trim().split('\n').at(-1) ?? '';
      if (code !== 0) return reject(new Error(`billing run child exited ${code}: ${stderr.slice(-2000)}`));
      process.stderr.write(`  child: ${last}\n`);
      resolve(JSON.parse(last) as ChildResult);
    });
  });
}

export async function measureRun(size: Size): Promise<ChildResult> {
  const azurite = await startAzurite();
  try {
    const env = {
      ...(localEnv() as Record<string, string>),
      STORAGE_CONNECTION_STRING: azurite.connectionString,
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'bench-billing-')),
      STORAGE_NAME_PREFIX: 'bill',
      PARTNER_NAME: 'Bench partner',
    };
    const services = await createServices(loadConfig(env));
    await services.storage.ensure();
    await seedDemoCatalog(services);
    const started = performance.now();
    await seed(services, size);
    process.stderr.write(
      `  seeded ${size.customers} customers, ${size.subscriptions} subscriptions, ${size.usageRows} usage rows in ${round((performance.now() - started) / 1000, 1)} s\n`,
    );
    return await runChild(env);
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

export const billingRun: Benchmark = async ({ quick }) => {
  const full: Size = quick
    ? { customers: 200, subscriptions: 2000, usageRows: 20_000 }
    : { customers: 2000, subscriptions: 20_000, usageRows: 200_000 };
  const half: Size = {
    customers: full.customers / 2,
    subscriptions: full.subscriptions / 2,
    usageRows: full.usageRows / 2,
  };
  const small = await measureRun(half);
  const large = await measureRun(full);
  for (const result of [small, large])
    if (result.failed || !result.done) throw new Error(`billing run failed for ${result.failed} customer(s)`);

  const rows = quick ? 20_000 : 100_000;
  const { oursRate, rawRate } = await compareXlsxWriters(rows);

  const sizeNote = (s: Size) => `${s.customers} customers, ${s.subscriptions} subscriptions, ${s.usageRows} usage rows`;
  const out: BenchRow[] = [
    {
      name: 'billing-run',
      value: round(large.seconds, 1),
      unit: 's',
      baseline: null,
      ratio: null,
      note: `${sizeNote(full)}: run + ${large.files} files (xlsx, csv, xml per customer, manifest, provider reports); in-memory Azurite scans whole tables per query, which dominates`,
    },
    {
      name: 'billing-run/rss',
      value: round(large.peakRssMb, 0),
      unit: 'MB',
      baseline: 400,
      ratio: round(large.peakRssMb / 400),
      note: `peak RSS of the run process at full size, old generation capped at ${RUN_HEAP_MB} MB as npm run billing runs it (baseline = target 400 MB)`,
    },
    {
      name: 'billing-run/rss-half-size',
      value: round(small.peakRssMb, 0),
      unit: 'MB',
      baseline: null,
      ratio: null,
      note: `the same at half size (${sizeNote(half)}), ${round(small.seconds, 1)} s: full/half = ${round(large.peakRssMb / small.peakRssMb)}`,
    },
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
