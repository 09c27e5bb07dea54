import { z } from 'zod';
import { checkDomain, createCustomerTenant } from '../../app/tenants.ts';
import { domainPrefixSchema } from '../../domain/tenant.ts';
import { defineRoute } from '../route.ts';
import { customerIdParams } from '../schemas.ts';

const personName = z.string().trim().min(1).max(64);

export const domainAvailabilityRoute = defineRoute({
  name: 'getDomainAvailability',
  method: 'GET',
  path: '/domains/{domain}/availability',
  access: 'partnerAdmin',
  summary: 'Whether `{domain}.onmicrosoft.com` is free for a new customer tenant',
  tags: ['tenants'],
  params: z.strictObject({
    domain: domainPrefixSchema.describe('The prefix, e.g. contoso, or contoso.onmicrosoft.com'),
  }),
  responses: {
    200: {
      description: 'Availability; a taken domain comes with the reseller relationship request to send instead',
      schema: z
        .object({ domain: z.string(), available: z.boolean(), relationshipRequestUrl: z.url().optional() })
        .meta({ id: 'DomainAvailability' }),
    },
  },
  async handler({ params, services }) {
    return { status: 200, body: await checkDomain(services, params.domain) };
  },
});

export const createTenantRoute = defineRoute({
  name: 'createCustomerTenant',
  method: 'POST',
  path: '/customers/{customerId}/tenant',
  access: 'partnerAdmin',
  summary: 'Create the customer’s Microsoft tenant with its first admin; the credentials go to the company’s e-mail',
  tags: ['tenants'],
  params: customerIdParams,
  body: z
    .strictObject({ domainPrefix: domainPrefixSchema, adminFirstName: personName, adminLastName: personName })
    .meta({ id: 'NewCustomerTenant' }),
  responses: {
    201: {
      description: 'Created, and recorded on the customer',
      schema: z
        .object({
          tenantId: z.uuid(),
          domain: z.string(),
          adminUserName: z.string(),
          credentialsSentTo: z.string().optional(),
        })
        .meta({ id: 'CreatedCustomerTenant' }),
      headers: { ETag: 'The customer’s new version' },
    },
    409: {
      description:
        'The domain is taken (send the reseller relationship request instead), the company profile lacks its address or e-mail, or the customer has a tenant',
    },
  },
  async handler({ params, body, services }) {
    const created = await createCustomerTenant(services, {
      customerId: params.customerId,
      domainPrefix: body.domainPrefix,
      admin: { firstName: body.adminFirstName, lastName: body.adminLastName },
    });
    const { customer, ...result } = created;
    return { status: 201, body: result, headers: { etag: customer.etag } };
  },
});
