import { randomUUID } from 'node:crypto';
import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { z } from 'zod';
import { defaultBackoff, retryDelayMs, type BackoffPolicy } from '../../domain/retry.ts';
import { storageStatus } from '../tables/table-errors.ts';

/**
 * A work queue kept in Table Storage, shared by every process on the same storage account: the local host, the
 * billing CLI and the benchmark's worker processes (Service Bus is its counterpart in Azure). Partition = queue
 * name, row = message id (a second send of a waiting id is dropped). A consumer leases a message by moving its
 * `visibleAt` forward with an ETag-guarded update, so two consumers never hold the same message; a consumer that
 * dies loses its lease when `visibleAt` passes and the message is delivered again, with its delivery count. A
 * failed delivery is made visible again after an exponential back-off with jitter; after `maxDeliveries` it is
 * moved to the partition `{queue}|dead` with the reason.
 */
export interface WorkMessage {
  messageId: string;
  body: unknown;
  deliveryCount: number;
  etag: string;
}

export interface WorkQueueOptions {
  leaseMs?: number;
  maxDeliveries?: number;
  backoff?: BackoffPolicy;
  random?: () => number;
  now?: () => number;
}

const rowSchema = z.object({
  rowKey: z.string(),
  body: z.string(),
  visibleAt: z.string(),
  deliveryCount: z.number().int(),
  etag: z.string(),
});

const BATCH = 100;

export class TableWorkQueue {
  readonly leaseMs: number;
  readonly maxDeliveries: number;
  private readonly backoff: BackoffPolicy;
  private readonly random: () => number;
  private readonly now: () => number;

  constructor(
    private readonly client: TableClient,
    readonly name: string,
    options: WorkQueueOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? 5 * 60_000;
    this.maxDeliveries = options.maxDeliveries ?? 10;
    this.backoff = options.backoff ?? defaultBackoff;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
  }

  /** Sends messages (in transactions of 100); an id already waiting is left as it is. */
  async send(messages: readonly { messageId?: string; body: unknown }[], at?: Date): Promise<void> {
    const visibleAt = new Date(at?.getTime() ?? this.now()).toISOString();
    for (let i = 0; i < messages.length; i += BATCH) {
      const entities = messages.slice(i, i + BATCH).map((m) => ({
        partitionKey: this.name,
        rowKey: m.messageId ?? randomUUID(),
        body: JSON.stringify(m.body),
        visibleAt,
        deliveryCount: 0,
      }));
      try {
        await this.client.submitTransaction(entities.map((e): TransactionAction => ['create', e]));
      } catch (error) {
        if (storageStatus(error) !== 409) throw error;
        for (const entity of entities)
          await this.client.createEntity(entity).catch((e: unknown) => {
            if (storageStatus(e) !== 409) throw e;
          });
      }
    }
  }

  /** Leases up to `max` visible messages (each one's delivery count goes up by one). */
  async receive(max: number): Promise<WorkMessage[]> {
    const now = new Date(this.now()).toISOString();
    const pages = this.client
      .listEntities<Record<string, unknown>>({
        queryOptions: { filter: odata`PartitionKey eq ${this.name} and visibleAt le ${now}` },
      })
      .byPage({ maxPageSize: max * 4 });
    const { value } = await pages.next();
    const candidates = ((value ?? []) as unknown[]).map((e) => rowSchema.parse(e));
    // Competing consumers read the same head of the queue: each tries a random part of it.
    for (let i = candidates.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      [candidates[i], candidates[j]] = [
        candidates[j] as (typeof candidates)[number],
        candidates[i] as (typeof candidates)[number],
      ];
    }
    const leased: WorkMessage[] = [];
    for (const row of candidates) {
      if (leased.length >= max) break;
      const deliveryCount = row.deliveryCount + 1;
      try {
        const result = await this.client.updateEntity(
          {
            partitionKey: this.name,
            rowKey: row.rowKey,
            visibleAt: new Date(this.now() + this.leaseMs).toISOString(),
            deliveryCount,
          },
          'Merge',
          { etag: row.etag },
        );
        leased.push({ messageId: row.rowKey, body: JSON.parse(row.body), deliveryCount, etag: result.etag ?? '' });
      } catch (error) {
        if (storageStatus(error) !== 412 && storageStatus(error) !== 404) throw error;
      }
    }
    return leased;
  }

  /**
   * Extends a held message's lease by another `leaseMs` (ETag-guarded; the message's etag follows), like a Service Bus
   * lock renewal, so that a message whose handling outlasts one lease (a slow customer, a loaded machine) is not
   * delivered to a second consumer while its holder is alive. False when the lease was already lost.
   */
  async renew(message: WorkMessage): Promise<boolean> {
    try {
      const result = await this.client.updateEntity(
        {
          partitionKey: this.name,
          rowKey: message.messageId,
          visibleAt: new Date(this.now() + this.leaseMs).toISOString(),
        },
        'Merge',
        { etag: message.etag },
      );
      message.etag = result.etag ?? message.etag;
      return true;
    } catch (error) {
      if (storageStatus(error) === 412 || storageStatus(error) === 404) return false;
      throw error;
    }
  }

  /** Removes a handled message; a message whose lease was lost meanwhile is left to its new holder. */
  async complete(message: WorkMessage): Promise<void> {
    await this.client.deleteEntity(this.name, message.messageId, { etag: message.etag }).catch((error: unknown) => {
      if (storageStatus(error) !== 412 && storageStatus(error) !== 404) throw error;
    });
  }

  /**
   * A failed delivery: visible again after the back-off (or a throttled `error`'s Retry-After: `retryDelayMs`), or
   * dead-lettered with the reason after the last one.
   */
  async fail(
    message: WorkMessage,
    reason: string,
    error?: unknown,
  ): Promise<{ retryInMs?: number; deadLettered: boolean }> {
    if (message.deliveryCount >= this.maxDeliveries) {
      await this.deadLetter(message, reason);
      await this.complete(message);
      return { deadLettered: true };
    }
    const retryInMs = retryDelayMs(message.deliveryCount, error, this.backoff, this.random());
    await this.client
      .updateEntity(
        {
          partitionKey: this.name,
          rowKey: message.messageId,
          visibleAt: new Date(this.now() + retryInMs).toISOString(),
          lastError: reason.slice(0, 2000),
        },
        'Merge',
        { etag: message.etag },
      )
      .catch((error: unknown) => {
        if (storageStatus(error) !== 412 && storageStatus(error) !== 404) throw error;
      });
    return { retryInMs, deadLettered: false };
  }

  /**
   * Records a message as dead-lettered with the reason (partition `{queue}|dead`). Also the dead-letter record of
   * the Service Bus consumers in Azure, which cannot settle a message to the broker's dead-letter queue themselves.
   */
  async deadLetter(message: Pick<WorkMessage, 'messageId' | 'body' | 'deliveryCount'>, reason: string): Promise<void> {
    await this.client.upsertEntity(
      {
        partitionKey: `${this.name}|dead`,
        rowKey: message.messageId,
        body: JSON.stringify(message.body),
        deliveryCount: message.deliveryCount,
        reason: reason.slice(0, 2000),
        deadLetteredAt: new Date(this.now()).toISOString(),
      },
      'Replace',
    );
  }

  /** Messages waiting or leased (not dead-lettered). */
  async depth(): Promise<number> {
    let count = 0;
    for await (const _ of this.client.listEntities({
      queryOptions: { filter: odata`PartitionKey eq ${this.name}`, select: ['RowKey'] },
    }))
      count += 1;
    return count;
  }

  async deadLetters(): Promise<{ messageId: string; body: unknown; deliveryCount: number; reason: string }[]> {
    const found = [];
    for await (const e of this.client.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`PartitionKey eq ${`${this.name}|dead`}` },
    }))
      found.push({
        messageId: String(e.rowKey),
        body: JSON.parse(String(e.body)) as unknown,
        deliveryCount: Number(e.deliveryCount),
        reason: String(e.reason),
      });
    return found;
  }
}

export interface ConsumeOptions {
  /** Messages handled at once by this consumer. */
  concurrency?: number;
  /** Wait when the queue is empty. */
  idleMs?: number;
  signal?: AbortSignal;
  /** Stop when a receive finds nothing and nothing is in flight (the CLI, tests). */
  untilEmpty?: boolean;
  onError?: (message: WorkMessage, error: unknown, outcome: { retryInMs?: number; deadLettered: boolean }) => void;
}

/** Consumes the queue until `signal` aborts (or it is empty, with `untilEmpty`). */
export async function consumeWorkQueue(
  queue: TableWorkQueue,
  handler: (body: unknown, message: WorkMessage) => Promise<void>,
  options: ConsumeOptions = {},
): Promise<void> {
  const concurrency = options.concurrency ?? 8;
  const idleMs = options.idleMs ?? 500;
  const inFlight = new Set<Promise<void>>();
  const handle = async (message: WorkMessage) => {
    const release = keepLeased(queue, message);
    try {
      await handler(message.body, message);
      await release();
      await queue.complete(message);
    } catch (error) {
      await release();
      const reason = error instanceof Error ? error.message : String(error);
      const outcome = await queue.fail(message, reason, error);
      options.onError?.(message, error, outcome);
    }
  };
  while (!options.signal?.aborted) {
    const free = concurrency - inFlight.size;
    const messages = free > 0 ? await queue.receive(free) : [];
    for (const message of messages) {
      const task = handle(message).finally(() => inFlight.delete(task));
      inFlight.add(task);
    }
    if (messages.length === 0) {
      if (options.untilEmpty && inFlight.size === 0) break;
      await Promise.race([...inFlight, new Promise((resolve) => setTimeout(resolve, idleMs).unref())]);
    } else if (inFlight.size >= concurrency) {
      await Promise.race(inFlight);
    }
  }
  await Promise.allSettled([...inFlight]);
}

/**
 * Renews `message`'s lease every third of a lease while it is handled; the returned function stops that and waits for
 * a renewal under way, so that completing or failing the message uses its latest etag. A renewal that fails for
 * another reason than a lost lease (storage briefly unavailable) is tried again at the next tick.
 */
function keepLeased(queue: TableWorkQueue, message: WorkMessage): () => Promise<void> {
  let renewing: Promise<unknown> = Promise.resolve();
  let lost = false;
  const timer = setInterval(
    () => {
      renewing = renewing.then(async () => {
        if (!lost) lost = !(await queue.renew(message).catch(() => true));
      });
    },
    Math.max(50, Math.floor(queue.leaseMs / 3)),
  );
  timer.unref();
  return async () => {
    clearInterval(timer);
    await renewing;
  };
}
