import type { Customer } from '../src/domain/customer.ts';
import type { Services } from '../src/main.ts';

/** Demo people of each demo tenant (Microsoft's sample names); the first one is the tenant's Global Administrator. */
const people = ['Megan Bowen', 'Adele Vance', 'Alex Wilber', 'Diego Siciliani', 'Lynne Robbins'];

/**
 * A few users and a "Sales" group in each demo customer's simulated Microsoft 365 tenant, so that the license pages
 * have someone to license once seats are bought. Only for the directory simulator: a real tenant is never seeded.
 */
export async function seedDemoDirectory(services: Services, customers: Customer[]): Promise<Map<string, string[]>> {
  const users = new Map<string, string[]>();
  const simulator = services.directorySimulator;
  if (!simulator) return users;
  for (const customer of customers) {
    if (!customer.tenantId) continue;
    const domain = `${customer.name.toLowerCase().replace(/[^a-z0-9]+/g, '')}.onmicrosoft.example`;
    const ids: string[] = [];
    for (const [index, name] of people.entries()) {
      const alias = name.toLowerCase().replace(/[^a-z]+/g, '.');
      const user = await simulator.seedUser(customer.tenantId, {
        displayName: name,
        userPrincipalName: `${alias}@${domain}`,
        globalAdmin: index === 0,
        // One user without a usage location, to show that Microsoft needs one before licensing.
        ...(index === people.length - 1 ? {} : { usageLocation: customer.country }),
      });
      ids.push(user.id);
    }
    await simulator.seedGroup(customer.tenantId, 'Sales', ids.slice(1, 3));
    users.set(customer.id, ids);
  }
  return users;
}
