import { z } from 'zod';
import { createReseller, getReseller, updateReseller } from '../../app/resellers.ts';
import { resellerFieldsSchema, resellerPatchSchema, resellerSchema } from '../../domain/reseller.ts';
import { defineRoute } from '../route.ts';
import { ifMatchHeader, requireIfMatch } from '../schemas.ts';

const resellerParams = z.strictObject({ resellerId: z.uuid() });
const etagHeader = { ETag: 'Version of the reseller; send it back as If-Match to change it.' };

export const listResellersRoute = defineRoute({
  name: 'listResellers',
  method: 'GET',
  path: '/resellers',
  access: 'partnerAdmin',
  summary: 'Resellers (VARs), by name',
  tags: ['resellers'],
  responses: {
    200: {
      description: 'Resellers',
      schema: z.object({ items: z.array(resellerSchema) }).meta({ id: 'ResellerList' }),
    },
  },
  async handler({ services }) {
    return { status: 200, body: { items: (await services.resellers.list()).map((r) => r.value) } };
  },
});

export const createResellerRoute = defineRoute({
  name: 'createReseller',
  method: 'POST',
  path: '/resellers',
  access: 'partnerAdmin',
  summary: 'Add a reseller (VAR)',
  tags: ['resellers'],
  body: resellerFieldsSchema,
  responses: {
    201: { description: 'Created', schema: resellerSchema, headers: { ...etagHeader, Location: 'The reseller' } },
  },
  async handler({ body, services }) {
    const { value, etag } = await createReseller(services, body);
    return { status: 201, body: value, headers: { etag, location: `/api/resellers/${value.id}` } };
  },
});

export const getResellerRoute = defineRoute({
  name: 'getReseller',
  method: 'GET',
  path: '/resellers/{resellerId}',
  access: 'partnerAdmin',
  summary: 'A reseller',
  tags: ['resellers'],
  params: resellerParams,
  responses: { 200: { description: 'The reseller', schema: resellerSchema, headers: etagHeader } },
  async handler({ params, services }) {
    const { value, etag } = await getReseller(services, params.resellerId);
    return { status: 200, body: value, headers: { etag } };
  },
});

export const updateResellerRoute = defineRoute({
  name: 'updateReseller',
  method: 'PATCH',
  path: '/resellers/{resellerId}',
  access: 'partnerAdmin',
  summary: 'Change a reseller’s name or contact e-mail',
  tags: ['resellers'],
  params: resellerParams,
  body: resellerPatchSchema.refine((patch) => Object.keys(patch).length > 0, 'name at least one field to change'),
  requestHeaders: ifMatchHeader,
  responses: { 200: { description: 'The changed reseller', schema: resellerSchema, headers: etagHeader } },
  async handler({ params, body, headers, services }) {
    const etag = requireIfMatch(headers);
    const updated = await updateReseller(services, params.resellerId, body, etag);
    return { status: 200, body: updated.value, headers: { etag: updated.etag } };
  },
});

export const resellerRoutes = [listResellersRoute, createResellerRoute, getResellerRoute, updateResellerRoute];
