import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { odata } from '@azure/data-tables';
import { startLocalHost } from '../dev/host.ts';
import { localEnv } from '../dev/settings.ts';
import { seedDemoCatalog } from '../dev/demo-catalog.ts';
import { createCustomer } from '../src/app/customers.ts';
import { buySubscription } from '../src/app/subscriptions/buy.ts';
import { customerFieldsSchema } from '../src/domain/customer.ts';
import { guidFrom, loadOrCreateLocalKeys, signLocalToken } from '../src/adapters/auth/local-keys.ts';
import { temporaryDir } from './bench.ts';

/**
 * The server side of the load benchmark, in its own process: the local host with the app's routes plus two
 * baselines served by the same host — a minimal v4 handler doing the same single Azurite query as My Services
 * with no auth, validation or mapping, and a trivial v4 handler — and a bare node:http server. Prints one JSON
 * line with the URLs and tokens, then serves until killed.
 */
const env = {
  ...localEnv(),
  DATA_DIR: temporaryDir('bench-load-'),
  STORAGE_NAME_PREFIX: 'load',
  RATE_LIMIT_WRITES_PER_MINUTE: '0',
};
// eslint-disable-next-line prefer-const -- read by a handler of the host, assigned once the host has started
let table: ReturnType<Awaited<ReturnType<typeof startLocalHost>>['services']['storage']['table']> | undefined;
const host = await startLocalHost({
  env,
  port: 0,
  azurite: 'memory',
  log: () => undefined,
  extraHandlers: [
    {
      method: 'GET',
      path: '/bench/minimal/{customerId}',
      handler: async (request) => {
        const rows: unknown[] = [];
        const customerId = request.params.customerId ?? '';
        for await (const entity of (table as NonNullable<typeof table>).listEntities({
          queryOptions: { filter: odata`PartitionKey eq ${customerId} and RowKey ge ${'S:'} and RowKey lt ${'S;'}` },
        }))
          rows.push(entity);
        return { jsonBody: rows };
      },
    },
    { method: 'GET', path: '/bench/hello', handler: async () => ({ jsonBody: { hello: 'world' } }) },
  ],
});
const { services } = host;
table = services.storage.table('customerdata');
await seedDemoCatalog(services);
const tenantId = randomUUID();
const customer = (
  await createCustomer(
    services,
    customerFieldsSchema.parse({ name: 'Load test', billingDay: 1, currency: 'USD', country: 'US', tenantId }),
  )
).value;
for (let i = 0; i < 50; i++) {
  await buySubscription(services, {
    customerId: customer.id,
    idempotencyKey: `load-${i}-${customer.id}`,
    request: { productId: 'CFQ7TTC0LCHC:0002', term: 'P1Y', billingFrequency: 'monthly', quantity: 10 },
    actor: { id: 'bench', label: 'bench' },
    acceptLanguage: null,
  });
}
const keys = await loadOrCreateLocalKeys(services.config.DATA_DIR);
const sign = (claims: Parameters<typeof signLocalToken>[1]) =>
  signLocalToken(keys, claims, { issuer: services.config.AUTH_ISSUER, audience: services.config.AUTH_AUDIENCE });
const objectId = guidFrom(`${tenantId}:viewer@load.example`);
await services.access.grant(tenantId, objectId, {
  customerId: customer.id,
  customerName: customer.name,
  userId: objectId,
  role: 'View',
  enabled: true,
});
const viewer = await sign({ tenantId, objectId, email: 'viewer@load.example' });
const partner = await sign({
  tenantId: services.config.PARTNER_TENANT_ID,
  objectId: randomUUID(),
  roles: [services.config.PARTNER_ADMIN_APP_ROLE],
});

const bare = createServer((_req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ hello: 'world' }));
});
await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
console.log(
  JSON.stringify({
    url: host.url,
    bareUrl: `http://127.0.0.1:${(bare.address() as AddressInfo).port}`,
    customerId: customer.id,
    viewer,
    partner,
  }),
);
process.on('SIGTERM', () => {
  bare.close();
  void host.close().then(() => process.exit(0));
});
