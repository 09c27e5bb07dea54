import type { ServiceBusMessage, ServiceBusSender } from '@azure/service-bus';
import {
  BILLING_QUEUE,
  billCycleMessageId,
  type BillCycleMessage,
  type BillingQueue,
} from '../../app/ports/billing-queue.port.ts';
import type { TableWorkQueue } from './table-work-queue.ts';

const BATCH = 100;

/** BillingQueue on the Table Storage work queue (local mode: the host, the CLI and worker processes share it). */
export function tableBillingQueue(queue: TableWorkQueue): BillingQueue {
  return {
    enqueue: (messages, at) =>
      queue.send(
        messages.map((m) => ({ messageId: billCycleMessageId(m), body: m })),
        at,
      ),
  };
}

export type BillingSender = Pick<ServiceBusSender, 'sendMessages' | 'scheduleMessages'>;

/** The Service Bus message of one customer cycle: id for duplicate detection, JSON body, routing properties. */
export function billCycleServiceBusMessage(message: BillCycleMessage): ServiceBusMessage {
  return {
    messageId: billCycleMessageId(message),
    body: message,
    contentType: 'application/json',
    subject: 'bill-customer-cycle',
    applicationProperties: { runId: message.runId, customerId: message.customerId },
  };
}

/** BillingQueue on Azure Service Bus (queue `billing`): sent in batches of 100, scheduled when `at` is given. */
export function serviceBusBillingQueue(sender: () => Promise<BillingSender>): BillingQueue {
  return {
    async enqueue(messages, at) {
      const client = await sender();
      for (let i = 0; i < messages.length; i += BATCH) {
        const batch = messages.slice(i, i + BATCH).map(billCycleServiceBusMessage);
        if (at) await client.scheduleMessages(batch, at);
        else await client.sendMessages(batch);
      }
    },
  };
}

export { BILLING_QUEUE };
