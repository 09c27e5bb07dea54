import type { Config } from '../../config.ts';
import type { BillingStore } from '../ports/billing.port.ts';
import type { Clock } from '../ports/clock.port.ts';
import type { CustomerDataStore } from '../ports/customer-data.port.ts';
import type { CustomerRepository } from '../ports/customer.repository.port.ts';
import type { Notifier } from '../ports/notifier.port.ts';
import type {
  MicrosoftBilledSource,
  ReconciliationReportWriter,
  ReconciliationStore,
} from '../ports/reconciliation.port.ts';
import type { ReportStore } from '../ports/report-store.port.ts';
import type { SettingsStore } from '../ports/settings.port.ts';

/** What the reconciliation (F-RECON) needs. */
export interface ReconciliationDeps {
  config: Pick<Config, 'PARTNER_NAME' | 'PARTNER_NOTIFY_EMAIL' | 'REPORT_SAS_MINUTES'>;
  clock: Clock;
  /**
   * The clock of links Storage checks (SAS start and expiry): real time, also when the app runs on the simulator
   * clock (Storage checks a SAS against its own clock), else the app's clock.
   */
  linkClock: Clock;
  customers: Pick<CustomerRepository, 'list' | 'get'>;
  customerData: Pick<CustomerDataStore, 'services'>;
  billing: Pick<BillingStore, 'lines' | 'invoices'>;
  reconciliation: ReconciliationStore;
  /** Microsoft's billed line items: the commerce simulator's ledger, or Graph's billed reconciliation export. */
  microsoftBilled: MicrosoftBilledSource;
  reconciliationReport: ReconciliationReportWriter;
  reports: Pick<ReportStore, 'replace' | 'readLink'>;
  notifier: Notifier;
  /** The partner profile: the workbook and the leakage mail are in the partner's name. */
  settings: Pick<SettingsStore, 'partnerProfile'>;
}
