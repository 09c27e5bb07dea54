import { odata, type TableClient } from '@azure/data-tables';
import type { CatalogAdmin } from '../../app/ports/catalog-admin.port.ts';
import type { CatalogPort, Price } from '../../app/ports/catalog.port.ts';
import { entryInForce, GLOBAL_PRICE_LIST, type PriceEntry } from '../../domain/price-list.ts';
import { priceListTable } from './price-list.table.ts';
import { productTable } from './product.table.ts';
import { saleProfileTable } from './sale-profile.table.ts';

function toPrice(entry: PriceEntry, priceListId: string): Price {
  return {
    unitPrice: entry.salePrice,
    cost: entry.cost,
    currency: entry.currency,
    source: priceListId === GLOBAL_PRICE_LIST ? 'global' : 'customer',
    priceListId,
    effectiveFrom: entry.effectiveFrom,
  };
}

/**
 * How long a process keeps the global price list, and the set of customers with a list of their own, for billing
 * (its own writes clear them at once; another process's write shows within this time).
 */
const GLOBAL_LIST_TTL_MS = 60_000;

/** The catalog on Table Storage: the management repositories, and the port the buy and billing use cases read. */
export function catalogTables(tables: { catalog: TableClient; prices: TableClient; saleProfiles: TableClient }): {
  catalog: CatalogPort;
  admin: CatalogAdmin;
} {
  const prices = priceListTable(tables.prices);
  let global: { at: number; entries: Promise<PriceEntry[]> } | undefined;
  const globalEntries = () => {
    if (!global || Date.now() - global.at > GLOBAL_LIST_TTL_MS) {
      const entries = prices.all(GLOBAL_PRICE_LIST);
      global = { at: Date.now(), entries };
      entries.catch(() => (global = undefined));
    }
    return global.entries;
  };
  // Which customers have a price list of their own, kept like the global list (a customer without one is priced
  // from the global list with no read of its own: billing reads its prices once a minute, not once per customer).
  let owners: { at: number; ids: Promise<Set<string>> } | undefined;
  const listOwners = async () => {
    const ids = new Set<string>();
    for await (const entity of tables.prices.listEntities({
      queryOptions: { filter: odata`PartitionKey ne ${GLOBAL_PRICE_LIST}`, select: ['PartitionKey'] },
    }))
      ids.add(String(entity.partitionKey));
    return ids;
  };
  const priceListOwners = () => {
    if (!owners || Date.now() - owners.at > GLOBAL_LIST_TTL_MS) {
      const ids = listOwners();
      owners = { at: Date.now(), ids };
      ids.catch(() => (owners = undefined));
    }
    return owners.ids;
  };
  const admin: CatalogAdmin = {
    products: productTable(tables.catalog),
    prices: {
      ...prices,
      async upsert(priceListId, entries) {
        if (priceListId === GLOBAL_PRICE_LIST) global = undefined;
        else owners = undefined;
        await prices.upsert(priceListId, entries);
      },
    },
    saleProfiles: saleProfileTable(tables.saleProfiles),
  };
  const catalog: CatalogPort = {
    async getProduct(productId) {
      return (await admin.products.get(productId))?.value;
    },
    async priceFor({ customerId, onDate, ...offer }) {
      for (const priceListId of [customerId, GLOBAL_PRICE_LIST]) {
        const entry = await admin.prices.inForce(priceListId, offer, onDate);
        if (entry) return toPrice(entry, priceListId);
      }
      return undefined;
    },
    async priceBook(customerId) {
      const [own, shared] = await Promise.all([
        priceListOwners().then((ids) => (ids.has(customerId) ? prices.all(customerId) : [])),
        globalEntries(),
      ]);
      return ({ onDate, ...offer }) => {
        const entry = entryInForce(own, offer, onDate);
        if (entry) return toPrice(entry, customerId);
        const fallback = entryInForce(shared, offer, onDate);
        return fallback ? toPrice(fallback, GLOBAL_PRICE_LIST) : undefined;
      };
    },
    async mayBuy(customerId, productId) {
      const profileId = await admin.saleProfiles.profileOf(customerId);
      if (profileId === undefined) return true;
      return (await admin.saleProfiles.get(profileId))?.value.productIds.includes(productId) ?? false;
    },
  };
  return { catalog, admin };
}
