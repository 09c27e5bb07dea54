import type { Config } from '../config.ts';
import type { AccessRepository } from './ports/access.repository.port.ts';
import type { AgreementStore } from './ports/agreements.port.ts';
import type { BillingRunStore, BillingStore } from './ports/billing.port.ts';
import type { CatalogAdmin } from './ports/catalog-admin.port.ts';
import type { CatalogPort } from './ports/catalog.port.ts';
import type { ChangeQueue } from './ports/change-queue.port.ts';
import type { Clock } from './ports/clock.port.ts';
import type { IdGenerator } from './ports/ids.port.ts';
import type { CommercePort } from './ports/commerce.port.ts';
import type { ConsentRequestStore } from './ports/consent-request.port.ts';
import type { CsvReader } from './ports/csv-reader.port.ts';
import type { CustomerDataStore } from './ports/customer-data.port.ts';
import type { CustomerTenants } from './ports/customer-tenants.port.ts';
import type { CustomerRepository } from './ports/customer.repository.port.ts';
import type { DirectoryPort } from './ports/directory.port.ts';
import type { DueIndex } from './ports/due-index.port.ts';
import type { Authenticator } from './ports/identity.port.ts';
import type { LicenseCountStore } from './ports/license-counts.port.ts';
import type { LogoStore } from './ports/logo-store.port.ts';
import type { Notifier } from './ports/notifier.port.ts';
import type { PortalUserStore } from './ports/portal-users.port.ts';
import type { ProfileStore } from './ports/profiles.port.ts';
import type { RateLimiter } from './ports/rate-limiter.port.ts';
import type { AssistantDeps } from './assistant/deps.ts';
import type { BillingQueue } from './ports/billing-queue.port.ts';
import type { InvoiceDocuments } from './ports/invoice-document.port.ts';
import type { SeatSnapshotStore } from './ports/seat-snapshot.port.ts';
import type { SimulatorClockControl } from './simulator-clock/deps.ts';
import type { RenewalSimulator } from './ports/renewal-simulator.port.ts';
import type { ReportRenderers } from './ports/report-renderers.port.ts';
import type { ReportStore } from './ports/report-store.port.ts';
import type { ResellerStore } from './ports/reseller.port.ts';
import type { SettingsStore } from './ports/settings.port.ts';
import type { StorageHealth } from './ports/storage-health.port.ts';
import type { UsageSource, UsageStore } from './ports/usage.port.ts';
import type {
  MicrosoftBilledSource,
  ReconciliationReportWriter,
  ReconciliationStore,
} from './ports/reconciliation.port.ts';
import type { AgreementAdditionsApi, PsaStore } from './ports/psa.port.ts';

/**
 * Everything a handler or job may use, built once per process by the composition root (src/main.ts), each field
 * typed by a port. Handlers and jobs pass it to use cases, which declare the narrower set they need in their own
 * folder (e.g. `SubscriptionDeps` in src/app/subscriptions/deps.ts); any `Services` satisfies them.
 */
export interface Services {
  config: Config;
  clock: Clock;
  /** New ids of stored things: random, or a seed's during the demo seed. */
  ids: IdGenerator;
  /**
   * The clock of links Storage checks (SAS start and expiry): real time, also when the app runs on the simulator
   * clock (Storage checks a SAS against its own clock), else the app's clock.
   */
  linkClock: Clock;
  /** Reachability of Table and Blob storage (GET /health). */
  storage: StorageHealth;
  customers: CustomerRepository;
  /** Customer records for hot paths, cached for ROLE_CACHE_SECONDS. */
  customerCache: Pick<CustomerRepository, 'get'>;
  access: AccessRepository;
  catalog: CatalogPort;
  catalogAdmin: CatalogAdmin;
  /** Microsoft's side of subscriptions: the simulator or Partner Center (COMMERCE_MODE). */
  commerce: CommercePort;
  /** The simulator itself when COMMERCE_MODE is `simulator` (its renewals run on a timer). */
  simulator?: RenewalSimulator;
  customerData: CustomerDataStore;
  settings: SettingsStore;
  notifier: Notifier;
  /** Triggers of future changes: Service Bus in Azure, in-process queues locally (QUEUE_MODE). */
  changeQueue: ChangeQueue;
  dueIndex: DueIndex;
  billing: BillingStore;
  billingRuns: BillingRunStore;
  /** Customers' Microsoft 365 directories (users, licenses, consent): the simulator or Microsoft Graph (COMMERCE_MODE). */
  directory: DirectoryPort;
  /** The directory simulator itself when COMMERCE_MODE is `simulator` (demo seeding, tests). */
  directorySimulator?: DirectoryPort;
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
  /** How report files are laid out: spreadsheets, CSV and XML (F-REPORTS). */
  reportRenderers: ReportRenderers;
  /** Resellers (VARs) that own some customers. */
  resellers: ResellerStore;
  /** The partner's manually entered license counts per month. */
  licenseCounts: LicenseCountStore;
  /** The billing run's fan-out (one message per customer cycle): Service Bus in Azure, else a Table Storage work queue. */
  billingQueue: BillingQueue;
  /** Daily purchased and assigned seats per customer, so license reports have history. */
  seatSnapshots: SeatSnapshotStore;
  /** Invoice documents (PDF); the PDF library is loaded on first use. */
  invoiceDocuments: InvoiceDocuments;
  /** Microsoft's billed line items (the commerce simulator's ledger, or Graph's billed reconciliation export). */
  microsoftBilled: MicrosoftBilledSource;
  /** Imported Microsoft lines and the months' reconciliation results (F-RECON). */
  reconciliation: ReconciliationStore;
  reconciliationReport: ReconciliationReportWriter;
  /** The PSA mapping and what was sent there (F-PSA). */
  psa: PsaStore;
  /** ConnectWise Manage's agreement additions API, built on first use (CONNECTWISE_* settings). */
  connectWise: () => Promise<AgreementAdditionsApi>;
  /** Reading uploaded CSV files (price lists, usage, users). */
  csv: CsvReader;
  /** The caller's verified identity and roles (F-AUTH). */
  authenticate: Authenticator;
  /** Per-identity limit on writes (RATE_LIMIT_WRITES_PER_MINUTE). */
  writeLimiter: RateLimiter;
  /** The support assistant (F-ASSIST): knowledge base, retrieval, answers, conversations. */
  assistant: AssistantDeps;
  /** Per-identity limit on assistant questions (ASSISTANT_MESSAGES_PER_MINUTE). */
  assistantLimiter: RateLimiter;
  /** F-CLOCK: the stored, shared simulator clock (COMMERCE_MODE=simulator, unless a test supplies its own clock). */
  simulatorClock?: SimulatorClockControl;
}
