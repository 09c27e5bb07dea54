import type { Config } from '../../config.ts';
import type { BillingRunStore, BillingStore } from '../ports/billing.port.ts';
import type { Clock } from '../ports/clock.port.ts';
import type { CustomerDataStore } from '../ports/customer-data.port.ts';
import type { CustomerRepository } from '../ports/customer.repository.port.ts';
import type { LicenseCountStore } from '../ports/license-counts.port.ts';
import type { LogoStore } from '../ports/logo-store.port.ts';
import type { ReportRenderers } from '../ports/report-renderers.port.ts';
import type { ReportStore } from '../ports/report-store.port.ts';
import type { ResellerStore } from '../ports/reseller.port.ts';
import type { SettingsStore } from '../ports/settings.port.ts';
import type { SeatSnapshotStore } from '../ports/seat-snapshot.port.ts';
import type { InvoiceDocuments } from '../ports/invoice-document.port.ts';

/** The ports the report use cases (F-REPORTS) use; each use case picks what it needs. */
export interface ReportsDeps {
  config: Config;
  clock: Clock;
  /**
   * The clock of links Storage checks (SAS start and expiry): real time, also when the app runs on the simulator
   * clock (Storage checks a SAS against its own clock), else the app's clock.
   */
  linkClock: Clock;
  customers: CustomerRepository;
  customerData: CustomerDataStore;
  billing: BillingStore;
  billingRuns: BillingRunStore;
  /** Where report files are stored, with short-lived links. */
  reports: ReportStore;
  /** How report files are laid out (xlsx, csv, xml). */
  reportRenderers: ReportRenderers;
  logos: LogoStore;
  resellers: ResellerStore;
  licenseCounts: LicenseCountStore;
  settings: SettingsStore;
  /** Daily purchased and assigned seats per customer, so license reports have history. */
  seatSnapshots: SeatSnapshotStore;
  /** Invoice documents (PDF). */
  invoiceDocuments: InvoiceDocuments;
}
