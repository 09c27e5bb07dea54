import { z } from 'zod';
import { additionsCsv, cycleAdditions, pushToConnectWise } from '../../app/psa/psa-export.ts';
import { agreementAdditionSchema, psaKinds, psaMappingSchema } from '../../domain/psa.ts';
import { defineRoute } from '../route.ts';

const cycleParams = z.strictObject({ cycle: z.iso.date() });
const skippedSchema = z.array(
  z.object({
    customerId: z.string(),
    reason: z.enum(['customerNotMapped', 'productNotMapped', 'cycleNotBilled']),
    lineId: z.string().optional(),
    productId: z.string().optional(),
  }),
);

export const getPsaMappingRoute = defineRoute({
  name: 'getPsaMapping',
  method: 'GET',
  path: '/psa/mapping',
  access: 'partnerAdmin',
  summary: 'The mapping of customers to PSA companies and agreements, and of products to PSA products',
  tags: ['psa'],
  responses: {
    200: { description: 'The mapping', schema: psaMappingSchema, headers: { ETag: 'Version of the mapping' } },
  },
  async handler({ services }) {
    const found = await services.psa.mapping();
    const value = found?.value ?? { customers: [], products: [] };
    return { status: 200, body: value, headers: found ? { etag: found.etag } : {} };
  },
});

export const putPsaMappingRoute = defineRoute({
  name: 'putPsaMapping',
  method: 'PUT',
  path: '/psa/mapping',
  access: 'partnerAdmin',
  summary: 'Set the PSA mapping (If-Match with its ETag to replace an existing one)',
  tags: ['psa'],
  requestHeaders: { 'If-Match': { description: 'The ETag from the last read; required once the mapping exists' } },
  body: psaMappingSchema,
  responses: {
    200: { description: 'Saved', schema: psaMappingSchema, headers: { ETag: 'Version of the mapping' } },
  },
  async handler({ body, headers, services }) {
    const saved = await services.psa.saveMapping(body, headers.get('if-match') ?? undefined);
    return { status: 200, body: saved.value, headers: { etag: saved.etag } };
  },
});

export const getPsaAdditionsRoute = defineRoute({
  name: 'getPsaAdditions',
  method: 'GET',
  path: '/psa/additions/{cycle}',
  access: 'partnerAdmin',
  summary:
    'A billing cycle’s agreement additions (the cycle dated by its end): JSON, or CSV in the layout ConnectWise Manage or Autotask imports',
  tags: ['psa'],
  params: cycleParams,
  query: z.strictObject({ format: z.enum(['json', ...psaKinds]).default('json') }),
  responses: {
    200: {
      description: 'The additions (CSV when format is connectwise or autotask)',
      schema: z
        .object({ cycle: z.string(), additions: z.array(agreementAdditionSchema), skipped: skippedSchema })
        .meta({ id: 'PsaAdditions' }),
    },
  },
  async handler({ params, query, services }) {
    const result = await cycleAdditions(services, params.cycle);
    if (query.format === 'json') return { status: 200, body: result };
    return {
      status: 200,
      body: additionsCsv(query.format, result.additions),
      contentType: 'text/csv; charset=utf-8',
      headers: { 'content-disposition': `attachment; filename="${query.format}-additions-${params.cycle}.csv"` },
    };
  },
});

export const pushConnectWiseRoute = defineRoute({
  name: 'pushConnectWiseAdditions',
  method: 'POST',
  path: '/psa/connectwise/additions/{cycle}',
  access: 'partnerAdmin',
  summary: 'Send a billing cycle’s agreement additions to ConnectWise Manage (each addition once)',
  tags: ['psa'],
  params: cycleParams,
  responses: {
    200: {
      description: 'Sent',
      schema: z
        .object({ cycle: z.string(), sent: z.number().int(), alreadySent: z.number().int(), skipped: skippedSchema })
        .meta({ id: 'PsaPush' }),
    },
  },
  async handler({ params, services }) {
    return { status: 200, body: await pushToConnectWise(services, params.cycle) };
  },
});

export const psaRoutes = [getPsaMappingRoute, putPsaMappingRoute, getPsaAdditionsRoute, pushConnectWiseRoute];
