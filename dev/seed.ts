import { createCustomer } from '../src/app/customers.ts';
import type { Customer, CustomerFields } from '../src/domain/customer.ts';
import type { Services } from '../src/main.ts';

/** Demo customers for a first run: three countries, currencies and billing days. */
export const demoCustomers: CustomerFields[] = [
  {
    name: 'Contoso Ltd',
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
    billingDay: 16,
    currency: 'EUR',
    country: 'DE',
    company: {
      phone: '+49 89 555 0100',
      email: 'it@fabrikam.example',
      address: { line1: 'Walter-Gropius-Straße 5', city: 'München', postalCode: '80807', country: 'DE' },
    },
  },
  { name: 'Northwind Traders', billingDay: 'last', currency: 'GBP', country: 'GB', company: { email: 'ops@northwind.example' } },
];

/** Seeds the demo customers when there are none; returns what it created. */
export async function seedDemoData(services: Services): Promise<Customer[]> {
  const existing = await services.customers.list(1);
  if (existing.items.length > 0) return [];
  const created: Customer[] = [];
  for (const fields of demoCustomers) created.push((await createCustomer(services, fields)).value);
  return created;
}
