import Long from 'long';
import { describe, expect, it } from 'vitest';
import type { ServiceBusMessage } from '@azure/service-bus';
import {
  consumeServiceBusMessage,
  PoisonMessageError,
  type RescheduleSender,
  type ServiceBusDelivery,
} from '../../src/adapters/queue/service-bus.consumer.ts';
import { commerceThrottled } from '../../src/app/commerce-errors.ts';
import { billCycleServiceBusMessage } from '../../src/adapters/queue/billing-queue.ts';
import { changeMessage } from '../../src/adapters/queue/service-bus.change-queue.ts';
import { defaultBackoff } from '../../src/domain/retry.ts';

/**
 * The Service Bus consumer's settlement contract, checked against the ServiceBusSender interface without a broker
 * (there is no emulator here): a failed message is not abandoned (redelivered at once) but copied and scheduled at
 * now + back-off, honouring Microsoft's Retry-After when longer, the attempt number in its application properties;
 * after the last attempt it is dead-lettered with the reason. The "broker" below delivers each scheduled copy at its
 * time, as Service Bus would, so the spacing of the scheduled enqueue times is what the queue really does.
 */
class RecordingSender implements RescheduleSender {
  readonly scheduled: { message: ServiceBusMessage; at: Date }[] = [];
  fail = false;

  async scheduleMessages(messages: Parameters<RescheduleSender['scheduleMessages']>[0], at: Date): Promise<Long[]> {
    if (this.fail) throw new Error('Service Bus unreachable');
    const list = (Array.isArray(messages) ? messages : [messages]) as ServiceBusMessage[];
    for (const message of list) this.scheduled.push({ message, at });
    return list.map((_, i) => Long.fromNumber(this.scheduled.length + i));
  }
}

const asDelivery = (message: ServiceBusMessage): ServiceBusDelivery => ({
  body: message.body,
  messageId: String(message.messageId),
  contentType: message.contentType,
  subject: message.subject,
  applicationProperties: message.applicationProperties as Record<string, unknown>,
  deliveryCount: 1,
});

/** Delivers the message, then each scheduled copy at its time, until one is not rescheduled. */
async function drive(
  first: ServiceBusMessage,
  handler: (body: unknown, deliveryCount: number) => Promise<void>,
  options: { maxAttempts: number; start: number },
) {
  const sender = new RecordingSender();
  const dead: { reason: string; attempt: number; messageId?: string }[] = [];
  let now = options.start;
  let delivery = asDelivery(first);
  const outcomes = [];
  for (;;) {
    const result = await consumeServiceBusMessage(delivery, handler, {
      sender: async () => sender,
      maxAttempts: options.maxAttempts,
      now: () => now,
      deadLetter: async (d, reason, attempt) => {
        dead.push({ reason, attempt, messageId: d.messageId });
      },
    });
    outcomes.push(result);
    if (result.outcome !== 'rescheduled') break;
    const next = sender.scheduled.at(-1);
    if (!next) throw new Error('nothing scheduled');
    expect(next.at.getTime()).toBe(result.at.getTime());
    now = next.at.getTime(); // the broker makes the copy visible at its scheduled time
    delivery = asDelivery(next.message);
  }
  return { sender, dead, outcomes };
}

const START = Date.parse('2026-10-01T01:00:00.000Z');

describe('Service Bus consumer: throttled and failed messages', () => {
  it('reschedules a throttled change with exponential back-off and jitter, never before Retry-After, then dead-letters it', async () => {
    const message = changeMessage({
      changeId: '6f1c1f2e-8a53-4c1e-9d7e-3a1f0e0c0001',
      customerId: '6f1c1f2e-8a53-4c1e-9d7e-3a1f0e0c0002',
      subscriptionId: 'sub-1',
    });
    const seen: number[] = [];
    // Microsoft answers 429 with Retry-After: 57 every time (the adapter's typed error).
    const { sender, dead, outcomes } = await drive(
      message,
      async (_body, deliveryCount) => {
        seen.push(deliveryCount);
        throw commerceThrottled(57);
      },
      { maxAttempts: 8, start: START },
    );

    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(outcomes.map((o) => o.outcome)).toEqual([...Array(7).fill('rescheduled'), 'deadLettered']);
    expect(sender.scheduled).toHaveLength(7);

    // The spacing: attempt n waits max(Retry-After, back-off(n)), back-off(n) in [b·2^(n-1)/2, b·2^(n-1)].
    const times = [START, ...sender.scheduled.map((s) => s.at.getTime())];
    const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
    gaps.forEach((gap, i) => {
      const exponential = Math.min(defaultBackoff.capMs, defaultBackoff.baseMs * 2 ** i);
      expect(gap).toBeGreaterThanOrEqual(Math.max(57_000, exponential / 2));
      expect(gap).toBeLessThanOrEqual(Math.max(57_000, exponential));
    });
    // Retry-After dominates the early attempts; the back-off overtakes it later (attempt 7: 64-128 s).
    expect(gaps.slice(0, 5)).toEqual(Array(5).fill(57_000));
    expect(gaps[6]).toBeGreaterThanOrEqual(64_000);
    // Never all at once: the times strictly increase.
    expect([...times].sort((a, b) => a - b)).toEqual(times);

    // Each copy: its own id (duplicate detection), the same body and routing, the attempt number it is.
    sender.scheduled.forEach(({ message: copy }, i) => {
      expect(copy.messageId).toBe(`${message.messageId}|attempt-${i + 2}`);
      expect(copy.body).toEqual(message.body);
      expect(copy.subject).toBe('apply-change');
      expect(copy.contentType).toBe('application/json');
      expect(copy.applicationProperties).toMatchObject({
        customerId: message.body.customerId,
        subscriptionId: 'sub-1',
        attempt: i + 2,
        lastError: expect.stringContaining('COMMERCE.THROTTLED'),
      });
    });
    expect(dead).toEqual([
      {
        attempt: 8,
        messageId: `${message.messageId}|attempt-8`,
        reason: expect.stringMatching(/^Gave up after 8 attempt\(s\): COMMERCE\.THROTTLED: Microsoft is throttling/),
      },
    ]);
  });

  it('completes a billing message that succeeds on its third attempt; the handler sees the attempt count', async () => {
    const message = billCycleServiceBusMessage({ runId: '2026-10', period: '2026-10', customerId: 'c-1' });
    const seen: number[] = [];
    const { sender, dead, outcomes } = await drive(
      message,
      async (_body, deliveryCount) => {
        seen.push(deliveryCount);
        if (deliveryCount < 3) throw new Error('storage answered 503');
      },
      { maxAttempts: 5, start: START },
    );
    expect(seen).toEqual([1, 2, 3]);
    expect(outcomes.map((o) => o.outcome)).toEqual(['rescheduled', 'rescheduled', 'completed']);
    expect(dead).toEqual([]);
    const gaps = sender.scheduled.map(
      (s, i) => s.at.getTime() - (i ? (sender.scheduled[i - 1]?.at.getTime() ?? 0) : START),
    );
    expect(gaps[0]).toBeGreaterThanOrEqual(1000);
    expect(gaps[0]).toBeLessThanOrEqual(2000);
    expect(gaps[1]).toBeGreaterThanOrEqual(2000);
    expect(gaps[1]).toBeLessThanOrEqual(4000);
    expect(sender.scheduled[1]?.message.applicationProperties).toMatchObject({
      runId: '2026-10',
      customerId: 'c-1',
      attempt: 3,
    });
  });

  it('counts broker redeliveries of a copy too (a lost lock, a crash): the handler sees attempt + redeliveries', async () => {
    let seen = 0;
    const sender = new RecordingSender();
    await consumeServiceBusMessage(
      { body: {}, messageId: 'm', applicationProperties: { attempt: 3 }, deliveryCount: 2 },
      async (_body, deliveryCount) => {
        seen = deliveryCount;
      },
      { sender: async () => sender, deadLetter: async () => undefined },
    );
    expect(seen).toBe(4);
  });

  it('rethrows when the copy cannot be scheduled, so that the trigger abandons the message and it comes back', async () => {
    const sender = new RecordingSender();
    sender.fail = true;
    const failure = commerceThrottled(5);
    await expect(
      consumeServiceBusMessage(
        { body: {}, messageId: 'm', deliveryCount: 1 },
        async () => {
          throw failure;
        },
        { sender: async () => sender, deadLetter: async () => undefined },
      ),
    ).rejects.toBe(failure);
  });

  it('dead-letters a message that does not parse at once, with the reason', async () => {
    const sender = new RecordingSender();
    const dead: string[] = [];
    const result = await consumeServiceBusMessage(
      { body: { nonsense: true }, messageId: 'm', deliveryCount: 1 },
      async () => {
        throw new PoisonMessageError('Message on billing is not valid: runId required');
      },
      { sender: async () => sender, deadLetter: async (_d, reason) => void dead.push(reason) },
    );
    expect(result).toMatchObject({ outcome: 'deadLettered', attempt: 1 });
    expect(dead).toEqual(['Message on billing is not valid: runId required']);
    expect(sender.scheduled).toEqual([]);
  });
});
