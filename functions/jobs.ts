import { app, type InvocationContext } from '@azure/functions';
import type { JobContext } from '../src/jobs/job.ts';
import { jobs } from '../src/jobs/jobs.ts';
import { getServices } from '../src/main.ts';

async function jobContext(context: InvocationContext): Promise<JobContext> {
  const deliveryCount = Number(context.triggerMetadata?.deliveryCount ?? 1);
  return {
    services: await getServices(),
    invocationId: context.invocationId,
    log: (level, message, data) =>
      context[level](JSON.stringify({ message, invocationId: context.invocationId, ...data })),
    deliveryCount,
  };
}

// Timers and Service Bus consumers of the job table. Queue names come from app settings (`%NAME%`).
for (const job of jobs) {
  if (job.kind === 'timer') {
    app.timer(job.name, {
      schedule: job.schedule,
      handler: async (_timer, context) => job.handler(await jobContext(context)),
    });
  } else {
    app.serviceBusQueue(job.name, {
      connection: 'SERVICEBUS',
      queueName: job.queue,
      handler: async (message, context) => {
        const parsed = job.schema.safeParse(message);
        if (!parsed.success) throw new Error(`Message on ${job.queue} is not valid: ${parsed.error.message}`);
        await job.handler(parsed.data, await jobContext(context));
      },
    });
  }
}
