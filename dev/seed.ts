import { createCustomer } from '../src/app/customers.ts';
import type { z } from 'zod';
import { customerFieldsSchema, type Customer } from '../src/domain/customer.ts';
import type { Services } from '../src/main.ts';
import { seedDemoCatalog } from './demo-catalog.ts';
import { seedDemoDirectory } from './demo-directory.ts';
import { buySubscription } from '../src/app/subscriptions/buy.ts';
import { syncSubscriptions } from '../src/app/subscriptions/sync.ts';
import { legacyReasons } from '../src/domain/legacy-subscription.ts';
import type { PurchaseRequest } from '../src/domain/purchase.ts';

/** Demo customers for a first run: three countries, currencies and billing days. */
export const demoCustomers: z.input<typeof customerFieldsSchema>[] = [
  {
    name: 'Contoso Ltd',
    tenantId: '4a1e0d2c-6b3f-4c55-9d0e-000000c0a701',
    billingDay: 1,
    currency: 'USD',
    country: 'US',
    company: {
      phone: '+1 425 555 0100',
      website: 'https://contoso.example',
      email: 'it@contoso.example',
      address: { line1: '1 Microsoft Way', city: 'Redmond', region: 'WA', postalCode: '98052', country: 'US' },
    },
  },
  {
    name: 'Fabrikam GmbH',
    tenantId: '4a1e0d2c-6b3f-4c55-9d0e-000000fab402',
    billingChangeConfirmation: true,
    billingDay: 16,
    currency: 'EUR',
    country: 'DE',
    company: {
      phone: '+49 89 555 0100',
      email: 'it@fabrikam.example',
      address: { line1: 'Walter-Gropius-Straße 5', city: 'München', postalCode: '80807', country: 'DE' },
    },
  },
  {
    name: 'Northwind Traders',
    tenantId: '4a1e0d2c-6b3f-4c55-9d0e-0000000a0703',
    billingDay: 'last',
    currency: 'GBP',
    country: 'GB',
    company: { email: 'ops@northwind.example' },
  },
];

/** Seeds the demo customers when there are none; returns what it created. */
export async function seedDemoData(services: Services): Promise<Customer[]> {
  await seedDemoCatalog(services);
  const existing = await services.customers.list(1);
  if (existing.items.length > 0) return [];
  const created: Customer[] = [];
  for (const fields of demoCustomers)
    created.push((await createCustomer(services, customerFieldsSchema.parse(fields))).value);
  await seedDemoSubscriptions(services, created);
  await seedDemoDirectory(services, created);
  await seedLegacySubscription(services, created);
  for (const customer of created) await syncSubscriptions(services, customer.id);
  return created;
}

/**
 * Contoso still has an Azure (legacy) subscription, as real partners' customers do: My Services shows it read-only
 * with its reason. Its body is Partner Center's documented one (get-a-subscription-by-id, standard subscription).
 */
async function seedLegacySubscription(services: Services, created: Customer[]): Promise<void> {
  const contoso = created.find((c) => c.name === 'Contoso Ltd');
  if (!services.simulator || !contoso?.tenantId) return;
  await services.simulator.addLegacySubscription(contoso.tenantId, {
    id: 'a356ac8c-e310-44f4-bf85-c7f29044af99',
    orderId: 'b23fdedd-d6bd-415a-8b71-3624c81c9644',
    offerId: 'MS-AZR-0145P',
    friendlyName: 'Microsoft Azure (legacy)',
    quantity: 1,
    status: 'active',
    billingType: 'usage',
    creationDate: '2016-05-10T07:30:05.427Z',
    autoRenewEnabled: false,
    reason: legacyReasons.azure,
  });
}

/** What the demo customers already own, bought through the same use case as the portal's Buy button. */
const demoPurchases: Record<string, PurchaseRequest[]> = {
  'Contoso Ltd': [
    { productId: 'CFQ7TTC0LCHC:0002', term: 'P1Y', billingFrequency: 'monthly', quantity: 10 },
    { productId: 'CFQ7TTC0LH18:0001', term: 'P1M', billingFrequency: 'monthly', quantity: 5 },
    { productId: 'DZH318Z0BPS6:0001', term: 'P1M', billingFrequency: 'monthly', quantity: 1 },
  ],
  'Fabrikam GmbH': [
    {
      productId: 'CFQ7TTC0LF8Q:0001',
      term: 'P1Y',
      billingFrequency: 'annual',
      quantity: 25,
      confirmBillingChange: true,
    },
  ],
};

async function seedDemoSubscriptions(services: Services, customers: Customer[]): Promise<void> {
  for (const customer of customers) {
    for (const [index, request] of (demoPurchases[customer.name] ?? []).entries()) {
      await buySubscription(services, {
        customerId: customer.id,
        idempotencyKey: `demo-seed-${index}`,
        request,
        actor: { id: 'seed', label: 'demo seed' },
        acceptLanguage: null,
      });
    }
  }
}
