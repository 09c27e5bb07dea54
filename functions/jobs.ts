import { app, type InvocationContext } from '@azure/functions';
import type { ServiceBusSender } from '@azure/service-bus';
import {
  consumeServiceBusMessage,
  PoisonMessageError,
  type ServiceBusDelivery,
} from '../src/adapters/queue/service-bus.consumer.ts';
import type { JobContext } from '../src/jobs/job.ts';
import { jobs } from '../src/jobs/jobs.ts';
import { getServices, type Services } from '../src/main.ts';

async function jobContext(context: InvocationContext, deliveryCount: number): Promise<JobContext> {
  return {
    services: await getServices(),
    invocationId: context.invocationId,
    log: (level, message, data) =>
      context[level](JSON.stringify({ message, invocationId: context.invocationId, ...data })),
    deliveryCount,
  };
}

/** The message as the trigger's metadata describes it (camel-cased Service Bus message properties). */
function deliveryOf(message: unknown, context: InvocationContext): ServiceBusDelivery {
  const metadata = (context.triggerMetadata ?? {}) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined);
  const properties = metadata.applicationProperties ?? metadata.userProperties;
  return {
    body: message,
    messageId: text(metadata.messageId),
    contentType: text(metadata.contentType),
    subject: text(metadata.subject) ?? text(metadata.label),
    applicationProperties:
      properties && typeof properties === 'object' ? (properties as Record<string, unknown>) : undefined,
    deliveryCount: Number(metadata.deliveryCount ?? 1),
  };
}

/** One sender per queue, for the rescheduled copies of failed messages. */
const senders = new Map<string, () => Promise<ServiceBusSender>>();
async function senderFor(services: Services, queue: string): Promise<ServiceBusSender> {
  let sender = senders.get(queue);
  if (!sender) {
    const { serviceBusSender } = await import('../src/adapters/queue/service-bus.change-queue.ts');
    sender = serviceBusSender(services.config, queue);
    senders.set(queue, sender);
  }
  return sender();
}

// Timers and Service Bus consumers of the job table. Queue names come from app settings (`%NAME%`).
for (const job of jobs) {
  if (job.kind === 'timer') {
    app.timer(job.name, {
      schedule: job.schedule,
      handler: async (_timer, context) => job.handler(await jobContext(context, 1)),
    });
  } else {
    app.serviceBusQueue(job.name, {
      connection: 'SERVICEBUS',
      queueName: job.queue,
      // A failed message is not abandoned (redelivered at once): a copy is scheduled after a back-off and this one
      // completes; after the job's attempts it is dead-lettered with the reason (service-bus.consumer.ts).
      handler: async (message, context) => {
        const services = await getServices();
        const delivery = deliveryOf(message, context);
        const result = await consumeServiceBusMessage(
          delivery,
          async (body, deliveryCount) => {
            const parsed = job.schema.safeParse(body);
            if (!parsed.success)
              throw new PoisonMessageError(`Message on ${job.queue} is not valid: ${parsed.error.message}`);
            await job.handler(parsed.data, await jobContext(context, deliveryCount));
          },
          {
            sender: () => senderFor(services, job.queue),
            maxAttempts: job.maxAttempts?.(services) ?? 10,
            async deadLetter(dead, reason, attempt) {
              const { TableWorkQueue } = await import('../src/adapters/queue/table-work-queue.ts');
              await new TableWorkQueue(services.storage.table('workqueue'), job.queue).deadLetter(
                { messageId: dead.messageId ?? context.invocationId, body: dead.body, deliveryCount: attempt },
                reason,
              );
            },
          },
        );
        if (result.outcome !== 'completed')
          context.warn(JSON.stringify({ message: `queue message ${result.outcome}`, queue: job.queue, ...result }));
      },
    });
  }
}
