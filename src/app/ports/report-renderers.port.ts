import type { Writable } from 'node:stream';
import type { BillingReport } from '../../domain/billing-report.ts';
import type { Customer } from '../../domain/customer.ts';
import type { Reseller } from '../../domain/reseller.ts';

/**
 * F-REPORTS: the file formats reports are written in (spreadsheets, CSV and XML for billing systems). The use
 * cases decide what goes in a report and where it is stored; these writers only lay it out.
 */

/** The partner's logo as a spreadsheet shows it (PNG or JPEG). */
export interface SheetLogo {
  bytes: Uint8Array;
  extension: 'png' | 'jpeg';
  width: number;
  height: number;
}

export interface ProductCount {
  productId: string;
  productName: string;
  subscriptions: number;
  allocated: number;
  /** Assigned licenses, where known (the latest month only). */
  used: number | null;
}

export interface CustomerMonth {
  customer: Customer;
  month: string;
  products: ProductCount[];
}

export interface ProductMonth {
  month: string;
  productId: string;
  productName: string;
  customers: number;
  subscriptions: number;
  seatsHeld: number;
  inUse: number | null;
  manualCount: number | null;
  note?: string;
}

export interface ResellerGroup {
  reseller: Reseller | null;
  customers: CustomerMonth[];
}

/** A customer's billing report per cycle (`schemas/billing-report.xsd` for the XML). */
export interface BillingReportRenderers {
  csv(report: BillingReport): Promise<Uint8Array>;
  xml(report: BillingReport): Promise<Uint8Array>;
  /** Streams the spreadsheet into `out` as it is laid out; resolves when it is complete. */
  xlsx(report: BillingReport, out: Writable, options?: { logo?: SheetLogo }): Promise<void>;
}

/** The service provider reports of a month (`schemas/license-report.xsd`, `schemas/allocation-report.xsd`). */
export interface ProviderReportRenderers {
  subscriptionUsageXlsx(
    input: { period: string; partnerName: string; months: string[]; products: ProductMonth[]; logo?: SheetLogo },
    out: Writable,
  ): Promise<void>;
  licenseReportXml(input: { period: string; partnerName: string; products: ProductMonth[] }): Promise<Uint8Array>;
  allocationReportXml(input: { period: string; partnerName: string; groups: ResellerGroup[] }): Promise<Uint8Array>;
}

export interface ReportRenderers {
  billing: BillingReportRenderers;
  provider: ProviderReportRenderers;
}
