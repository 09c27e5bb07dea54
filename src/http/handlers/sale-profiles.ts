import { z } from 'zod';
import {
  assignSaleProfile,
  getAssignment,
  getSaleProfile,
  listSaleProfiles,
  putSaleProfile,
} from '../../app/sale-profiles.ts';
import { saleProfileFieldsSchema, saleProfileIdSchema, saleProfileSchema } from '../../domain/sale-profile.ts';
import { defineRoute, type Reply } from '../route.ts';
import { customerIdParams } from '../schemas.ts';

const profileBody = saleProfileSchema.meta({ id: 'SaleProfile' });
const profileIdParams = z.strictObject({ profileId: saleProfileIdSchema });
const etagHeader = { ETag: 'Version of the profile; send it back as If-Match to replace it.' };
const assignment = z
  .object({ customerId: z.uuid(), profileId: saleProfileIdSchema.nullable() })
  .meta({ id: 'SaleProfileAssignment' });

export const listSaleProfilesRoute = defineRoute({
  name: 'listSaleProfiles',
  method: 'GET',
  path: '/sale-profiles',
  access: 'partnerAdmin',
  summary: 'List the products-for-sale profiles',
  tags: ['sale profiles'],
  responses: {
    200: {
      description: 'Every profile, by id',
      schema: z.object({ items: z.array(profileBody) }).meta({ id: 'SaleProfileList' }),
    },
  },
  async handler({ services }) {
    return { status: 200, body: { items: await listSaleProfiles(services) } };
  },
});

export const getSaleProfileRoute = defineRoute({
  name: 'getSaleProfile',
  method: 'GET',
  path: '/sale-profiles/{profileId}',
  access: 'partnerAdmin',
  summary: 'Read a products-for-sale profile',
  tags: ['sale profiles'],
  params: profileIdParams,
  responses: { 200: { description: 'The profile', schema: profileBody, headers: etagHeader } },
  async handler({ params, services }) {
    const { value, etag } = await getSaleProfile(services, params.profileId);
    return { status: 200, body: value, headers: { etag } };
  },
});

export const putSaleProfileRoute = defineRoute({
  name: 'putSaleProfile',
  method: 'PUT',
  path: '/sale-profiles/{profileId}',
  access: 'partnerAdmin',
  summary: 'Create a products-for-sale profile, or replace it (If-Match)',
  tags: ['sale profiles'],
  params: profileIdParams,
  body: saleProfileFieldsSchema.meta({ id: 'SaleProfileFields' }),
  requestHeaders: {
    'If-Match': {
      description:
        'To replace an existing profile: the ETag from your last read (412 if it has changed since). Omit it to create.',
    },
  },
  responses: {
    200: { description: 'Replaced', schema: profileBody, headers: etagHeader },
    201: {
      description: 'Created',
      schema: profileBody,
      headers: { ...etagHeader, Location: 'URL of the new profile' },
    },
  },
  async handler({ params, body, headers, services }): Promise<Reply> {
    const { value, etag, created } = await putSaleProfile(
      services,
      params.profileId,
      body,
      headers.get('if-match') ?? undefined,
    );
    return created
      ? { status: 201, body: value, headers: { etag, location: `/api/sale-profiles/${value.id}` } }
      : { status: 200, body: value, headers: { etag } };
  },
});

export const getCustomerSaleProfileRoute = defineRoute({
  name: 'getCustomerSaleProfile',
  method: 'GET',
  path: '/customers/{customerId}/sale-profile',
  access: 'partnerAdmin',
  summary: 'Which products-for-sale profile limits what the customer may order (null: the whole catalog)',
  tags: ['sale profiles'],
  params: customerIdParams,
  responses: { 200: { description: 'The assignment', schema: assignment } },
  async handler({ params, services }) {
    return { status: 200, body: await getAssignment(services, params.customerId) };
  },
});

export const putCustomerSaleProfileRoute = defineRoute({
  name: 'putCustomerSaleProfile',
  method: 'PUT',
  path: '/customers/{customerId}/sale-profile',
  access: 'partnerAdmin',
  summary: 'Limit what the customer may order to a profile, or (null) open the whole catalog to it',
  tags: ['sale profiles'],
  params: customerIdParams,
  body: z.strictObject({ profileId: saleProfileIdSchema.nullable() }).meta({ id: 'SaleProfileChoice' }),
  responses: { 200: { description: 'The assignment', schema: assignment } },
  async handler({ params, body, services }) {
    return { status: 200, body: await assignSaleProfile(services, params.customerId, body.profileId) };
  },
});
