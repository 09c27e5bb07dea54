import Long from 'long';
import { expect, it } from 'vitest';
import type { ServiceBusMessage } from '@azure/service-bus';
import { serviceBusBillingQueue, type BillingSender } from '../../src/adapters/queue/billing-queue.ts';
import { billCycleMessageSchema } from '../../src/jobs/billing.ts';

/**
 * The billing queue on Service Bus, checked against the ServiceBusSender interface without a broker: messages go
 * out in batches of at most 100, each with the id of its run and customer (duplicate detection), a JSON body the
 * consumer's schema reads, and scheduled for the cycle's end when not due yet.
 */
class RecordingSender implements BillingSender {
  readonly sent: ServiceBusMessage[][] = [];
  readonly scheduled: { batch: ServiceBusMessage[]; at: Date }[] = [];

  async sendMessages(messages: Parameters<BillingSender['sendMessages']>[0]): Promise<void> {
    this.sent.push(messages as ServiceBusMessage[]);
  }

  async scheduleMessages(messages: Parameters<BillingSender['scheduleMessages']>[0], at: Date): Promise<Long[]> {
    const batch = (Array.isArray(messages) ? messages : [messages]) as ServiceBusMessage[];
    this.scheduled.push({ batch, at });
    return batch.map((_, i) => Long.fromNumber(i + 1));
  }
}

const customerId = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

it('sends one message per customer cycle in batches of 100, with ids for duplicate detection', async () => {
  const sender = new RecordingSender();
  const queue = serviceBusBillingQueue(async () => sender);
  const messages = Array.from({ length: 250 }, (_, i) => ({
    runId: '2026-10',
    period: '2026-10',
    customerId: customerId(i),
  }));
  await queue.enqueue(messages);
  expect(sender.sent.map((b) => b.length)).toEqual([100, 100, 50]);
  const first = sender.sent[0]?.[0];
  expect(first).toMatchObject({
    messageId: `2026-10|${customerId(0)}`,
    contentType: 'application/json',
    subject: 'bill-customer-cycle',
    applicationProperties: { runId: '2026-10', customerId: customerId(0) },
  });
  expect(billCycleMessageSchema.parse(first?.body)).toEqual(messages[0]);
  expect(new Set(sender.sent.flat().map((m) => m.messageId)).size).toBe(250);
});

it('schedules not-yet-due customers for their time, as messages of their own', async () => {
  const sender = new RecordingSender();
  const queue = serviceBusBillingQueue(async () => sender);
  const at = new Date('2026-10-16T01:00:00.000Z');
  await queue.enqueue(
    [{ runId: '2026-10', period: '2026-10', customerId: customerId(1), notBefore: '2026-10-16' }],
    at,
  );
  expect(sender.sent).toEqual([]);
  expect(sender.scheduled).toHaveLength(1);
  expect(sender.scheduled[0]?.at).toEqual(at);
  expect(sender.scheduled[0]?.batch[0]?.messageId).toBe(`2026-10|${customerId(1)}|2026-10-16`);
});
