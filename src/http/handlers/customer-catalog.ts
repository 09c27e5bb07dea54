import { z } from 'zod';
import { customerCatalog } from '../../app/customer-catalog.ts';
import { billingFrequencies, terms } from '../../domain/calendar.ts';
import { productSchema } from '../../domain/product.ts';
import { defineRoute } from '../route.ts';
import { customerIdParams, pageOf } from '../schemas.ts';
import { catalogQuery } from './catalog.ts';

const offer = z
  .object({
    term: z.enum(terms),
    frequency: z.enum(billingFrequencies),
    unitPrice: z.string().describe('Per seat and billing period, decimal'),
    currency: z.string(),
    priceSource: z.enum(['customer', 'global']).describe('The customer’s own price list, or the global one'),
    effectiveFrom: z.iso.date(),
  })
  .meta({ id: 'CustomerOffer' });

const item = productSchema.safeExtend({ offers: z.array(offer).min(1) }).meta({ id: 'CustomerCatalogItem' });

export const getCustomerCatalogRoute = defineRoute({
  name: 'getCustomerCatalog',
  method: 'GET',
  path: '/customers/{customerId}/catalog',
  access: { customer: 'View' },
  summary: 'What the customer may order, with its prices today in its currency',
  tags: ['catalog'],
  params: customerIdParams,
  query: catalogQuery,
  responses: {
    200: { description: 'A page of priced products, by name', schema: pageOf(item, 'CustomerCatalogPage') },
  },
  async handler({ params, query, services }) {
    return {
      status: 200,
      body: await customerCatalog(services, params.customerId, query, query.pageSize, query.continuationToken),
    };
  },
});
