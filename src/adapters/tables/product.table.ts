import { odata, type TableClient } from '@azure/data-tables';
import { z } from 'zod';
import { conflict, notFound } from '../../app/errors.ts';
import type { ProductRepository } from '../../app/ports/catalog-admin.port.ts';
import type { Versioned } from '../../app/ports/customer.repository.port.ts';
import { productSchema, type Product } from '../../domain/product.ts';
import { corruptRow, guarded, storageStatus } from './table-errors.ts';

/** The catalog is one partition, `product`, one row per product id; read whole and kept for a minute. */
const PARTITION = 'product';
const CACHE_MS = 60_000;

const rowSchema = z.object({
  rowKey: z.string(),
  etag: z.string(),
  name: z.string(),
  description: z.string(),
  category: z.string(),
  productGroup: z.string(),
  catalogItemId: z.string(),
  skuPartNumber: z.string().optional(),
  isNce: z.boolean(),
  addOnOf: z.string(),
  terms: z.string(),
  minQuantity: z.number(),
  maxQuantity: z.number(),
});

function toEntity({ id, addOnOf, terms, skuPartNumber, ...rest }: Product) {
  return {
    partitionKey: PARTITION,
    rowKey: id,
    ...rest,
    ...(skuPartNumber ? { skuPartNumber } : {}),
    addOnOf: JSON.stringify(addOnOf),
    terms: JSON.stringify(terms),
  };
}

function fromEntity(entity: unknown): Versioned<Product> {
  try {
    const { rowKey, etag, addOnOf, terms, ...rest } = rowSchema.parse(entity);
    return {
      value: productSchema.parse({ id: rowKey, ...rest, addOnOf: JSON.parse(addOnOf), terms: JSON.parse(terms) }),
      etag,
    };
  } catch (error) {
    throw corruptRow('catalog', String((entity as { rowKey?: unknown }).rowKey), error);
  }
}

export function productTable(client: TableClient): ProductRepository {
  /** Dropped on every write in this process; other instances see a change within CACHE_MS. */
  let cache: { expires: number; rows: Promise<Versioned<Product>[]> } | undefined;

  const load = async () => {
    const rows: Versioned<Product>[] = [];
    for await (const entity of client.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${PARTITION}` } }))
      rows.push(fromEntity(entity));
    return rows;
  };

  const all = () => {
    if (!cache || cache.expires < performance.now()) {
      const rows = load();
      cache = { expires: performance.now() + CACHE_MS, rows };
      rows.catch(() => {
        if (cache?.rows === rows) cache = undefined;
      });
    }
    return cache.rows;
  };

  return {
    all,
    async get(productId) {
      return (await all()).find((row) => row.value.id === productId);
    },
    async create(product) {
      try {
        const { etag } = await client.createEntity(toEntity(product));
        return { value: product, etag: etag ?? '' };
      } catch (error) {
        if (storageStatus(error) === 409) throw conflict('PRODUCT.EXISTS', `Product ${product.id} exists already.`);
        throw error;
      } finally {
        cache = undefined;
      }
    },
    async replace(product, etag) {
      try {
        const result = await guarded(() => client.updateEntity(toEntity(product), 'Replace', { etag }));
        return { value: product, etag: result.etag ?? '' };
      } catch (error) {
        if (storageStatus(error) === 404) throw notFound('PRODUCT.NOT_FOUND', `No product ${product.id}.`);
        throw error;
      } finally {
        cache = undefined;
      }
    },
    async delete(productId) {
      try {
        await client.deleteEntity(PARTITION, productId);
        return true;
      } catch (error) {
        if (storageStatus(error) === 404) return false;
        throw error;
      } finally {
        cache = undefined;
      }
    },
  };
}
