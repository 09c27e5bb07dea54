import type { BillingLine, BillingRun, Invoice } from '../../domain/billing.ts';
import type { Versioned } from './customer.repository.port.ts';

/** A charge the partner adds by hand (F-BILLING one-off charges). */
export interface OneOffCharge {
  id: string;
  customerId: string;
  date: string;
  description: string;
  quantity: string;
  unitPrice: string;
  currency: string;
  createdBy: string;
  createdAt: string;
}

/** Lines, invoices and one-off charges, per customer. A cycle is closed once its invoice exists. */
export interface BillingStore {
  /** Lines of the named cycles (one range query). */
  lines(customerId: string, fromCycle: string, toCycle: string): Promise<BillingLine[]>;
  /** Appends lines; a line whose id is stored already is left as it is (re-runs add nothing). */
  addLines(customerId: string, lines: BillingLine[]): Promise<void>;
  invoice(customerId: string, cycle: string): Promise<Versioned<Invoice> | undefined>;
  invoices(customerId: string): Promise<Versioned<Invoice>[]>;
  /** Creates (no etag; 409 when it exists) or replaces (etag) an invoice. */
  saveInvoice(invoice: Invoice, etag?: string): Promise<Versioned<Invoice>>;
  oneOffCharges(customerId: string, from: string, to: string): Promise<OneOffCharge[]>;
  addOneOffCharge(charge: OneOffCharge): Promise<void>;
}

export type { BillingRun };

export interface CustomerRunResult {
  customerId: string;
  /** `queued`: recorded at the start, not billed yet. */
  status: 'queued' | 'done' | 'failed' | 'notDue';
  cycle?: string;
  lines?: number;
  total?: string;
  currency?: string;
  reason?: string;
  at: string;
}

/** A run's counts, kept beside its results so that a result and its count change in one transaction. */
export interface RunProgress {
  total: number;
  done: number;
  failed: number;
  notDue: number;
}

export const runFinished = (p: RunProgress) => p.done + p.failed >= p.total;

export interface BillingRunStore {
  get(runId: string): Promise<Versioned<BillingRun> | undefined>;
  /** Creates the run, or returns the existing one (a run per period). */
  createOrGet(run: BillingRun): Promise<{ run: Versioned<BillingRun>; created: boolean }>;
  save(run: BillingRun, etag: string): Promise<Versioned<BillingRun>>;
  results(runId: string): Promise<CustomerRunResult[]>;
  saveResult(runId: string, result: CustomerRunResult): Promise<void>;
  /**
   * Records the run's customers at the start (each `queued` or `notDue`) and their counts, in transactions of 100;
   * a second call leaves what the first recorded.
   */
  initProgress(runId: string, results: CustomerRunResult[]): Promise<void>;
  progress(runId: string): Promise<RunProgress | undefined>;
  /**
   * Records one customer's result and moves the counts in one transaction: a customer is counted once (a `done`
   * result stays), a failed one billed later moves from failed to done. Returns the counts after it, whether this
   * call changed them, and the result that stands.
   */
  recordResult(
    runId: string,
    result: CustomerRunResult,
  ): Promise<{ progress: RunProgress; changed: boolean; standing: CustomerRunResult }>;
}
