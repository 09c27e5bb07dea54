import { createCustomer, getCustomer, listCustomers, updateCustomer } from '../../app/customers.ts';
import { customerFieldsSchema, customerPatchSchema, customerSchema } from '../../domain/customer.ts';
import { defineRoute } from '../route.ts';
import { customerIdParams, ifMatchHeader, pageOf, pageQuery, requireIfMatch } from '../schemas.ts';

const customerBody = customerSchema.meta({ id: 'Customer' });
const etagHeader = { ETag: 'Version of the resource; send it back as If-Match to change it.' };

export const listCustomersRoute = defineRoute({
  name: 'listCustomers',
  method: 'GET',
  path: '/customers',
  access: 'partnerAdmin',
  summary: 'List customers, a page at a time',
  tags: ['customers'],
  query: pageQuery,
  responses: { 200: { description: 'A page of customers', schema: pageOf(customerBody, 'CustomerPage') } },
  async handler({ query, services }) {
    const page = await listCustomers(services, query.pageSize, query.continuationToken);
    return { status: 200, body: page };
  },
});

export const createCustomerRoute = defineRoute({
  name: 'createCustomer',
  method: 'POST',
  path: '/customers',
  access: 'partnerAdmin',
  summary: 'Create a customer',
  tags: ['customers'],
  body: customerFieldsSchema.meta({ id: 'NewCustomer' }),
  responses: {
    201: {
      description: 'Created',
      schema: customerBody,
      headers: { ...etagHeader, Location: 'URL of the new customer' },
    },
  },
  async handler({ body, services }) {
    const { value, etag } = await createCustomer(services, body);
    return { status: 201, body: value, headers: { etag, location: `/api/customers/${value.id}` } };
  },
});

export const getCustomerRoute = defineRoute({
  name: 'getCustomer',
  method: 'GET',
  path: '/customers/{customerId}',
  access: { customer: 'View' },
  summary: 'Read a customer',
  tags: ['customers'],
  params: customerIdParams,
  responses: { 200: { description: 'The customer', schema: customerBody, headers: etagHeader } },
  async handler({ params, services }) {
    const { value, etag } = await getCustomer(services, params.customerId);
    return { status: 200, body: value, headers: { etag } };
  },
});

export const updateCustomerRoute = defineRoute({
  name: 'updateCustomer',
  method: 'PATCH',
  path: '/customers/{customerId}',
  access: 'partnerAdmin',
  summary: 'Change a customer’s name, billing day, currency, country or company profile',
  tags: ['customers'],
  params: customerIdParams,
  body: customerPatchSchema
    .refine((patch) => Object.keys(patch).length > 0, 'name at least one field to change')
    .meta({ id: 'CustomerPatch' }),
  requestHeaders: ifMatchHeader,
  responses: { 200: { description: 'The changed customer', schema: customerBody, headers: etagHeader } },
  async handler({ params, body, headers, services }) {
    const etag = requireIfMatch(headers);
    const updated = await updateCustomer(services, params.customerId, body, etag);
    return { status: 200, body: updated.value, headers: { etag: updated.etag } };
  },
});
