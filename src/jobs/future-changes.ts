import { z } from 'zod';
import { applyDueChange } from '../app/future/apply-due-change.ts';
import { sweepDueChanges } from '../app/future/sweep.ts';
import { CHANGES_QUEUE } from '../app/ports/change-queue.port.ts';
import { defineQueueJob, type TimerJob } from './job.ts';

export const changeMessageSchema = z.strictObject({
  changeId: z.uuid(),
  customerId: z.uuid(),
  subscriptionId: z.string().max(64),
});

/** A change's message arrived: apply it. Throwing (a transient failure) makes the message come back. */
export const applyChange = defineQueueJob({
  kind: 'queue',
  name: 'applyChange',
  queue: CHANGES_QUEUE,
  schema: changeMessageSchema,
  maxAttempts: (services) => services.config.CHANGE_MAX_DELIVERIES,
  async handler(message, { services, deliveryCount, log }) {
    const outcome = await applyDueChange(services, message, { deliveryCount });
    log('info', 'future change', {
      changeId: message.changeId,
      customerId: message.customerId,
      outcome,
      deliveryCount,
    });
  },
});

/** Every 15 minutes: whatever is due and not applied (missed messages, crashed applications, outboxes). */
export const sweepFutureChanges: TimerJob = {
  kind: 'timer',
  name: 'sweepFutureChanges',
  schedule: '0 */15 * * * *',
  whenChangesDue: true,
  async handler({ services, log }) {
    const result = await sweepDueChanges(services);
    log('info', 'future-change sweep', { ...result });
  },
};
