import type { Customer } from '../domain/customer.ts';
import type { CustomerRepository, Versioned } from './ports/customer.repository.port.ts';

/**
 * Customer records read on hot paths (a quantity change checks the customer's confirmation switch) come from
 * a short in-process cache: a customer's settings change rarely, and a stale switch for a few seconds is
 * harmless next to a storage call on every change.
 */
export function cachedCustomers(
  repository: Pick<CustomerRepository, 'get'>,
  ttlMs: number,
  now: () => number = Date.now,
): Pick<CustomerRepository, 'get'> {
  const cache = new Map<string, { value: Versioned<Customer> | undefined; until: number }>();
  return {
    async get(customerId) {
      const hit = cache.get(customerId);
      if (hit && hit.until > now()) return hit.value;
      const value = await repository.get(customerId);
      if (cache.size > 5000) cache.clear();
      cache.set(customerId, { value, until: now() + ttlMs });
      return value;
    },
  };
}
