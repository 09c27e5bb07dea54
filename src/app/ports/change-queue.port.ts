/**
 * F-FUTURE: the trigger that applies a stored change at its time. The Table row is the truth; a message is
 * only a reminder (a lost one is made good by the sweep, a duplicate is harmless).
 */
export interface ChangeMessage {
  changeId: string;
  customerId: string;
  subscriptionId: string;
}

export const CHANGES_QUEUE = 'changes';

export interface ChangeQueue {
  /** Schedules the message for `at` (messageId = change id, for duplicate detection); returns its sequence number. */
  schedule(message: ChangeMessage, at: Date): Promise<string>;
  /** Cancels a scheduled message that has not been delivered; unknown or delivered ones are ignored. */
  cancel(sequenceNumber: string): Promise<void>;
}
