import type { Writable } from 'node:stream';
import type { MicrosoftBilledLine, CustomerReconciliation } from '../../domain/reconciliation.ts';

/**
 * F-RECON: where Microsoft's billed reconciliation line items come from (the commerce simulator's ledger locally;
 * Microsoft Graph's billed reconciliation export in Azure), and where they and the month's results are kept.
 */
export type SourceLine = Omit<MicrosoftBilledLine, 'month'>;

export interface MicrosoftBilledSource {
  /**
   * Microsoft's license-based charges whose charge start date is in the calendar month `YYYY-MM`, for every
   * customer tenant. `invoiceId` names Microsoft's invoice where the source needs it (Graph's billed export).
   */
  pull(month: string, options?: { invoiceId?: string }): AsyncIterable<SourceLine>;
}

export interface ReconciliationStore {
  /** Upserts Microsoft's lines of one customer tenant and month (the same line id replaces itself). */
  saveMicrosoftLines(month: string, customerTenantId: string, lines: MicrosoftBilledLine[]): Promise<void>;
  /** Microsoft's lines of one customer tenant for a month (one partition query). */
  microsoftLines(month: string, customerTenantId: string): Promise<MicrosoftBilledLine[]>;
  /** Records the month's import: when, by whom, how many lines. */
  recordImport(
    month: string,
    entry: { importedAt: string; importedBy: string; lines: number; source: string },
  ): Promise<void>;
  importOf(
    month: string,
  ): Promise<{ importedAt: string; importedBy: string; lines: number; source: string } | undefined>;
  /** Stores (replaces) one customer's result for the month. */
  saveResult(result: CustomerReconciliation): Promise<void>;
  /** Every customer's result for a month, in customer-name order as stored. */
  results(month: string): AsyncIterable<CustomerReconciliation>;
  result(month: string, customerId: string): Promise<CustomerReconciliation | undefined>;
}

/** The month's reconciliation workbook: a summary per customer and every mismatch, streamed. */
export interface ReconciliationReportWriter {
  write(
    input: { month: string; partnerName: string; customers: AsyncIterable<CustomerReconciliation> },
    out: Writable,
  ): Promise<void>;
}
