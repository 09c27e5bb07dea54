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
import type { BillingRunStore, BillingStore } from './app/ports/billing.port.ts';
import type { InProcessQueues } from './adapters/queue/in-process.change-queue.ts';
import type { Storage } from './adapters/storage/storage.ts';
import type { CommerceSimulator } from './adapters/commerce/simulator.commerce.ts';
import type { DirectoryPort } from './app/ports/directory.port.ts';
import type { ConsentRequestStore } from './app/ports/consent-request.port.ts';
import type { DirectorySimulator } from './adapters/directory/simulator.directory.ts';
import type { PortalUserStore } from './app/ports/portal-users.port.ts';
import type { ProfileStore } from './app/ports/profiles.port.ts';
import type { AgreementStore } from './app/ports/agreements.port.ts';
import type { CustomerTenants } from './app/ports/customer-tenants.port.ts';
import type { LogoStore } from './app/ports/logo-store.port.ts';
import type { UsageSource, UsageStore } from './app/ports/usage.port.ts';
import type { ReportStore } from './app/ports/report-store.port.ts';
import type { ResellerStore } from './app/ports/reseller.port.ts';
import type { LicenseCountStore } from './app/ports/license-counts.port.ts';
import type { InvoiceDocuments } from './app/ports/invoice-document.port.ts';
import type { SeatSnapshotStore } from './app/ports/seat-snapshot.port.ts';
import type { Authenticator } from './http/authenticate.ts';
import type { RateLimiter } from './http/rate-limit.ts';

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
  billing: BillingStore;
  billingRuns: BillingRunStore;
  /** Customers' Microsoft 365 directories (users, licenses, consent): the simulator or Microsoft Graph (COMMERCE_MODE). */
  directory: DirectoryPort;
  /** The directory simulator itself when COMMERCE_MODE is `simulator` (demo seeding, tests). */
  directorySimulator?: DirectorySimulator;
  consentRequests: ConsentRequestStore;
  /** Portal users and their invitations (F-USERS). */
  portalUsers: PortalUserStore;
  /** Users' own profiles (F-PROFILE). */
  profiles: ProfileStore;
  agreements: AgreementStore;
  /** Microsoft customer tenants: the simulator or Partner Center (COMMERCE_MODE). */
  tenants: CustomerTenants;
  /** The partner's logo (F-BRAND). */
  logos: LogoStore;
  /** Rated Azure usage (F-USAGE): where it comes from (the simulator or Microsoft Graph's billing export, COMMERCE_MODE). */
  usageSource: UsageSource;
  /** Rated Azure usage as pulled and imported, per customer and month. */
  usageStore: UsageStore;
  /** Report files in the `reports` container (F-REPORTS), with short-lived read-only links. */
  reports: ReportStore;
  /** Resellers (VARs) that own some customers. */
  resellers: ResellerStore;
  /** The partner's manually entered license counts per month. */
  licenseCounts: LicenseCountStore;
  /** Daily purchased and assigned seats per customer, so license reports have history. */
  seatSnapshots: SeatSnapshotStore;
  /** Invoice documents (PDF); the PDF library is loaded on first use. */
  invoiceDocuments: InvoiceDocuments;
  authenticate: Authenticator;
  /** Per-identity limit on writes (RATE_LIMIT_WRITES_PER_MINUTE). */
  writeLimiter: RateLimiter;
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
  const catalog = catalogTables({
    catalog: storage.table('catalog'),
    prices: storage.table('prices'),
    saleProfiles: storage.table('saleprofiles'),
  });
  const clock = overrides.clock ?? systemClock;
  const [{ customerDataTable }, { settingsTable }] = await Promise.all([
    import('./adapters/tables/customer-data.table.ts'),
    import('./adapters/tables/settings.table.ts'),
  ]);
  const { commerce, simulator } = await createCommerce(config, storage, clock, catalog.catalog);
  const { cachedCustomers } = await import('./app/cached-customers.ts');
  const { dueIndexTables } = await import('./adapters/tables/due-index.table.ts');
  const queues = await createChangeQueue(config);
  const { directory, directorySimulator } = await createDirectory(config, storage, clock, commerce, catalog.catalog);
  const { consentRequestTable } = await import('./adapters/tables/consent-request.table.ts');
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
    notifier: await createNotifier(config),
    ...queues,
    dueIndex: dueIndexTables(storage.table('duechanges'), storage.table('outbox')),
    ...(await import('./adapters/tables/billing.table.ts').then(({ billingTables, billingRunTable }) => ({
      billing: billingTables(storage.table('billinglines'), storage.table('invoices'), storage.table('oneoffcharges')),
      billingRuns: billingRunTable(storage.table('billingruns')),
    }))),
    directory,
    ...(directorySimulator ? { directorySimulator } : {}),
    consentRequests: consentRequestTable(storage.table('consentrequests')),
    ...(await createSelfService(config, storage)),
    ...(await createUsage(config, storage, clock, customers)),
    ...(await createReporting(config, storage)),
    authenticate: await createAuthenticator(config, access),
    writeLimiter: (await import('./http/rate-limit.ts')).createRateLimiter(config.RATE_LIMIT_WRITES_PER_MINUTE),
  };
}

async function createChangeQueue(
  config: Config,
): Promise<{ changeQueue: ChangeQueue; inProcessQueues?: InProcessQueues }> {
  if (config.QUEUE_MODE === 'serviceBus') {
    const { serviceBusChangeQueue, serviceBusSender } = await import('./adapters/queue/service-bus.change-queue.ts');
    return { changeQueue: serviceBusChangeQueue(serviceBusSender(config)) };
  }
  const { InProcessQueues, inProcessChangeQueue } = await import('./adapters/queue/in-process.change-queue.ts');
  const inProcessQueues = new InProcessQueues({
    maxDeliveryCount: config.CHANGE_MAX_DELIVERIES,
    redeliveryDelayMs: 2000,
  });
  return { changeQueue: inProcessChangeQueue(inProcessQueues), inProcessQueues };
}

async function createCommerce(
  config: Config,
  storage: Storage,
  clock: Clock,
  catalog: CatalogPort,
): Promise<{ commerce: CommercePort; simulator?: CommerceSimulator }> {
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

/** Graph for real tenants (with Partner Center), else the simulator on the commerce simulator's subscriptions. */
async function createDirectory(
  config: Config,
  storage: Storage,
  clock: Clock,
  commerce: CommercePort,
  catalog: CatalogPort,
): Promise<{ directory: DirectoryPort; directorySimulator?: DirectorySimulator }> {
  if (config.COMMERCE_MODE === 'partnerCenter') {
    const { graphDirectory } = await import('./adapters/directory/graph.directory.ts');
    return { directory: graphDirectory(config) };
  }
  const { DirectorySimulator } = await import('./adapters/directory/simulator.directory.ts');
  const directorySimulator = new DirectorySimulator(storage.table('directorysim', { counted: false }), {
    clock,
    commerce,
    catalog,
  });
  return { directory: directorySimulator, directorySimulator };
}

/** Mail goes out through Microsoft Graph in Azure, into DATA_DIR/mail locally (MAIL_MODE). */
async function createNotifier(config: Config): Promise<Notifier> {
  if (config.MAIL_MODE === 'graph') return (await import('./adapters/notify/graph.notifier.ts')).graphNotifier(config);
  return (await import('./adapters/notify/folder.notifier.ts')).folderNotifier(config.DATA_DIR);
}

/** Portal users, profiles, agreements, customer tenants and branding. */
async function createSelfService(
  config: Config,
  storage: Storage,
): Promise<Pick<Services, 'portalUsers' | 'profiles' | 'agreements' | 'tenants' | 'logos'>> {
  const [{ portalUsersTable }, { profilesTable }, { agreementsTable }, { brandingBlob }] = await Promise.all([
    import('./adapters/tables/portal-users.table.ts'),
    import('./adapters/tables/profiles.table.ts'),
    import('./adapters/tables/agreements.table.ts'),
    import('./adapters/blob/branding.blob.ts'),
  ]);
  const tenants =
    config.COMMERCE_MODE === 'partnerCenter'
      ? (await import('./adapters/tenants/partner-center.tenants.ts')).partnerCenterTenants(config)
      : (await import('./adapters/tenants/simulator.tenants.ts')).simulatorTenants(
          storage.table('tenantsim', { counted: false }),
        );
  return {
    portalUsers: portalUsersTable(storage.table('portalusers')),
    profiles: profilesTable(storage.table('profiles')),
    agreements: agreementsTable(storage.table('agreements')),
    tenants,
    logos: brandingBlob(storage),
  };
}

/** Usage from Microsoft Graph's partner billing export with Partner Center, else simulated for the mirrored Azure plans. */
async function createUsage(
  config: Config,
  storage: Storage,
  clock: Clock,
  customers: CustomerRepository,
): Promise<Pick<Services, 'usageSource' | 'usageStore'>> {
  const { usageTable } = await import('./adapters/tables/usage.table.ts');
  const usageStore = usageTable(storage.table('usage'));
  if (config.COMMERCE_MODE === 'partnerCenter') {
    const [{ graphUsageSource }, { customerIndex }] = await Promise.all([
      import('./adapters/usage/graph.usage.ts'),
      import('./app/usage/customer-index.ts'),
    ]);
    const customersByTenant = async () => (await customerIndex(customers)).byTenant;
    return { usageSource: graphUsageSource(config, { customersByTenant, clock }), usageStore };
  }
  const [{ simulatorUsageSource }, { customerDataTable }] = await Promise.all([
    import('./adapters/usage/simulator.usage.ts'),
    import('./adapters/tables/customer-data.table.ts'),
  ]);
  return {
    usageSource: simulatorUsageSource({
      customers,
      customerData: customerDataTable(storage.table('customerdata')),
      clock,
    }),
    usageStore,
  };
}

/** Report files, resellers and manual license counts (F-REPORTS). */
async function createReporting(
  config: Config,
  storage: Storage,
): Promise<Pick<Services, 'reports' | 'resellers' | 'licenseCounts' | 'invoiceDocuments' | 'seatSnapshots'>> {
  const [{ reportsBlob }, { resellerTable }, { licenseCountsTable }, { seatSnapshotTable }] = await Promise.all([
    import('./adapters/blob/reports.blob.ts'),
    import('./adapters/tables/reseller.table.ts'),
    import('./adapters/tables/license-counts.table.ts'),
    import('./adapters/tables/seat-snapshot.table.ts'),
  ]);
  return {
    reports: reportsBlob(storage, config.STORAGE_BLOB_URL ? { blobServiceUrl: config.STORAGE_BLOB_URL } : {}),
    resellers: resellerTable(storage.table('resellers')),
    licenseCounts: licenseCountsTable(storage.table('licensecounts')),
    seatSnapshots: seatSnapshotTable(storage.table('seatsnapshots')),
    invoiceDocuments: {
      pdf: async (report, options) => (await import('./adapters/reports/invoice.pdf.ts')).invoicePdf(report, options),
    },
  };
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
