import { z } from 'zod';

/**
 * Messages that a state change causes, written in the same transaction as the change and sent afterwards
 * (so that a crash in between loses nothing): scheduling or cancelling a change's trigger, and mail.
 */
export const outboxMessageSchema = z.discriminatedUnion('type', [
  z.object({
    id: z.string(),
    type: z.literal('scheduleChange'),
    changeId: z.string(),
    subscriptionId: z.string(),
    at: z.iso.datetime(),
  }),
  z.object({ id: z.string(), type: z.literal('cancelMessage'), sequenceNumber: z.string() }),
  z.object({
    id: z.string(),
    type: z.literal('mail'),
    mail: z.object({
      id: z.string(),
      to: z.string(),
      subject: z.string(),
      text: z.string(),
      html: z.string().optional(),
      kind: z.string(),
    }),
  }),
]);
export type OutboxMessage = z.infer<typeof outboxMessageSchema>;
