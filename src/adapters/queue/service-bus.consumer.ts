import type { ServiceBusMessage, ServiceBusSender } from '@azure/service-bus';
import { AppError } from '../../app/errors.ts';
import { defaultBackoff, retryDelayMs, type BackoffPolicy } from '../../domain/retry.ts';

/**
 * How a Service Bus consumer (a Functions trigger) settles a message whose handler failed, without the broker's
 * immediate redelivery: a copy of the message is scheduled at now + back-off (exponential with jitter, or
 * a throttled call's Retry-After when that is longer: `retryDelayMs`, the rule every queue shares) carrying its attempt number in the application property `attempt`,
 * and the original is completed (the trigger returns normally). After `maxAttempts` the message is dead-lettered
 * with the reason (`deadLetter`; the Functions trigger cannot settle to the broker's dead-letter queue itself, so
 * the entry point records it) and completed. If the copy cannot be scheduled the error is rethrown: the trigger
 * abandons the message and Service Bus delivers it again (its own delivery count bounds that).
 *
 * The handler sees `deliveryCount` = the attempt number plus the broker's redeliveries of this copy, so that use
 * cases that give up by delivery count (a customer's billing failure, a future change marked failed) still do.
 */
export const ATTEMPT_PROPERTY = 'attempt';

export interface ServiceBusDelivery {
  body: unknown;
  messageId?: string;
  contentType?: string;
  subject?: string;
  applicationProperties?: Record<string, unknown>;
  /** The broker's delivery count of this message (1 on its first delivery). */
  deliveryCount: number;
}

export type RescheduleSender = Pick<ServiceBusSender, 'scheduleMessages'>;

export interface ServiceBusConsumerOptions {
  sender: () => Promise<RescheduleSender>;
  /** Attempts (the first delivery and its rescheduled copies) before the message is dead-lettered. */
  maxAttempts?: number;
  backoff?: BackoffPolicy;
  random?: () => number;
  now?: () => number;
  deadLetter: (delivery: ServiceBusDelivery, reason: string, attempt: number) => Promise<void>;
}

export type ConsumeOutcome =
  | { outcome: 'completed'; attempt: number }
  | { outcome: 'rescheduled'; attempt: number; at: Date; reason: string }
  | { outcome: 'deadLettered'; attempt: number; reason: string };

/** A message that can never be handled (it does not parse): dead-lettered at once, not retried. */
export class PoisonMessageError extends Error {}

const attemptOf = (delivery: ServiceBusDelivery) => {
  const value = Number(delivery.applicationProperties?.[ATTEMPT_PROPERTY] ?? 1);
  return Number.isInteger(value) && value >= 1 ? value : 1;
};

const reasonOf = (error: unknown) =>
  (error instanceof AppError
    ? `${error.code}: ${error.message}`
    : error instanceof Error
      ? error.message
      : String(error)
  ).slice(0, 1000);

export async function consumeServiceBusMessage(
  delivery: ServiceBusDelivery,
  handler: (body: unknown, deliveryCount: number) => Promise<void>,
  options: ServiceBusConsumerOptions,
): Promise<ConsumeOutcome> {
  const attempt = attemptOf(delivery);
  const maxAttempts = options.maxAttempts ?? 10;
  try {
    await handler(delivery.body, attempt + Math.max(0, delivery.deliveryCount - 1));
    return { outcome: 'completed', attempt };
  } catch (error) {
    const reason = reasonOf(error);
    if (error instanceof PoisonMessageError || attempt >= maxAttempts) {
      const why = error instanceof PoisonMessageError ? reason : `Gave up after ${attempt} attempt(s): ${reason}`;
      await options.deadLetter(delivery, why, attempt);
      return { outcome: 'deadLettered', attempt, reason: why };
    }
    const delay = retryDelayMs(attempt, error, options.backoff ?? defaultBackoff, (options.random ?? Math.random)());
    const at = new Date((options.now ?? Date.now)() + delay);
    const copy: ServiceBusMessage = {
      body: delivery.body,
      // A copy of its own: duplicate detection would drop a second message with the original's id.
      ...(delivery.messageId
        ? { messageId: `${delivery.messageId.replace(/\|attempt-\d+$/, '')}|attempt-${attempt + 1}` }
        : {}),
      ...(delivery.contentType ? { contentType: delivery.contentType } : {}),
      ...(delivery.subject ? { subject: delivery.subject } : {}),
      applicationProperties: {
        ...scalarProperties(delivery.applicationProperties),
        [ATTEMPT_PROPERTY]: attempt + 1,
        lastError: reason.slice(0, 200),
      },
    };
    try {
      await (await options.sender()).scheduleMessages(copy, at);
    } catch {
      throw error; // not rescheduled: the trigger abandons it and the broker delivers it again
    }
    return { outcome: 'rescheduled', attempt, at, reason };
  }
}

/** Application properties that Service Bus carries (numbers, strings, booleans, dates). */
function scalarProperties(properties: Record<string, unknown> = {}): Record<string, string | number | boolean | Date> {
  const out: Record<string, string | number | boolean | Date> = {};
  for (const [key, value] of Object.entries(properties))
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value instanceof Date)
      out[key] = value;
  return out;
}
