import Long from 'long';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ServiceBusMessage } from '@azure/service-bus';
import {
  changeMessage,
  serviceBusChangeQueue,
  type ChangeSender,
} from '../../src/adapters/queue/service-bus.change-queue.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { bought, changeOf, setupCustomer, type CustomerSetup } from '../support/subscription-builders.ts';

/**
 * The Service Bus adapter's contract, checked against the ServiceBusSender interface without a broker: what
 * it schedules (id, time, body, properties) and how it cancels (by sequence number).
 */
class RecordingSender implements ChangeSender {
  readonly scheduled: { message: ServiceBusMessage; at: Date; sequenceNumber: Long }[] = [];
  readonly cancelled: string[] = [];
  private next = 41;

  async scheduleMessages(messages: Parameters<ChangeSender['scheduleMessages']>[0], at: Date): Promise<Long[]> {
    const list = (Array.isArray(messages) ? messages : [messages]) as ServiceBusMessage[];
    return list.map((message) => {
      const sequenceNumber = Long.fromNumber(++this.next).add(Long.fromString('9007199254741000'));
      this.scheduled.push({ message, at, sequenceNumber });
      return sequenceNumber;
    });
  }

  async cancelScheduledMessages(sequenceNumbers: Long | Long[]): Promise<void> {
    for (const n of Array.isArray(sequenceNumbers) ? sequenceNumbers : [sequenceNumbers])
      this.cancelled.push(n.toString());
  }
}

let app: TestApp;
let setup: CustomerSetup;
let sender: RecordingSender;

beforeAll(async () => {
  app = await createTestApp();
  setup = await setupCustomer(app);
  sender = new RecordingSender();
  app.services.changeQueue = serviceBusChangeQueue(async () => sender);
});

describe('Service Bus change queue', () => {
  it('builds the message: id = change id, JSON body, routing properties', () => {
    expect(changeMessage({ changeId: 'c-1', customerId: 'k-1', subscriptionId: 's-1' })).toEqual({
      messageId: 'c-1',
      body: { changeId: 'c-1', customerId: 'k-1', subscriptionId: 's-1' },
      contentType: 'application/json',
      subject: 'apply-change',
      applicationProperties: { customerId: 'k-1', subscriptionId: 's-1' },
    });
  });

  it('schedules a stored change at its due time and keeps the 64-bit sequence number on it', async () => {
    const { id } = await bought(app, setup);
    const date = new Date(Date.now() + 4 * 86_400_000).toISOString().slice(0, 10);
    const response = await changeOf(app, setup, id, {
      kind: 'quantity',
      quantity: 12,
      effective: 'custom',
      effectiveDate: date,
    });
    const changeId = response.body.futureChange.id;
    const entry = sender.scheduled.find((s) => s.message.messageId === changeId);
    expect(entry?.at.toISOString()).toBe(`${date}T00:00:00.000Z`);
    expect(entry?.message.body).toEqual({ changeId, customerId: setup.customerId, subscriptionId: id });
    const stored = await app.services.customerData.futureChange(setup.customerId, changeId);
    expect(stored?.value.messageSequenceNumber).toBe(entry?.sequenceNumber.toString());
    expect(BigInt(stored?.value.messageSequenceNumber ?? '0') > 2n ** 53n).toBe(true);
  });

  it('schedules a renewal change at 00:30 UTC on the renewal date', async () => {
    const { id } = await bought(app, setup);
    const response = await changeOf(app, setup, id, { kind: 'quantity', quantity: 5, effective: 'onRenewal' });
    const entry = sender.scheduled.find((s) => s.message.messageId === response.body.futureChange.id);
    expect(entry?.at.toISOString()).toBe(`${response.body.futureChange.effectiveDate}T00:30:00.000Z`);
  });

  it('cancels the scheduled message with the change', async () => {
    const { id } = await bought(app, setup);
    const date = new Date(Date.now() + 6 * 86_400_000).toISOString().slice(0, 10);
    const response = await changeOf(app, setup, id, {
      kind: 'quantity',
      quantity: 14,
      effective: 'custom',
      effectiveDate: date,
    });
    const changeId = response.body.futureChange.id;
    const sequence = sender.scheduled.find((s) => s.message.messageId === changeId)?.sequenceNumber.toString();
    expect(
      (
        await app.call('DELETE', `/api/customers/${setup.customerId}/future-changes/${changeId}`, {
          token: setup.modifier,
        })
      ).status,
    ).toBe(204);
    expect(sender.cancelled).toContain(sequence);
  });

  it('leaves the trigger in the outbox when Service Bus is down, and the sweep sends it later', async () => {
    const { id } = await bought(app, setup);
    let down = true;
    app.services.changeQueue = serviceBusChangeQueue(async () => {
      if (down) throw new Error('Service Bus unreachable');
      return sender;
    });
    const date = new Date(Date.now() + 8 * 86_400_000).toISOString().slice(0, 10);
    const response = await changeOf(app, setup, id, {
      kind: 'quantity',
      quantity: 11,
      effective: 'custom',
      effectiveDate: date,
    });
    expect(response.status).toBe(202);
    const changeId = response.body.futureChange.id;
    expect(sender.scheduled.some((s) => s.message.messageId === changeId)).toBe(false);
    down = false;
    const { sweepDueChanges } = await import('../../src/app/future/sweep.ts');
    expect((await sweepDueChanges(app.services)).outboxSent).toBeGreaterThanOrEqual(1);
    expect(sender.scheduled.some((s) => s.message.messageId === changeId)).toBe(true);
    expect(
      (await app.services.customerData.futureChange(setup.customerId, changeId))?.value.messageSequenceNumber,
    ).toBeDefined();
    app.services.changeQueue = serviceBusChangeQueue(async () => sender);
  });
});
