import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { startLocalHost, type LocalHost } from '../dev/host.ts';
import { localEnv } from '../dev/settings.ts';
import { seedDemoCatalog } from '../dev/demo-catalog.ts';
import { createCustomer } from '../src/app/customers.ts';
import { buySubscription } from '../src/app/subscriptions/buy.ts';
import { customerFieldsSchema } from '../src/domain/customer.ts';
import { guidFrom, loadOrCreateLocalKeys, signLocalToken } from '../src/adapters/auth/local-keys.ts';
import type { Benchmark } from './bench.ts';

/**
 * Storage calls per request, counted by the table client's pipeline policy (not timed), through the local
 * host over HTTP: My Services with 1 and with 50 subscriptions (target: one query whatever the count), and a
 * quantity change up and down (target: at most 3 storage calls plus the Microsoft call). Warm caches, as a
 * running app has them.
 */
async function customerWith(host: LocalHost, subscriptions: number) {
  const { services } = host;
  const tenantId = randomUUID();
  const customer = (
    await createCustomer(
      services,
      customerFieldsSchema.parse({
        name: `Bench ${subscriptions}`,
        billingDay: 1,
        currency: 'USD',
        country: 'US',
        tenantId,
      }),
    )
  ).value;
  for (let i = 0; i < subscriptions; i++) {
    await buySubscription(services, {
      customerId: customer.id,
      idempotencyKey: `bench-${customer.id}-${i}`,
      request: { productId: 'CFQ7TTC0LCHC:0002', term: 'P1Y', billingFrequency: 'monthly', quantity: 10 },
      actor: { id: 'bench', label: 'bench' },
      acceptLanguage: null,
    });
  }
  const objectId = guidFrom(`${tenantId}:bench@example.com`);
  await services.access.grant(tenantId, objectId, {
    customerId: customer.id,
    customerName: customer.name,
    userId: objectId,
    role: 'Admin',
    enabled: true,
  });
  const keys = await loadOrCreateLocalKeys(services.config.DATA_DIR);
  const token = await signLocalToken(
    keys,
    { tenantId, objectId, email: 'bench@example.com' },
    { issuer: services.config.AUTH_ISSUER, audience: services.config.AUTH_AUDIENCE },
  );
  return { customerId: customer.id, token };
}

async function counted(host: LocalHost, request: () => Promise<Response>): Promise<number> {
  const before = host.services.storage.calls.count;
  const response = await request();
  if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
  await response.arrayBuffer();
  return host.services.storage.calls.count - before;
}

export const storageCalls: Benchmark = async () => {
  const env = { ...localEnv(), DATA_DIR: mkdtempSync(path.join(tmpdir(), 'bench-')), STORAGE_NAME_PREFIX: 'bench' };
  const host = await startLocalHost({ env, port: 0, azurite: 'memory', log: () => undefined });
  try {
    await seedDemoCatalog(host.services);
    const small = await customerWith(host, 1);
    const large = await customerWith(host, 50);
    const page = (c: { customerId: string; token: string }) => () =>
      fetch(`${host.url}/api/customers/${c.customerId}/subscriptions`, {
        headers: { authorization: `Bearer ${c.token}` },
      });
    await counted(host, page(small));
    await counted(host, page(large));
    const onePage = await counted(host, page(small));
    const fiftyPage = await counted(host, page(large));

    const services = (await (await page(large)()).json()) as { contracts: { subscriptions: { id: string }[] }[] };
    const id = services.contracts[0]?.subscriptions[0]?.id as string;
    const change = async (quantity: number) => {
      const read = await fetch(`${host.url}/api/customers/${large.customerId}/subscriptions/${id}`, {
        headers: { authorization: `Bearer ${large.token}` },
      });
      const etag = read.headers.get('etag') as string;
      await read.arrayBuffer();
      return counted(host, () =>
        fetch(`${host.url}/api/customers/${large.customerId}/subscriptions/${id}/changes`, {
          method: 'POST',
          headers: { authorization: `Bearer ${large.token}`, 'content-type': 'application/json', 'if-match': etag },
          body: JSON.stringify({ kind: 'quantity', quantity, effective: 'immediately' }),
        }),
      );
    };
    await change(11);
    const up = await change(12);
    const down = await change(11);
    const perChange = Math.max(up, down);
    return [
      {
        name: 'storage-calls/my-services',
        value: fiftyPage,
        unit: 'calls',
        baseline: onePage,
        ratio: fiftyPage / onePage,
        note: `table calls for My Services with 50 subscriptions (baseline: 1 subscription); target 1`,
      },
      {
        name: 'storage-calls/change-quantity',
        value: perChange,
        unit: 'calls',
        baseline: 3,
        ratio: perChange / 3,
        note: `table calls for a quantity change (up ${up}, down ${down}) besides the Microsoft call; baseline = target 3`,
      },
    ];
  } finally {
    await host.close();
  }
};
