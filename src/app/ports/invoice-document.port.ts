import type { Writable } from 'node:stream';
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
  /** Streams the PDF into `out` as it is laid out (never held whole); resolves when `out` has it all. */
  pdf(report: BillingReport, out: Writable, options?: { logo?: DocumentLogo }): Promise<void>;
}
