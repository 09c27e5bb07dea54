import type { Config } from './config.ts';
import { loadConfig } from './config.ts';
import type { Clock } from './app/ports/clock.port.ts';
import type { IdGenerator } from './app/ports/ids.port.ts';
import { systemClock } from './app/ports/clock.port.ts';
import type { CustomerRepository } from './app/ports/customer.repository.port.ts';
import type { CatalogPort } from './app/ports/catalog.port.ts';
import type { CommercePort } from './app/ports/commerce.port.ts';
import type { Notifier } from './app/ports/notifier.port.ts';
import type { ChangeQueue } from './app/ports/change-queue.port.ts';
import type { DirectoryPort } from './app/ports/directory.port.ts';
import type { CsvReader } from './app/ports/csv-reader.port.ts';
import type { Services as AppServices } from './app/services.ts';
import type { InProcessQueues } from './adapters/queue/in-process.change-queue.ts';
import type { TableWorkQueue } from './adapters/queue/table-work-queue.ts';
import type { BillingQueue } from './app/ports/billing-queue.port.ts';
import type { Storage } from './adapters/storage/storage.ts';
import type { CommerceSimulator } from './adapters/commerce/simulator.commerce.ts';
import type { DirectorySimulator } from './adapters/directory/simulator.directory.ts';
import type { TokenCredential } from '@azure/identity';
import type { SimulatorClockControl } from './app/simulator-clock/deps.ts';
import type { SeedableIds } from './adapters/ids/seedable-ids.ts';

/**
 * The app's services (src/app/services.ts, each field a port) as the composition root built them: the same
 * fields, with the concrete adapters' types where the entry points (the local host, tests, benchmarks) drive
 * them directly — storage calls counted, the simulators' controls, the in-process queues.
 */
export interface Services extends AppServices {
  storage: Storage;
  /** Random ids, switched to a seed's while the demo seed runs (dev/seed.ts). */
  ids: SeedableIds;
  simulator?: CommerceSimulator;
  directorySimulator?: DirectorySimulator;
  /** The in-process queues when QUEUE_MODE is `inProcess` (the local host delivers them). */
  inProcessQueues?: InProcessQueues;
  /** The Table Storage work queue behind `billingQueue` when QUEUE_MODE is `inProcess` (shared by local processes). */
  workQueue?: TableWorkQueue;
}

export interface ServiceOverrides {
  clock?: Clock;
}

/**
 * The composition root. Adapters and SDKs are imported here on first use (not at module load), so that
 * importing the function app stays cheap and each cold start pays only for what it calls.
 */
export async function createServices(config: Config, overrides: ServiceOverrides = {}): Promise<Services> {
  const [{ createStorage }, { customerTable }, { accessTable }, { createAuthenticator }, { createIdentityVerifier }] =
    await Promise.all([
      import('./adapters/storage/storage.ts'),
      import('./adapters/tables/customer.table.ts'),
      import('./adapters/tables/access.table.ts'),
      import('./app/auth/authenticator.ts'),
      import('./adapters/auth/identity-verifier.ts'),
    ]);
  const storage = await createStorage(config);
  const access = accessTable(storage.table('access'));
  const { catalogTables } = await import('./adapters/tables/catalog.table.ts');
  const catalog = catalogTables({
    catalog: storage.table('catalog'),
    prices: storage.table('prices'),
    saleProfiles: storage.table('saleprofiles'),
  });
  const simulatorClock = overrides.clock ? undefined : await createSimulatorClock(config, storage);
  const clock = overrides.clock ?? simulatorClock?.clock ?? systemClock;
  const ids = new (await import('./adapters/ids/seedable-ids.ts')).SeedableIds();
  const [{ customerDataTable }, { settingsTable }] = await Promise.all([
    import('./adapters/tables/customer-data.table.ts'),
    import('./adapters/tables/settings.table.ts'),
  ]);
  const { commerce, simulator } = await createCommerce(config, storage, clock, ids, catalog.catalog);
  const { cachedCustomers } = await import('./app/cached-customers.ts');
  const { dueIndexTables } = await import('./adapters/tables/due-index.table.ts');
  // Scheduled messages (a change due at a time, a customer billed at its cycle's end) wait for the app's time: in
  // simulator mode the simulator clock's, or one scheduled for a simulated date would arrive at the wall clock's.
  const queueNow = simulatorClock ? () => clock.now().getTime() : undefined;
  const queues = await createChangeQueue(config, queueNow);
  const billingQueues = await createBillingQueue(config, storage, queueNow);
  const { directory, directorySimulator } = await createDirectory(
    config,
    storage,
    clock,
    ids,
    commerce,
    catalog.catalog,
  );
  const { consentRequestTable } = await import('./adapters/tables/consent-request.table.ts');
  const customers = customerTable(storage.table('customers'));
  const services: Services = {
    config,
    clock,
    ids,
    linkClock: simulatorClock ? systemClock : clock,
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
    ...billingQueues,
    dueIndex: dueIndexTables(storage.table('duechanges'), storage.table('outbox')),
    ...(await import('./adapters/tables/billing.table.ts').then(({ billingTables, billingRunTable }) => ({
      billing: billingTables(storage.table('billinglines'), storage.table('invoices'), storage.table('oneoffcharges')),
      billingRuns: billingRunTable(storage.table('billingruns')),
    }))),
    directory,
    ...(directorySimulator ? { directorySimulator } : {}),
    consentRequests: consentRequestTable(storage.table('consentrequests')),
    ...(await createSelfService(config, storage, clock, ids)),
    ...(await createUsage(config, storage, clock, customers)),
    ...(await createReporting(config, storage)),
    ...(await createReconciliation(config, storage, clock, customers, catalog.catalog)),
    psa: (await import('./adapters/tables/psa.table.ts')).psaTable(storage.table('psa')),
    connectWise: async () => (await import('./adapters/psa/connectwise.psa.ts')).connectWiseAdditions(config),
    csv: lazyCsvReader,
    authenticate: createAuthenticator(await createIdentityVerifier(config), access, config),
    writeLimiter: (await import('./http/rate-limit.ts')).createRateLimiter(config.RATE_LIMIT_WRITES_PER_MINUTE),
    ...(await createAssistant(config, storage, clock, ids)),
  };
  if (simulatorClock) {
    services.simulatorClock = {
      ...simulatorClock,
      advance: async (to) =>
        (await import('./jobs/simulator-clock.ts')).advanceSimulatorClock(services, simulatorClock, to),
    };
  }
  return services;
}

/**
 * The support assistant: shipped articles from `knowledge/`, uploads in Blob, MiniSearch (its index in Blob) or
 * Azure AI Search, Azure OpenAI when configured. MiniSearch, unpdf and openai load on first use only.
 */
async function createAssistant(
  config: Config,
  storage: Storage,
  clock: Clock,
  ids: IdGenerator,
): Promise<Pick<Services, 'assistant' | 'assistantLimiter'>> {
  const [
    { knowledgeDocumentsBlob },
    { shippedArticlesFolder },
    { unpdfText },
    { conversationsTable },
    { customerDataTable },
    { billingTables },
    { newFreshness },
    { createRateLimiter },
  ] = await Promise.all([
    import('./adapters/assistant/knowledge-documents.blob.ts'),
    import('./adapters/assistant/shipped-articles.fs.ts'),
    import('./adapters/assistant/unpdf.pdf-text.ts'),
    import('./adapters/tables/conversations.table.ts'),
    import('./adapters/tables/customer-data.table.ts'),
    import('./adapters/tables/billing.table.ts'),
    import('./app/assistant/deps.ts'),
    import('./http/rate-limit.ts'),
  ]);
  // Tokens of the app's managed identity, for Azure AI Search and Azure OpenAI (@azure/identity loads on first use).
  const tokenFor = (scope: string) => {
    let credential: Promise<TokenCredential> | undefined;
    return async () => {
      credential ??= import('@azure/identity').then(
        ({ DefaultAzureCredential }) =>
          new DefaultAzureCredential(config.AZURE_CLIENT_ID ? { managedIdentityClientId: config.AZURE_CLIENT_ID } : {}),
      );
      const token = await (await credential).getToken(scope);
      if (!token) throw new Error(`No token for ${scope}`);
      return token.token;
    };
  };
  const index =
    config.ASSISTANT_SEARCH_MODE === 'azureSearch'
      ? (await import('./adapters/assistant/azure-search.index.ts')).azureSearchIndex({
          endpoint: config.AZURE_SEARCH_ENDPOINT,
          index: config.AZURE_SEARCH_INDEX,
          token: tokenFor('https://search.azure.com/.default'),
        })
      : (await import('./adapters/assistant/minisearch.index.ts')).miniSearchIndex(storage);
  const generator = config.AZURE_OPENAI_DEPLOYMENT
    ? (await import('./adapters/assistant/azure-openai.generator.ts')).azureOpenAiGenerator({
        endpoint: config.AZURE_OPENAI_ENDPOINT,
        deployment: config.AZURE_OPENAI_DEPLOYMENT,
        apiVersion: config.AZURE_OPENAI_API_VERSION,
        token: tokenFor('https://cognitiveservices.azure.com/.default'),
      })
    : undefined;
  return {
    assistant: {
      documents: knowledgeDocumentsBlob(storage),
      articles: shippedArticlesFolder(new URL('../knowledge/', import.meta.url)),
      index,
      pdf: unpdfText,
      ...(generator ? { generator } : {}),
      conversations: conversationsTable(storage.table('conversations')),
      customerData: customerDataTable(storage.table('customerdata')),
      billing: billingTables(storage.table('billinglines'), storage.table('invoices'), storage.table('oneoffcharges')),
      clock,
      ids,
      settings: { conversationHours: config.ASSISTANT_CONVERSATION_HOURS, indexCheckSeconds: 30 },
      freshness: newFreshness(),
    },
    assistantLimiter: createRateLimiter(config.ASSISTANT_MESSAGES_PER_MINUTE),
  };
}

/** The CSV reader, loaded when the first file is read (uploads are rare). */
const lazyCsvReader: CsvReader = {
  table: async (text) => (await import('./adapters/csv/csv-reader.ts')).readCsv(text),
  async *rows(text) {
    yield* (await import('./adapters/csv/csv-reader.ts')).csvRows(text);
  },
};

/** Real time plus the offset stored in Table Storage, shared by every process (F-CLOCK); simulator mode only. */
async function createSimulatorClock(
  config: Config,
  storage: Storage,
): Promise<Pick<SimulatorClockControl, 'clock' | 'clockStore'> | undefined> {
  if (config.COMMERCE_MODE !== 'simulator') return undefined;
  const [{ simulatorClockTable }, { offsetClock }] = await Promise.all([
    import('./adapters/tables/simulator-clock.table.ts'),
    import('./app/simulator-clock/offset-clock.ts'),
  ]);
  // Not counted: the clock is read at start and then in the background, never on a request's path.
  const store = simulatorClockTable(storage.table('settings', { counted: false }));
  return { clockStore: store, clock: await offsetClock(store, { refreshMs: CLOCK_REFRESH_MS }) };
}

/** How stale another process's view of the simulator clock may be. */
const CLOCK_REFRESH_MS = 5000;

async function createChangeQueue(
  config: Config,
  now: (() => number) | undefined,
): Promise<{ changeQueue: ChangeQueue; inProcessQueues?: InProcessQueues }> {
  if (config.QUEUE_MODE === 'serviceBus') {
    const { serviceBusChangeQueue, serviceBusSender } = await import('./adapters/queue/service-bus.change-queue.ts');
    return { changeQueue: serviceBusChangeQueue(serviceBusSender(config)) };
  }
  const { InProcessQueues, inProcessChangeQueue } = await import('./adapters/queue/in-process.change-queue.ts');
  const inProcessQueues = new InProcessQueues({
    maxDeliveryCount: config.CHANGE_MAX_DELIVERIES,
    redeliveryDelayMs: 2000,
    ...(now ? { now } : {}),
  });
  return { changeQueue: inProcessChangeQueue(inProcessQueues), inProcessQueues };
}

async function createBillingQueue(
  config: Config,
  storage: Storage,
  now: (() => number) | undefined,
): Promise<{ billingQueue: BillingQueue; workQueue?: TableWorkQueue }> {
  if (config.QUEUE_MODE === 'serviceBus') {
    const [{ serviceBusBillingQueue }, { serviceBusSender }] = await Promise.all([
      import('./adapters/queue/billing-queue.ts'),
      import('./adapters/queue/service-bus.change-queue.ts'),
    ]);
    return { billingQueue: serviceBusBillingQueue(serviceBusSender(config, 'billing')) };
  }
  const [{ tableBillingQueue }, { TableWorkQueue }] = await Promise.all([
    import('./adapters/queue/billing-queue.ts'),
    import('./adapters/queue/table-work-queue.ts'),
  ]);
  const workQueue = new TableWorkQueue(storage.table('workqueue', { counted: false }), 'billing', {
    // As the Service Bus queue's maxDeliveryCount (infra/modules/servicebus.bicep) and BILLING_DELIVERIES.
    maxDeliveries: 5,
    ...(now ? { now } : {}),
  });
  return { billingQueue: tableBillingQueue(workQueue), workQueue };
}

async function createCommerce(
  config: Config,
  storage: Storage,
  clock: Clock,
  ids: IdGenerator,
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
    ids,
    catalog,
  });
  return { commerce: simulator, simulator };
}

/** Graph for real tenants (with Partner Center), else the simulator on the commerce simulator's subscriptions. */
async function createDirectory(
  config: Config,
  storage: Storage,
  clock: Clock,
  ids: IdGenerator,
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
    ids,
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
  clock: Clock,
  ids: IdGenerator,
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
          { ids, clock },
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

/** Report files and their renderers, resellers and manual license counts (F-REPORTS). */
async function createReporting(
  config: Config,
  storage: Storage,
): Promise<
  Pick<Services, 'reports' | 'reportRenderers' | 'resellers' | 'licenseCounts' | 'invoiceDocuments' | 'seatSnapshots'>
> {
  const [{ reportsBlob }, { reportRenderers }, { resellerTable }, { licenseCountsTable }, { seatSnapshotTable }] =
    await Promise.all([
      import('./adapters/blob/reports.blob.ts'),
      import('./adapters/reports/report-renderers.ts'),
      import('./adapters/tables/reseller.table.ts'),
      import('./adapters/tables/license-counts.table.ts'),
      import('./adapters/tables/seat-snapshot.table.ts'),
    ]);
  return {
    reports: reportsBlob(storage, config.STORAGE_BLOB_URL ? { blobServiceUrl: config.STORAGE_BLOB_URL } : {}),
    reportRenderers,
    resellers: resellerTable(storage.table('resellers')),
    licenseCounts: licenseCountsTable(storage.table('licensecounts')),
    seatSnapshots: seatSnapshotTable(storage.table('seatsnapshots')),
    invoiceDocuments: {
      pdf: async (report, out, options) =>
        (await import('./adapters/reports/invoice.pdf.ts')).writeInvoicePdf(report, out, options),
    },
  };
}

/**
 * F-RECON: Microsoft's side from Graph's billed reconciliation export with Partner Center (its invoice line items as
 * the fallback), else the simulator's ledger.
 */
async function createReconciliation(
  config: Config,
  storage: Storage,
  clock: Clock,
  customers: CustomerRepository,
  catalog: CatalogPort,
): Promise<Pick<Services, 'microsoftBilled' | 'reconciliation' | 'reconciliationReport'>> {
  const [{ reconciliationTables }, { reconciliationXlsx }, { customerIndex }] = await Promise.all([
    import('./adapters/tables/reconciliation.table.ts'),
    import('./adapters/reports/reconciliation.xlsx.ts'),
    import('./app/usage/customer-index.ts'),
  ]);
  const reconciliation = reconciliationTables(storage.table('msbilled'), storage.table('reconciliation'));
  if (config.COMMERCE_MODE === 'partnerCenter') {
    const [
      { graphUsageSource },
      { graphBilledSource },
      { partnerCenterBilledSource, withFallback },
      { partnerCenterHttp },
    ] = await Promise.all([
      import('./adapters/usage/graph.usage.ts'),
      import('./adapters/reconciliation/graph.billed.ts'),
      import('./adapters/reconciliation/partner-center.billed.ts'),
      import('./adapters/partner-center/partner-center-http.ts'),
    ]);
    const customersByTenant = async () => (await customerIndex(customers)).byTenant;
    const graph = graphUsageSource(config, { customersByTenant, clock });
    const microsoftBilled = withFallback(
      graphBilledSource(graph),
      partnerCenterBilledSource(partnerCenterHttp(config)),
    );
    return { microsoftBilled, reconciliation, reconciliationReport: reconciliationXlsx };
  }
  const { simulatorBilledSource } = await import('./adapters/reconciliation/simulator.billed.ts');
  const microsoftBilled = simulatorBilledSource(storage.table('commercesim', { counted: false }), {
    catalog,
    currencies: async () => (await customerIndex(customers)).currencyByTenant,
  });
  return { microsoftBilled, reconciliation, reconciliationReport: reconciliationXlsx };
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
