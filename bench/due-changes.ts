import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { startAzurite } from '../dev/azurite.ts';
import { seedDemoCatalog } from '../dev/demo-catalog.ts';
import { localEnv } from '../dev/settings.ts';
import { createCustomer } from '../src/app/customers.ts';
import { sweepDueChanges } from '../src/app/future/sweep.ts';
import { changeSubscription } from '../src/app/subscriptions/change-subscription.ts';
import { toRecord } from '../src/app/subscriptions/mirror.ts';
import { loadConfig } from '../src/config.ts';
import { customerFieldsSchema } from '../src/domain/customer.ts';
import { createServices } from '../src/main.ts';
import { round, temporaryDir, type Benchmark } from './bench.ts';

/**
 * 5,000 due changes (500 with --quick) applied by one sweep against Azurite: each exactly once (every change
 * `applied`, one log entry each), the table calls per change (the simulator's calls stand in for Microsoft
 * and are not counted) and the time per change. Setup goes through the real scheduling use case.
 */
const PRODUCT = 'CFQ7TTC0LCHC:0002';

export const dueChanges: Benchmark = async ({ quick }) => {
  const total = quick ? 500 : 5000;
  const perCustomer = 50;
  const azurite = await startAzurite();
  let now = new Date('2026-03-01T09:00:00Z');
  const clock = { now: () => new Date(now) };
  try {
    const config = loadConfig({
      ...localEnv(),
      STORAGE_CONNECTION_STRING: azurite.connectionString,
      DATA_DIR: temporaryDir('bench-due-'),
      STORAGE_NAME_PREFIX: 'due',
    });
    const services = await createServices(config, { clock });
    await services.storage.ensure();
    await seedDemoCatalog(services);
    const product = await services.catalog.getProduct(PRODUCT);
    const jobs: (() => Promise<void>)[] = [];
    for (let c = 0; c < total / perCustomer; c++) {
      const tenantId = randomUUID();
      const customer = (
        await createCustomer(
          services,
          customerFieldsSchema.parse({ name: `Due ${c}`, billingDay: 1, currency: 'USD', country: 'US', tenantId }),
        )
      ).value;
      const price = await services.catalog.priceFor({
        customerId: customer.id,
        currency: 'USD',
        productId: PRODUCT,
        term: 'P1Y',
        frequency: 'monthly',
        onDate: '2026-03-01',
      });
      if (!product || !price) throw new Error('demo catalog missing');
      // In orders of 25 lines: the simulator writes an order's subscriptions, their ledger charges and the order in
      // one transaction, which holds at most 100 entities (33 lines).
      const subscriptions = [];
      for (let placed = 0; placed < perCustomer; placed += 25) {
        const order = await services.commerce.placeOrder(
          tenantId,
          Array.from({ length: Math.min(25, perCustomer - placed) }, () => ({
            catalogItemId: product.catalogItemId,
            quantity: 10,
            termDuration: 'P1Y' as const,
            billingCycle: 'monthly' as const,
          })),
          randomUUID(),
        );
        subscriptions.push(...order.subscriptions);
      }
      const records = subscriptions.map((s) =>
        toRecord({ id: customer.id, tenantId }, s, product, price, undefined, now),
      );
      const { subscriptionEtags } = await services.customerData.commit(customer.id, {
        subscriptions: records.map((value) => ({ value })),
      });
      for (const record of records) {
        jobs.push(async () => {
          await changeSubscription(services, {
            customerId: customer.id,
            subscriptionId: record.id,
            ifMatch: subscriptionEtags.get(record.id) ?? '',
            change: { kind: 'quantity', quantity: 12, effective: 'custom', effectiveDate: '2026-03-20' },
            actor: { id: 'bench', label: 'bench' },
            isAdmin: true,
            acceptLanguage: null,
          });
        });
      }
    }
    const workers = Array.from({ length: 16 }, async () => {
      for (let job = jobs.shift(); job; job = jobs.shift()) await job();
    });
    await Promise.all(workers);

    now = new Date('2026-03-20T00:15:00Z');
    const calls = services.storage.calls.count;
    const started = performance.now();
    const result = await sweepDueChanges(services, { concurrency: 16 });
    const elapsed = performance.now() - started;
    const perChange = (services.storage.calls.count - calls) / total;
    if (result.applied !== total) throw new Error(`applied ${result.applied} of ${total}`);
    const again = await sweepDueChanges(services);
    if (again.applied !== 0 || again.due !== 0) throw new Error('a second sweep found work: not exactly once');
    return [
      {
        name: 'due-changes',
        value: round(elapsed / total, 2),
        unit: 'ms/change',
        baseline: null,
        ratio: null,
        note: `${total} due changes applied by one sweep in ${round(elapsed / 1000, 1)} s, each once`,
      },
      {
        name: 'due-changes/storage-calls',
        value: round(perChange, 2),
        unit: 'calls/change',
        baseline: 4,
        ratio: round(perChange / 4, 2),
        note: 'table calls per applied change (baseline = target 4)',
      },
    ];
  } finally {
    await azurite.close();
  }
};
