import type { Customer } from '../../domain/customer.ts';

/**
 * The billing run's fan-out: one message per customer cycle of a run. Service Bus in Azure; locally a queue kept
 * in Table Storage, so that several processes can share one run. Messages are reminders: the run's result rows
 * are the truth, and a duplicate or lost message is harmless (a consumer bills idempotently; the timer
 * re-enqueues customers that have no result).
 */
export interface BillCycleMessage {
  runId: string;
  period: string;
  customerId: string;
  /**
   * The customer as the run found it at its start (what billing needs comes with the message: no read per
   * customer); absent, the consumer reads it.
   */
  customer?: Customer;
  /** Set on a message scheduled for later (the cycle's end, or a retry time): it is a message of its own. */
  notBefore?: string;
}

export const BILLING_QUEUE = 'billing';

/** The message id of a customer's message in a run (duplicate detection). */
export const billCycleMessageId = (m: BillCycleMessage) =>
  `${m.runId}|${m.customerId}${m.notBefore ? `|${m.notBefore}` : ''}`;

export interface BillingQueue {
  /** Sends the messages in batches; with `at`, scheduled for that time. */
  enqueue(messages: readonly BillCycleMessage[], at?: Date): Promise<void>;
}
