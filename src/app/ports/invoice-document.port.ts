import type { BillingReport } from '../../domain/billing-report.ts';

/** The partner's logo as a document can show it (PNG or JPEG). */
export interface DocumentLogo {
  bytes: Uint8Array;
  extension: 'png' | 'jpeg';
  width: number;
  height: number;
}

/**
 * F-INVOICES: the invoice a partner sends a customer, as a document (PDF): both parties, the lines grouped by
 * subscription, corrections linked to what they correct, the total. The same report always gives the same bytes
 * (it is dated by the invoice), so it is written once like the other report files.
 */
export interface InvoiceDocuments {
  pdf(report: BillingReport, options?: { logo?: DocumentLogo }): Promise<Uint8Array>;
}
