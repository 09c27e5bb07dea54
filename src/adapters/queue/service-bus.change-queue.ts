import type { ServiceBusMessage, ServiceBusSender } from '@azure/service-bus';
import Long from 'long';
import type { Config } from '../../config.ts';
import { CHANGES_QUEUE, type ChangeMessage, type ChangeQueue } from '../../app/ports/change-queue.port.ts';

export type ChangeSender = Pick<ServiceBusSender, 'scheduleMessages' | 'cancelScheduledMessages'>;

/** The Service Bus message of a change: id = change id (duplicate detection), JSON body, routing properties. */
export function changeMessage(message: ChangeMessage): ServiceBusMessage {
  return {
    messageId: message.changeId,
    body: message,
    contentType: 'application/json',
    subject: 'apply-change',
    applicationProperties: { customerId: message.customerId, subscriptionId: message.subscriptionId },
  };
}

/** ChangeQueue on Azure Service Bus: scheduled messages, cancelled by sequence number. */
export function serviceBusChangeQueue(sender: () => Promise<ChangeSender>): ChangeQueue {
  return {
    async schedule(message, at) {
      const [sequence] = await (await sender()).scheduleMessages(changeMessage(message), at);
      if (!sequence) throw new Error('Service Bus returned no sequence number');
      return sequence.toString();
    },
    async cancel(sequenceNumber) {
      await (await sender()).cancelScheduledMessages(Long.fromString(sequenceNumber));
    },
  };
}

/** The production sender: identity-based, on SERVICEBUS_NAMESPACE, created on first use. */
export function serviceBusSender(
  config: Pick<Config, 'SERVICEBUS_NAMESPACE' | 'AZURE_CLIENT_ID'>,
  queueName: string = CHANGES_QUEUE,
): () => Promise<ServiceBusSender> {
  let created: Promise<ServiceBusSender> | undefined;
  return () =>
    (created ??= (async () => {
      const [{ ServiceBusClient }, { DefaultAzureCredential }] = await Promise.all([
        import('@azure/service-bus'),
        import('@azure/identity'),
      ]);
      const credential = new DefaultAzureCredential(
        config.AZURE_CLIENT_ID ? { managedIdentityClientId: config.AZURE_CLIENT_ID } : {},
      );
      return new ServiceBusClient(config.SERVICEBUS_NAMESPACE, credential).createSender(queueName);
    })());
}
