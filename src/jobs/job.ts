import type { z } from 'zod';
import type { Services } from '../app/services.ts';
import type { Logger } from '../app/ports/logger.port.ts';

export interface JobContext {
  services: Services;
  invocationId: string;
  log: Logger;
  /** How many times this message has been delivered, 1 on the first delivery (queue jobs). */
  deliveryCount: number;
}

/** A timer: `schedule` is NCRONTAB with seconds (`{second} {minute} {hour} {day} {month} {day-of-week}`), UTC. */
export interface TimerJob {
  kind: 'timer';
  name: string;
  schedule: string;
  /** The simulator clock runs this timer only at firings where a future change fell due (the sweep). */
  whenChangesDue?: boolean;
  handler: (ctx: JobContext) => Promise<void>;
}

/**
 * A queue consumer. `queue` names the queue; the message body is parsed with `schema` before the handler runs.
 * Throwing makes the message come back (up to the queue's delivery limit, then dead-lettered).
 */
export interface QueueJob<S extends z.ZodType = z.ZodType> {
  kind: 'queue';
  name: string;
  queue: string;
  schema: S;
  /**
   * Attempts before a message that keeps failing is dead-lettered (the Service Bus consumer reschedules each failed
   * one with back-off until then); default 10.
   */
  maxAttempts?: (services: Services) => number;
  handler: (message: z.output<S>, ctx: JobContext) => Promise<void>;
}

export type Job = TimerJob | QueueJob;

export function defineQueueJob<S extends z.ZodType>(job: QueueJob<S>): QueueJob {
  return job as unknown as QueueJob;
}
