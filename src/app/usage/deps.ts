import type { Clock } from '../ports/clock.port.ts';
import type { CustomerRepository } from '../ports/customer.repository.port.ts';
import type { SettingsStore } from '../ports/settings.port.ts';
import type { UsageSource, UsageStore } from '../ports/usage.port.ts';

/** What the usage use cases need (a subset of Services). */
export interface UsageDeps {
  clock: Clock;
  customers: Pick<CustomerRepository, 'list'>;
  customerCache: Pick<CustomerRepository, 'get'>;
  settings: Pick<SettingsStore, 'usage'>;
  usageSource: UsageSource;
  usageStore: UsageStore;
}
