import { randomUUID } from 'node:crypto';
import { retryDelayMs, type BackoffPolicy } from '../../domain/retry.ts';

/**
 * An in-process stand-in for a Service Bus queue, for the local host and tests: scheduled delivery, duplicate
 * detection by message id, redelivery after a failed handler (with the delivery count) after an exponential
 * back-off with jitter or a throttled call's Retry-After (`retryDelayMs`, the rule every queue shares), and dead-lettering with the reason after `maxDeliveryCount` attempts. A message due further
 * ahead than a timer can wait (Node clamps delays above 2^31-1 ms and fires at once) is re-armed in steps, so it is
 * delivered at its time, never before.
 */
/** The longest delay a Node timer keeps (2^31-1 ms, 24.8 days); longer ones fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface QueueMessage {
  messageId: string;
  body: unknown;
  sequenceNumber: number;
  deliveryCount: number;
  enqueuedAt: Date;
}

export type QueueConsumer = (message: QueueMessage) => Promise<void>;

export interface SendOptions {
  messageId?: string;
  scheduledEnqueueTime?: Date;
}

export interface InProcessQueueOptions {
  maxDeliveryCount?: number;
  /** Wait before a failed message is offered again the first time; it doubles with each failure, with jitter. */
  redeliveryDelayMs?: number;
  /** The longest wait between two deliveries of a failed message. */
  maxRedeliveryDelayMs?: number;
  random?: () => number;
  duplicateDetectionWindowMs?: number;
  now?: () => number;
}

export class InProcessQueue {
  readonly deadLetters: (QueueMessage & { reason: string })[] = [];
  private consumer: QueueConsumer | undefined;
  private sequence = 0;
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private readonly seen = new Map<string, number>();
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;
  /** Messages due while nobody consumed the queue. */
  private readonly waiting: QueueMessage[] = [];
  private readonly maxDeliveryCount: number;
  private readonly backoff: BackoffPolicy;
  private readonly random: () => number;
  private readonly duplicateWindowMs: number;
  private readonly now: () => number;

  constructor(
    readonly name: string,
    options: InProcessQueueOptions = {},
  ) {
    this.maxDeliveryCount = options.maxDeliveryCount ?? 10;
    const baseMs = options.redeliveryDelayMs ?? 1000;
    this.backoff = { baseMs, capMs: Math.max(baseMs, options.maxRedeliveryDelayMs ?? 5 * 60_000) };
    this.random = options.random ?? Math.random;
    this.duplicateWindowMs = options.duplicateDetectionWindowMs ?? 10 * 60 * 1000;
    this.now = options.now ?? Date.now;
  }

  /** Starts delivering to `consumer` (one consumer per queue), beginning with what waited for one. */
  subscribe(consumer: QueueConsumer): void {
    this.consumer = consumer;
    for (const message of this.waiting.splice(0)) this.schedule(message, 0);
  }

  /** Sends (or schedules) a message; returns its sequence number, or undefined when dropped as a duplicate. */
  send(body: unknown, options: SendOptions = {}): number | undefined {
    if (this.closed) throw new Error(`Queue ${this.name} is closed`);
    const messageId = options.messageId ?? randomUUID();
    const now = this.now();
    const firstSeen = this.seen.get(messageId);
    if (firstSeen !== undefined && now - firstSeen < this.duplicateWindowMs) return undefined;
    this.seen.set(messageId, now);
    const sequenceNumber = ++this.sequence;
    const message: QueueMessage = { messageId, body, sequenceNumber, deliveryCount: 0, enqueuedAt: new Date(now) };
    this.schedule(message, 0, options.scheduledEnqueueTime?.getTime() ?? now);
    return sequenceNumber;
  }

  /** Cancels a scheduled message that has not been delivered yet. */
  cancelScheduled(sequenceNumber: number): boolean {
    const timer = this.timers.get(sequenceNumber);
    if (!timer) return false;
    clearTimeout(timer);
    this.timers.delete(sequenceNumber);
    return true;
  }

  get pending(): number {
    return this.timers.size + this.inFlight.size + this.waiting.length;
  }

  /** Resolves when no delivery is in flight. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await this.drain();
  }

  /** Arms the delivery for `at` (or after `delayMs`), in steps no longer than a timer can wait. */
  private schedule(message: QueueMessage, delayMs: number, at = this.now() + delayMs): void {
    const wait = Math.max(0, at - this.now());
    if (wait > MAX_TIMER_MS) {
      const step = setTimeout(() => this.schedule(message, 0, at), MAX_TIMER_MS);
      step.unref();
      this.timers.set(message.sequenceNumber, step);
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(message.sequenceNumber);
      const delivery = this.deliver(message);
      this.inFlight.add(delivery);
      void delivery.finally(() => this.inFlight.delete(delivery));
    }, wait);
    timer.unref();
    this.timers.set(message.sequenceNumber, timer);
  }

  private async deliver(message: QueueMessage): Promise<void> {
    if (this.closed) return;
    const attempt = { ...message, deliveryCount: message.deliveryCount + 1 };
    if (!this.consumer) {
      this.waiting.push(message);
      return;
    }
    try {
      await this.consumer(attempt);
    } catch (error) {
      if (attempt.deliveryCount >= this.maxDeliveryCount) {
        this.deadLetters.push({ ...attempt, reason: error instanceof Error ? error.message : String(error) });
      } else if (!this.closed) {
        this.schedule(attempt, retryDelayMs(attempt.deliveryCount, error, this.backoff, this.random()));
      }
    }
  }
}
