import { CHANGES_QUEUE, type ChangeQueue } from '../../app/ports/change-queue.port.ts';
import { InProcessQueue, type InProcessQueueOptions } from './in-process-queue.ts';

/** The process's in-memory queues by name (the local host subscribes the job table's consumers to them). */
export class InProcessQueues {
  private readonly queues = new Map<string, InProcessQueue>();

  constructor(private readonly options: InProcessQueueOptions = {}) {}

  get(name: string): InProcessQueue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new InProcessQueue(name, this.options);
      this.queues.set(name, queue);
    }
    return queue;
  }

  all(): InProcessQueue[] {
    return [...this.queues.values()];
  }
}

/** ChangeQueue on the in-process queue: scheduled delivery, duplicate detection by change id, cancellation. */
export function inProcessChangeQueue(queues: InProcessQueues): ChangeQueue {
  const queue = () => queues.get(CHANGES_QUEUE);
  return {
    async schedule(message, at) {
      const sequence = queue().send(message, { messageId: message.changeId, scheduledEnqueueTime: at });
      return String(sequence ?? 0);
    },
    async cancel(sequenceNumber) {
      queue().cancelScheduled(Number(sequenceNumber));
    },
  };
}
