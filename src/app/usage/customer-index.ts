import type { CustomerRepository } from '../ports/customer.repository.port.ts';

/** The portal's customers by their own id and by their Microsoft tenant id (both lower case). */
export interface CustomerIndex {
  /** Our customer id for either id, if there is such a customer. */
  resolve(id: string): string | undefined;
  byTenant: ReadonlyMap<string, string>;
  /** The billing currency of each customer tenant. */
  currencyByTenant: ReadonlyMap<string, string>;
}

export async function customerIndex(customers: Pick<CustomerRepository, 'list'>): Promise<CustomerIndex> {
  const ids = new Set<string>();
  const byTenant = new Map<string, string>();
  const currencyByTenant = new Map<string, string>();
  let token: string | undefined;
  do {
    const page = await customers.list(200, token);
    for (const customer of page.items) {
      ids.add(customer.id.toLowerCase());
      if (customer.tenantId) {
        byTenant.set(customer.tenantId.toLowerCase(), customer.id);
        currencyByTenant.set(customer.tenantId.toLowerCase(), customer.currency);
      }
    }
    token = page.continuationToken;
  } while (token);
  return {
    byTenant,
    currencyByTenant,
    resolve(id) {
      const key = id.toLowerCase();
      return ids.has(key) ? key : byTenant.get(key);
    },
  };
}
