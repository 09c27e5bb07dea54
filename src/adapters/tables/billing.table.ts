import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { z } from 'zod';
import { conflict } from '../../app/errors.ts';
import type {
  BillingRunStore,
  BillingStore,
  CustomerRunResult,
  OneOffCharge,
  RunProgress,
} from '../../app/ports/billing.port.ts';
import {
  billingLineSchema,
  billingRunSchema,
  invoiceSchema,
  type BillingLine,
  type Invoice,
} from '../../domain/billing.ts';
import { corruptRow, guarded, storageStatus } from './table-errors.ts';

/**
 * `billinglines`: partition = customer, row `{cycle}|{lineId}` (a cycle's lines are one range); `invoices`:
 * partition = customer, row = cycle; `oneoffcharges`: partition = customer, row `{date}|{id}`;
 * `billingruns`: partition `run`, row = run id, and partition `results|{runId}`, row = customer id, with the run's
 * counts in the row `~progress` of that partition (a result and its count change in one entity-group transaction).
 * Values are JSON in a `data` column, parsed with their schema on every read.
 */
function parse<T>(schema: z.ZodType<T>, table: string, entity: Record<string, unknown>): T {
  try {
    return schema.parse(JSON.parse(String(entity.data)));
  } catch (error) {
    throw corruptRow(table, `${String(entity.partitionKey)}/${String(entity.rowKey)}`, error);
  }
}

async function* rows(client: TableClient, filter: string) {
  yield* client.listEntities<Record<string, unknown>>({ queryOptions: { filter } });
}

const oneOffSchema = z.object({
  id: z.string(),
  customerId: z.string(),
  date: z.iso.date(),
  description: z.string(),
  quantity: z.string(),
  unitPrice: z.string(),
  currency: z.string(),
  createdBy: z.string(),
  createdAt: z.string(),
});

export function billingTables(lines: TableClient, invoices: TableClient, oneOffs: TableClient): BillingStore {
  return {
    async lines(customerId, fromCycle, toCycle) {
      const found: BillingLine[] = [];
      for await (const entity of rows(
        lines,
        odata`PartitionKey eq ${customerId} and RowKey ge ${`${fromCycle}|`} and RowKey lt ${`${toCycle}}`}`,
      )) {
        found.push(parse(billingLineSchema, 'billinglines', entity));
      }
      return found;
    },
    async addLines(customerId, added) {
      for (let i = 0; i < added.length; i += 100) {
        const chunk = added.slice(i, i + 100);
        const entities = chunk.map((line) => ({
          partitionKey: customerId,
          rowKey: `${line.cycle}|${line.id}`,
          data: JSON.stringify(line),
        }));
        try {
          await lines.submitTransaction(entities.map((entity): TransactionAction => ['create', entity]));
        } catch (error) {
          if (storageStatus(error) !== 409) throw error;
          // Some were written by an earlier, interrupted run: add the others, never touching a stored line.
          for (const entity of entities) {
            await lines.createEntity(entity).catch((e: unknown) => {
              if (storageStatus(e) !== 409) throw e;
            });
          }
        }
      }
    },
    async invoice(customerId, cycle) {
      try {
        const entity = await invoices.getEntity<Record<string, unknown>>(customerId, cycle);
        return { value: parse(invoiceSchema, 'invoices', entity), etag: String(entity.etag) };
      } catch (error) {
        if (storageStatus(error) === 404) return undefined;
        throw error;
      }
    },
    async invoices(customerId) {
      const found: { value: Invoice; etag: string }[] = [];
      for await (const entity of rows(invoices, odata`PartitionKey eq ${customerId}`)) {
        found.push({ value: parse(invoiceSchema, 'invoices', entity), etag: String(entity.etag) });
      }
      return found;
    },
    async saveInvoice(invoice, etag) {
      const entity = {
        partitionKey: invoice.customerId,
        rowKey: invoice.cycle,
        status: invoice.status,
        data: JSON.stringify(invoice),
      };
      if (etag) {
        const result = await guarded(() => invoices.updateEntity(entity, 'Replace', { etag }));
        return { value: invoice, etag: result.etag ?? '' };
      }
      try {
        const result = await invoices.createEntity(entity);
        return { value: invoice, etag: result.etag ?? '' };
      } catch (error) {
        if (storageStatus(error) === 409)
          throw conflict('REQUEST.ALREADY_EXISTS', `The invoice of cycle ${invoice.cycle} exists already.`);
        throw error;
      }
    },
    async oneOffCharges(customerId, from, to) {
      const found: OneOffCharge[] = [];
      for await (const entity of rows(
        oneOffs,
        odata`PartitionKey eq ${customerId} and RowKey ge ${from} and RowKey lt ${to}`,
      )) {
        found.push(parse(oneOffSchema, 'oneoffcharges', entity));
      }
      return found;
    },
    async addOneOffCharge(charge) {
      await oneOffs.createEntity({
        partitionKey: charge.customerId,
        rowKey: `${charge.date}|${charge.id}`,
        data: JSON.stringify(charge),
      });
    },
  };
}

const resultSchema = z.object({
  customerId: z.string(),
  status: z.enum(['queued', 'done', 'failed', 'notDue']),
  cycle: z.string().optional(),
  lines: z.number().int().optional(),
  total: z.string().optional(),
  currency: z.string().optional(),
  reason: z.string().optional(),
  at: z.string(),
}) satisfies z.ZodType<CustomerRunResult>;

const progressSchema = z.object({
  total: z.number().int(),
  done: z.number().int(),
  failed: z.number().int(),
  notDue: z.number().int(),
}) satisfies z.ZodType<RunProgress>;

/**
 * The counts are kept in SHARDS rows `~progress|{k}`, a customer counting in shard hash(customer) mod SHARDS, so
 * that consumers recording at the same time rarely race for one row; the run's counts are their sum.
 */
const SHARDS = 16;
const PROGRESS = '~progress|';
const shardOf = (customerId: string) => {
  let hash = 0;
  for (const char of customerId) hash = (hash * 31 + char.charCodeAt(0)) | 0;
  return `${PROGRESS}${String(Math.abs(hash) % SHARDS).padStart(2, '0')}`;
};
const resultsPartition = (runId: string) => `results|${runId}`;
const sumOf = (shards: RunProgress[]): RunProgress =>
  shards.reduce(
    (s, p) => ({
      total: s.total + p.total,
      done: s.done + p.done,
      failed: s.failed + p.failed,
      notDue: s.notDue + p.notDue,
    }),
    { total: 0, done: 0, failed: 0, notDue: 0 },
  );

export function billingRunTable(client: TableClient): BillingRunStore {
  const get = async (runId: string) => {
    try {
      const entity = await client.getEntity<Record<string, unknown>>('run', runId);
      return { value: parse(billingRunSchema, 'billingruns', entity), etag: String(entity.etag) };
    } catch (error) {
      if (storageStatus(error) === 404) return undefined;
      throw error;
    }
  };
  const store: BillingRunStore = {
    get,
    async createOrGet(run) {
      try {
        const result = await client.createEntity({ partitionKey: 'run', rowKey: run.id, data: JSON.stringify(run) });
        return { run: { value: run, etag: result.etag ?? '' }, created: true };
      } catch (error) {
        if (storageStatus(error) !== 409) throw error;
        const existing = await get(run.id);
        if (!existing) throw error;
        return { run: existing, created: false };
      }
    },
    async save(run, etag) {
      const result = await guarded(() =>
        client.updateEntity({ partitionKey: 'run', rowKey: run.id, data: JSON.stringify(run) }, 'Replace', { etag }),
      );
      return { value: run, etag: result.etag ?? '' };
    },
    async results(runId) {
      const found: CustomerRunResult[] = [];
      for await (const entity of rows(client, odata`PartitionKey eq ${resultsPartition(runId)}`))
        if (!String(entity.rowKey).startsWith(PROGRESS)) found.push(parse(resultSchema, 'billingruns', entity));
      return found;
    },
    async saveResult(runId, result) {
      await client.upsertEntity(
        { partitionKey: `results|${runId}`, rowKey: result.customerId, data: JSON.stringify(result) },
        'Replace',
      );
    },
    async initProgress(runId, results) {
      const partitionKey = resultsPartition(runId);
      const shards = new Map<string, RunProgress>();
      for (let k = 0; k < SHARDS; k++)
        shards.set(`${PROGRESS}${String(k).padStart(2, '0')}`, { total: 0, done: 0, failed: 0, notDue: 0 });
      for (const r of results) {
        const shard = shards.get(shardOf(r.customerId)) as RunProgress;
        shard.total += 1;
        if (r.status === 'notDue') shard.notDue += 1;
      }
      const entities = [
        ...[...shards].map(([rowKey, p]) => ({ partitionKey, rowKey, data: JSON.stringify(p) })),
        ...results.map((r) => ({ partitionKey, rowKey: r.customerId, data: JSON.stringify(r) })),
      ];
      for (let i = 0; i < entities.length; i += 100) {
        const chunk = entities.slice(i, i + 100);
        try {
          await client.submitTransaction(chunk.map((e): TransactionAction => ['create', e]));
        } catch (error) {
          if (storageStatus(error) !== 409) throw error;
          for (const entity of chunk)
            await client.createEntity(entity).catch((e: unknown) => {
              if (storageStatus(e) !== 409) throw e;
            });
        }
      }
    },
    async progress(runId) {
      const shards: RunProgress[] = [];
      for await (const entity of rows(
        client,
        odata`PartitionKey eq ${resultsPartition(runId)} and RowKey ge ${PROGRESS} and RowKey lt ${'~progress}'}`,
      ))
        shards.push(parse(progressSchema, 'billingruns', entity));
      return shards.length ? sumOf(shards) : undefined;
    },
    async recordResult(runId, result) {
      const partitionKey = resultsPartition(runId);
      const shardKey = shardOf(result.customerId);
      // Whole-run counts: read again only when this customer's shard is finished (SHARDS times per run).
      const whole = async (shard: RunProgress) =>
        shard.done + shard.failed >= shard.total
          ? ((await store.progress(runId)) ?? shard)
          : { ...shard, total: Number.MAX_SAFE_INTEGER };
      for (let attempt = 1; ; attempt++) {
        // One query for the customer's result and the counts; then one transaction guarded by the counts' ETag.
        let progressRow: { value: RunProgress; etag: string } | undefined;
        let prior: { value: CustomerRunResult; etag: string } | undefined;
        for await (const entity of rows(
          client,
          odata`PartitionKey eq ${partitionKey} and (RowKey eq ${shardKey} or RowKey eq ${result.customerId})`,
        )) {
          if (entity.rowKey === shardKey)
            progressRow = { value: parse(progressSchema, 'billingruns', entity), etag: String(entity.etag) };
          else prior = { value: parse(resultSchema, 'billingruns', entity), etag: String(entity.etag) };
        }
        if (!progressRow) throw new Error(`Billing run ${runId} has no progress row`);
        if (prior?.value.status === 'done' || prior?.value.status === result.status)
          return { progress: await whole(progressRow.value), changed: false, standing: prior.value };
        const next = { ...progressRow.value };
        if (prior && prior.value.status !== 'queued') next[prior.value.status] -= 1;
        if (result.status !== 'queued') next[result.status] += 1;
        const resultEntity = { partitionKey, rowKey: result.customerId, data: JSON.stringify(result) };
        try {
          await client.submitTransaction([
            prior ? ['update', resultEntity, 'Replace', { etag: prior.etag }] : ['create', resultEntity],
            [
              'update',
              { partitionKey, rowKey: shardKey, data: JSON.stringify(next) },
              'Replace',
              { etag: progressRow.etag },
            ],
          ]);
          return { progress: await whole(next), changed: true, standing: result };
        } catch (error) {
          const status = storageStatus(error);
          if ((status !== 412 && status !== 409) || attempt >= 50) throw error;
          // Another consumer counted meanwhile: read again, after a short random pause.
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * Math.min(attempt, 5)));
        }
      }
    },
  };
  return store;
}
