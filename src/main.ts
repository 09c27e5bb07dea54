import type { Config } from './config.ts';
import { loadConfig } from './config.ts';
import type { Clock } from './app/ports/clock.port.ts';
import { systemClock } from './app/ports/clock.port.ts';
import type { CustomerRepository } from './app/ports/customer.repository.port.ts';
import type { AccessRepository } from './app/ports/access.repository.port.ts';
import type { CatalogPort } from './app/ports/catalog.port.ts';
import type { CatalogAdmin } from './app/ports/catalog-admin.port.ts';
import type { CommercePort } from './app/ports/commerce.port.ts';
import type { CustomerDataStore } from './app/ports/customer-data.port.ts';
import type { SettingsStore } from './app/ports/settings.port.ts';
import type { Notifier } from './app/ports/notifier.port.ts';
import type { ChangeQueue } from './app/ports/change-queue.port.ts';
import type { DueIndex } from './app/ports/due-index.port.ts';
import type { InProcessQueues } from './adapters/queue/in-process.change-queue.ts';
import type { Storage } from './adapters/storage/storage.ts';
import type { CommerceSimulator } from './adapters/commerce/simulator.commerce.ts';
import type { Authenticator } from './http/authenticate.ts';

/** Everything a handler or job may use, built once per process. */
export interface Services {
  config: Config;
  clock: Clock;
  storage: Storage;
  customers: CustomerRepository;
  /** Customer records for hot paths, cached for ROLE_CACHE_SECONDS. */
  customerCache: Pick<CustomerRepository, 'get'>;
  access: AccessRepository;
  catalog: CatalogPort;
  catalogAdmin: CatalogAdmin;
  /** Microsoft's side of subscriptions: the simulator or Partner Center (COMMERCE_MODE). */
  commerce: CommercePort;
  /** The simulator itself when COMMERCE_MODE is `simulator` (its renewals run on a timer). */
  simulator?: CommerceSimulator;
  customerData: CustomerDataStore;
  settings: SettingsStore;
  notifier: Notifier;
  /** Triggers of future changes: Service Bus in Azure, in-process queues locally (QUEUE_MODE). */
  changeQueue: ChangeQueue;
  /** The in-process queues when QUEUE_MODE is `inProcess` (the local host delivers them). */
  inProcessQueues?: InProcessQueues;
  dueIndex: DueIndex;
  authenticate: Authenticator;
}

export interface ServiceOverrides {
  clock?: Clock;
}

/**
 * The composition root. Adapters and SDKs are imported here on first use (not at module load), so that
 * importing the function app stays cheap and each cold start pays only for what it calls.
 */
export async function createServices(config: Config, overrides: ServiceOverrides = {}): Promise<Services> {
  const [{ createStorage }, { customerTable }, { accessTable }, { createAuthenticator }] = await Promise.all([
    import('./adapters/storage/storage.ts'),
    import('./adapters/tables/customer.table.ts'),
    import('./adapters/tables/access.table.ts'),
    import('./http/authenticate.ts'),
  ]);
  const storage = await createStorage(config);
  const access = accessTable(storage.table('access'));
  const { catalogTables } = await import('./adapters/tables/catalog.table.ts');
  const catalog = catalogTables({ catalog: storage.table('catalog'), prices: storage.table('prices'), saleProfiles: storage.table('saleprofiles') });
  const clock = overrides.clock ?? systemClock;
  const [{ customerDataTable }, { settingsTable }] = await Promise.all([
    import('./adapters/tables/customer-data.table.ts'),
    import('./adapters/tables/settings.table.ts'),
  ]);
  const { commerce, simulator } = await createCommerce(config, storage, clock, catalog.catalog);
  const { cachedCustomers } = await import('./app/cached-customers.ts');
  const { dueIndexTables } = await import('./adapters/tables/due-index.table.ts');
  const queues = await createChangeQueue(config);
  const customers = customerTable(storage.table('customers'));
  return {
    config,
    clock,
    storage,
    customers,
    customerCache: cachedCustomers(customers, config.ROLE_CACHE_SECONDS * 1000),
    access,
    catalog: catalog.catalog,
    catalogAdmin: catalog.admin,
    commerce,
    ...(simulator ? { simulator } : {}),
    customerData: customerDataTable(storage.table('customerdata')),
    settings: settingsTable(storage.table('settings')),
    notifier: (await import('./adapters/notify/folder.notifier.ts')).folderNotifier(config.DATA_DIR),
    ...queues,
    dueIndex: dueIndexTables(storage.table('duechanges'), storage.table('outbox')),
    authenticate: await createAuthenticator(config, access),
  };
}

async function createChangeQueue(config: Config): Promise<{ changeQueue: ChangeQueue; inProcessQueues?: InProcessQueues }> {
  if (config.QUEUE_MODE === 'serviceBus') {
    const { serviceBusChangeQueue, serviceBusSender } = await import('./adapters/queue/service-bus.change-queue.ts');
    return { changeQueue: serviceBusChangeQueue(serviceBusSender(config)) };
  }
  const { InProcessQueues, inProcessChangeQueue } = await import('./adapters/queue/in-process.change-queue.ts');
  const inProcessQueues = new InProcessQueues({ maxDeliveryCount: config.CHANGE_MAX_DELIVERIES, redeliveryDelayMs: 2000 });
  return { changeQueue: inProcessChangeQueue(inProcessQueues), inProcessQueues };
}

async function createCommerce(config: Config, storage: Storage, clock: Clock, catalog: CatalogPort): Promise<{ commerce: CommercePort; simulator?: CommerceSimulator }> {
  if (config.COMMERCE_MODE === 'partnerCenter') {
    const { partnerCenterCommerce } = await import('./adapters/commerce/partner-center.commerce.ts');
    return { commerce: partnerCenterCommerce(config) };
  }
  const { CommerceSimulator } = await import('./adapters/commerce/simulator.commerce.ts');
  const simulator = new CommerceSimulator(storage.table('commercesim', { counted: false }), {
    windowHours: config.NCE_WINDOW_HOURS,
    throttlePercent: config.SIMULATOR_THROTTLE_PERCENT,
    clock,
    catalog,
  });
  return { commerce: simulator, simulator };
}

let services: Promise<Services> | undefined;

/** The process-wide services, from the environment, built on first call. */
export function getServices(): Promise<Services> {
  services ??= Promise.resolve()
    .then(async () => {
      const config = loadConfig();
      const { startTelemetry } = await import('./telemetry.ts');
      await startTelemetry(config.APPLICATIONINSIGHTS_CONNECTION_STRING);
      return createServices(config);
    })
    .catch((error: unknown) => {
      services = undefined;
      throw error;
    });
  return services;
}
