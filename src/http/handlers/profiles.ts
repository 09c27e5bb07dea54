import { z } from 'zod';
import { companyProfile, myProfile, updateCompanyProfile, updateMyProfile } from '../../app/profiles.ts';
import { companyProfileSchema, phoneSchema, postalAddressInputSchema } from '../../domain/customer.ts';
import { contactMethods, userProfilePatchSchema } from '../../domain/user-profile.ts';
import { defineRoute } from '../route.ts';
import { customerIdParams, ifMatchHeader, requireIfMatch } from '../schemas.ts';

const etagHeader = { ETag: 'Version of the profile; send it back as If-Match to change it.' };
const companyBody = companyProfileSchema.meta({ id: 'CompanyProfile' });

const companyPatchSchema = z
  .strictObject({
    phone: phoneSchema.nullable().optional(),
    website: companyProfileSchema.shape.website.unwrap().nullable().optional(),
    email: companyProfileSchema.shape.email.unwrap().nullable().optional(),
    address: postalAddressInputSchema
      .nullable()
      .optional()
      .describe('Replaced as a whole; the postal code is checked against the country'),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'name at least one field to change')
  .meta({ id: 'CompanyProfilePatch', description: 'Fields given replace the stored ones; null removes one.' });

export const getCompanyProfileRoute = defineRoute({
  name: 'getCompanyProfile',
  method: 'GET',
  path: '/customers/{customerId}/company',
  access: { customer: 'View' },
  summary: 'My Company: the company’s phone, website, e-mail and postal address',
  tags: ['profiles'],
  params: customerIdParams,
  responses: { 200: { description: 'The company profile', schema: companyBody, headers: etagHeader } },
  async handler({ params, services }) {
    const { value, etag } = await companyProfile(services, params.customerId);
    return { status: 200, body: value, headers: { etag } };
  },
});

export const updateCompanyProfileRoute = defineRoute({
  name: 'updateCompanyProfile',
  method: 'PATCH',
  path: '/customers/{customerId}/company',
  access: { customer: 'Admin' },
  summary: 'Change the company profile (the address is required before a Microsoft tenant can be created)',
  tags: ['profiles'],
  params: customerIdParams,
  body: companyPatchSchema,
  requestHeaders: ifMatchHeader,
  responses: { 200: { description: 'The changed profile', schema: companyBody, headers: etagHeader } },
  async handler({ params, body, headers, services }) {
    const { value, etag } = await updateCompanyProfile(services, params.customerId, body, requireIfMatch(headers));
    return { status: 200, body: value, headers: { etag } };
  },
});

const userProfileBody = z
  .object({
    firstName: z.string().optional(),
    lastName: z.string().optional(),
    email: z.string().optional(),
    businessPhone: z.string().optional(),
    organization: z.string().optional(),
    title: z.string().optional(),
    preferredContactMethod: z.enum(contactMethods),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'UserProfile' });

export const getMyProfileRoute = defineRoute({
  name: 'getMyProfile',
  method: 'GET',
  path: '/me/profile',
  access: 'signedIn',
  summary: 'The signed-in user’s own profile (first filled from the sign-in token)',
  tags: ['me'],
  responses: { 200: { description: 'The profile', schema: userProfileBody, headers: etagHeader } },
  async handler({ principal, services }) {
    const { value, etag } = await myProfile(services, principal.identity);
    return { status: 200, body: value, headers: { etag } };
  },
});

export const updateMyProfileRoute = defineRoute({
  name: 'updateMyProfile',
  method: 'PATCH',
  path: '/me/profile',
  access: 'signedIn',
  summary:
    'Change the signed-in user’s profile: names, e-mail, business phone, organization, title, preferred contact method',
  tags: ['me'],
  body: userProfilePatchSchema.meta({
    id: 'UserProfilePatch',
    description: 'Fields given replace the stored ones; null removes one.',
  }),
  requestHeaders: ifMatchHeader,
  responses: { 200: { description: 'The changed profile', schema: userProfileBody, headers: etagHeader } },
  async handler({ body, headers, principal, services }) {
    const { value, etag } = await updateMyProfile(services, principal.identity, body, requireIfMatch(headers));
    return { status: 200, body: value, headers: { etag } };
  },
});
