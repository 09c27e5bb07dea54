import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { z } from 'zod';
import type { PriceListRepository } from '../../app/ports/catalog-admin.port.ts';
import { billingFrequencies, terms } from '../../domain/calendar.ts';
import type { Offer, PriceEntry } from '../../domain/price-list.ts';
import { checkContinuationToken, corruptRow } from './table-errors.ts';

/**
 * One partition per price list (`global` or a customer id); row key `{productId}|{term}|{frequency}|{currency}|
 * {effectiveFrom}`, so that an offer's entries are one key range sorted by date, and rule 7 within a list is a
 * single range query.
 */
const BATCH = 100;

const offerPrefix = (o: Offer) => `${o.productId}|${o.term}|${o.frequency}|${o.currency}|`;
const rowKeyOf = (e: PriceEntry) => `${offerPrefix(e)}${e.effectiveFrom}`;

const rowSchema = z.object({
  rowKey: z.string(),
  productId: z.string(),
  term: z.enum(terms),
  frequency: z.enum(billingFrequencies),
  currency: z.string(),
  salePrice: z.string(),
  cost: z.string(),
  effectiveFrom: z.string(),
});

function fromEntity(entity: unknown): PriceEntry {
  const parsed = rowSchema.safeParse(entity);
  if (!parsed.success || parsed.data.rowKey !== rowKeyOf(parsed.data)) {
    throw corruptRow(
      'prices',
      String((entity as { rowKey?: unknown }).rowKey),
      parsed.error ?? 'row key does not match its fields',
    );
  }
  const { rowKey: _rowKey, ...entry } = parsed.data;
  return entry;
}

export function priceListTable(client: TableClient): PriceListRepository {
  const query = (filter: string) => client.listEntities({ queryOptions: { filter } });

  const all = async (filter: string) => {
    const entries: PriceEntry[] = [];
    for await (const entity of query(filter)) entries.push(fromEntity(entity));
    return entries;
  };

  const range = (priceListId: string, from: string, through: string) =>
    odata`PartitionKey eq ${priceListId} and RowKey ge ${from} and RowKey le ${through}`;

  return {
    async page(priceListId, productId, pageSize, continuationToken) {
      const filter = productId
        ? range(priceListId, `${productId}|`, `${productId}|~`)
        : odata`PartitionKey eq ${priceListId}`;
      const pages = query(filter).byPage({
        maxPageSize: pageSize,
        continuationToken: checkContinuationToken(continuationToken),
      });
      const { value } = await pages.next();
      const page = (value ?? []) as unknown[] & { continuationToken?: string };
      return {
        items: page.map(fromEntity),
        ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}),
      };
    },
    all: (priceListId) => all(odata`PartitionKey eq ${priceListId}`),
    async inForce(priceListId, offer, onDate) {
      const prefix = offerPrefix(offer);
      return (await all(range(priceListId, prefix, prefix + onDate))).at(-1);
    },
    async upsert(priceListId, entries) {
      for (let i = 0; i < entries.length; i += BATCH) {
        const actions = entries
          .slice(i, i + BATCH)
          .map((e): TransactionAction => [
            'upsert',
            { partitionKey: priceListId, rowKey: rowKeyOf(e), ...e },
            'Replace',
          ]);
        await client.submitTransaction(actions);
      }
    },
  };
}
