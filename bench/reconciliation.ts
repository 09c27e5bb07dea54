import { guidFrom } from '../src/adapters/auth/local-keys.ts';
import { startAzurite } from '../dev/azurite.ts';
import { localEnv } from '../dev/settings.ts';
import { loadConfig } from '../src/config.ts';
import type { BillingLine, Invoice } from '../src/domain/billing.ts';
import type { MicrosoftBilledLine } from '../src/domain/reconciliation.ts';
import { createServices, type Services } from '../src/main.ts';
import { round, temporaryDir, runJsonChild, type Benchmark, type BenchRow } from './bench.ts';

/**
 * `reconciliation/rss`: a month's reconciliation (F-RECON) of 2,000 customers (10 subscriptions each, Microsoft's
 * lines imported, lines billed, one mismatch in ten customers) against the same at 200 customers, each in a fresh
 * process whose peak RSS is sampled every 20 ms. Memory flat in size: the ratio full ÷ tenth stays near 1.
 * `--quick` measures 100 against 1,000.
 */
const MONTH = '2026-10';
const CYCLE = '2026-11-01';
const CHILD_TIMEOUT_MS = 10 * 60_000;
const SUBSCRIPTIONS = 10;

async function seed(services: Services, customers: number): Promise<void> {
  const at = '2026-11-01T00:00:00.000Z';
  const jobs = Array.from({ length: customers }, (_, c) => c);
  const worker = async () => {
    for (let c = jobs.shift(); c !== undefined; c = jobs.shift()) {
      const tenantId = guidFrom(`recon-tenant-${c}`);
      const created = await services.customers.create({
        id: guidFrom(`recon-customer-${c}`),
        createdAt: at,
        updatedAt: at,
        name: `Customer ${String(c).padStart(5, '0')}`,
        billingDay: 1,
        currency: 'USD',
        country: 'US',
        company: {},
        tenantId,
        billingChangeConfirmation: false,
      });
      const customerId = created.value.id;
      const ms: MicrosoftBilledLine[] = [];
      const ours: BillingLine[] = [];
      for (let s = 0; s < SUBSCRIPTIONS; s++) {
        const subscriptionId = guidFrom(`recon-sub-${c}-${s}`);
        const seats = 1 + ((c + s) % 20);
        ms.push({
          id: `ms-${c}-${s}`,
          month: MONTH,
          customerTenantId: tenantId,
          subscriptionId,
          productId: 'CFQ7TTC0LCHC:0002',
          productName: 'Microsoft 365 Business Premium',
          chargeType: 'cycleCharge',
          chargeStartDate: '2026-10-01',
          chargeEndDate: '2026-11-01',
          quantity: String(seats),
          unitPrice: '19.80',
          amount: (seats * 19.8).toFixed(2),
          currency: 'USD',
          source: 'bench',
        });
        // One customer in ten was billed one seat short on its first subscription.
        const billedSeats = s === 0 && c % 10 === 0 ? seats - 1 : seats;
        if (billedSeats > 0)
          ours.push({
            id: `line-${c}-${s}`,
            customerId,
            cycle: CYCLE,
            kind: 'cycleFee',
            chargeDate: '2026-10-01',
            periodStart: '2026-10-01',
            periodEnd: '2026-11-01',
            subscriptionId,
            productId: 'CFQ7TTC0LCHC:0002',
            description: `Microsoft 365 Business Premium: ${billedSeats} seat(s)`,
            quantity: String(billedSeats),
            unitPrice: '22.00',
            amount: (billedSeats * 22).toFixed(2),
            currency: 'USD',
            priceListId: 'global',
            priceSource: 'global',
            createdAt: at,
          });
      }
      await services.reconciliation.saveMicrosoftLines(MONTH, tenantId, ms);
      await services.billing.addLines(customerId, ours);
      const invoice: Invoice = {
        id: `INV-20261101-${customerId.slice(0, 8).toUpperCase()}`,
        customerId,
        cycle: CYCLE,
        cycleStart: '2026-10-01',
        issuedOn: CYCLE,
        currency: 'USD',
        total: '0.00',
        lineCount: ours.length,
        status: 'open',
        createdAt: at,
      };
      await services.billing.saveInvoice(invoice);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  await services.reconciliation.recordImport(MONTH, {
    importedAt: at,
    importedBy: 'bench',
    lines: customers * SUBSCRIPTIONS,
    source: 'bench',
  });
}

interface ChildResult {
  seconds: number;
  peakRssMb: number;
  customers: number;
  mismatches: number;
}

function runChild(env: Record<string, string>): Promise<ChildResult> {
  return runJsonChild<ChildResult>('bench/reconciliation.child.ts', [MONTH], env, {
    label: 'child',
    timeoutMs: CHILD_TIMEOUT_MS,
  });
}

async function measure(customers: number): Promise<ChildResult> {
  const azurite = await startAzurite();
  try {
    const env = {
      ...(localEnv() as Record<string, string>),
      STORAGE_CONNECTION_STRING: azurite.connectionString,
      DATA_DIR: temporaryDir('bench-recon-'),
      STORAGE_NAME_PREFIX: 'recon',
    };
    const services = await createServices(loadConfig(env));
    await services.storage.ensure();
    await seed(services, customers);
    return await runChild(env);
  } finally {
    await azurite.close();
  }
}

export const reconciliation: Benchmark = async ({ quick }) => {
  const full = quick ? 1_000 : 2_000;
  const small = full / 10;
  const smallRun = await measure(small);
  const fullRun = await measure(full);
  if (fullRun.mismatches !== full / 10) throw new Error(`expected ${full / 10} mismatches, got ${fullRun.mismatches}`);
  const rows: BenchRow[] = [
    {
      name: 'reconciliation/rss',
      value: round(fullRun.peakRssMb, 0),
      unit: 'MB',
      baseline: round(smallRun.peakRssMb, 0),
      ratio: round(fullRun.peakRssMb / smallRun.peakRssMb),
      note: `peak RSS reconciling ${full} customers vs ${small} (flat: ratio near 1)`,
    },
    {
      name: 'reconciliation/time',
      value: round(fullRun.seconds, 1),
      unit: 's',
      baseline: null,
      ratio: null,
      note: `${full} customers × ${SUBSCRIPTIONS} subscriptions, one month, with the workbook`,
    },
  ];
  return rows;
};
