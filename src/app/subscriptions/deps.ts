import type { Config } from '../../config.ts';
import type { CatalogPort } from '../ports/catalog.port.ts';
import type { ChangeQueue } from '../ports/change-queue.port.ts';
import type { Clock } from '../ports/clock.port.ts';
import type { IdGenerator } from '../ports/ids.port.ts';
import type { CommercePort } from '../ports/commerce.port.ts';
import type { CustomerDataStore } from '../ports/customer-data.port.ts';
import type { CustomerRepository } from '../ports/customer.repository.port.ts';
import type { DirectoryPort } from '../ports/directory.port.ts';
import type { DueIndex } from '../ports/due-index.port.ts';
import type { Notifier } from '../ports/notifier.port.ts';
import type { SettingsStore } from '../ports/settings.port.ts';

/** The ports the subscription use cases (F-BUY, F-SERVICES, F-CHANGE, F-FUTURE) use. */
export interface SubscriptionDeps {
  config: Config;
  clock: Clock;
  ids: IdGenerator;
  customers: CustomerRepository;
  /** Customer records for hot paths, cached briefly. */
  customerCache: Pick<CustomerRepository, 'get'>;
  customerData: CustomerDataStore;
  /** Microsoft's side of subscriptions. */
  commerce: CommercePort;
  catalog: CatalogPort;
  settings: SettingsStore;
  dueIndex: DueIndex;
  /** Triggers of future changes. */
  changeQueue: ChangeQueue;
  notifier: Notifier;
  directory: DirectoryPort;
}

/** Who did it, as written to the change log. */
export interface Actor {
  id: string;
  label: string;
}
