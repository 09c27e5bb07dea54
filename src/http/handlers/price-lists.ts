import { z } from 'zod';
import { IMPORT_COLUMNS, importPrices, listPrices, savePrices } from '../../app/price-lists.ts';
import { priceEntrySchema, priceListIdSchema } from '../../domain/price-list.ts';
import { productIdSchema } from '../../domain/product.ts';
import { defineRoute } from '../route.ts';
import { pageOf, pageQuery } from '../schemas.ts';

const priceListParams = z.strictObject({
  priceListId: priceListIdSchema.describe('`global`, or the id of the customer whose own list it is'),
});
const priceEntry = priceEntrySchema.meta({ id: 'PriceEntry' });

const saveResult = z
  .object({
    priceListId: z.string(),
    received: z.number().int(),
    created: z.number().int(),
    updated: z.number().int(),
    unchanged: z.number().int().describe('Entries already stored with the same prices, left as they were'),
  })
  .meta({ id: 'PriceListChanges' });

export const listPricesRoute = defineRoute({
  name: 'listPrices',
  method: 'GET',
  path: '/price-lists/{priceListId}/prices',
  access: 'partnerAdmin',
  summary: 'Read a price list (the global one or a customer’s), a page at a time, optionally for one product',
  tags: ['price lists'],
  params: priceListParams,
  query: pageQuery.extend({ productId: productIdSchema.optional() }),
  responses: {
    200: {
      description: 'Entries by product, term, frequency, currency and date',
      schema: pageOf(priceEntry, 'PriceEntryPage'),
    },
  },
  async handler({ params, query, services }) {
    return {
      status: 200,
      body: await listPrices(services, params.priceListId, query.productId, query.pageSize, query.continuationToken),
    };
  },
});

export const putPricesRoute = defineRoute({
  name: 'putPrices',
  method: 'PUT',
  path: '/price-lists/{priceListId}/prices',
  access: 'partnerAdmin',
  summary: 'Create or replace price entries, all or none',
  tags: ['price lists'],
  params: priceListParams,
  body: z.strictObject({ prices: z.array(priceEntry).min(1).max(1000) }).meta({ id: 'PriceBatch' }),
  responses: { 200: { description: 'Saved', schema: saveResult } },
  async handler({ params, body, services }) {
    return { status: 200, body: await savePrices(services, params.priceListId, body.prices) };
  },
});

export const importPricesRoute = defineRoute({
  name: 'importPrices',
  method: 'POST',
  path: '/price-lists/{priceListId}/imports',
  access: 'partnerAdmin',
  summary: `Import a CSV price list (header ${IMPORT_COLUMNS.join(',')}), all or none; errors name the line`,
  tags: ['price lists'],
  params: priceListParams,
  body: z.string().describe(`CSV with the header ${IMPORT_COLUMNS.join(',')}`),
  textBody: { contentTypes: ['text/csv'], maxBytes: 1024 * 1024 },
  responses: { 200: { description: 'Imported; re-importing the same file changes nothing', schema: saveResult } },
  async handler({ params, body, services }) {
    return { status: 200, body: await importPrices(services, params.priceListId, await services.csv.table(body)) };
  },
});
