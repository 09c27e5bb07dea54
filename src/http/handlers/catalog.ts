import { z } from 'zod';
import { createProduct, deleteProduct, getProduct, listProducts, putProduct } from '../../app/products.ts';
import { productFieldsSchema, productIdSchema, productSchema } from '../../domain/product.ts';
import { PROBLEM_CONTENT_TYPE, problemSchema } from '../problem.ts';
import { defineRoute, type Reply } from '../route.ts';
import { pageOf, pageQuery } from '../schemas.ts';

const productBody = productSchema.meta({ id: 'Product' });
const productIdParams = z.strictObject({ productId: productIdSchema });
const etagHeader = { ETag: 'Version of the product; send it back as If-Match to replace it.' };
const conflictResponse = {
  description: 'Conflicts with the catalog as it is',
  schema: problemSchema,
  contentType: PROBLEM_CONTENT_TYPE,
};
const optionalIfMatch = {
  'If-Match': {
    description:
      'To replace an existing resource: the ETag from your last read (412 if it has changed since). Omit it to create.',
  },
};

export const catalogQuery = pageQuery.extend({
  search: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .optional()
    .describe('Text in the name, id, SKU part number, description, category or group'),
  category: z.string().trim().min(1).max(100).optional(),
  group: z.string().trim().min(1).max(100).optional().describe('Product group'),
});

export const listProductsRoute = defineRoute({
  name: 'listProducts',
  method: 'GET',
  path: '/catalog/products',
  access: 'partnerAdmin',
  summary: 'Search the catalog by text, category and product group, a page at a time',
  tags: ['catalog'],
  query: catalogQuery,
  responses: { 200: { description: 'A page of products, by name', schema: pageOf(productBody, 'ProductPage') } },
  async handler({ query, services }) {
    return { status: 200, body: await listProducts(services, query, query.pageSize, query.continuationToken) };
  },
});

export const createProductRoute = defineRoute({
  name: 'createProduct',
  method: 'POST',
  path: '/catalog/products',
  access: 'partnerAdmin',
  summary: 'Add a product to the catalog',
  tags: ['catalog'],
  body: productSchema.meta({ id: 'NewProduct' }),
  responses: {
    201: {
      description: 'Created',
      schema: productBody,
      headers: { ...etagHeader, Location: 'URL of the new product' },
    },
    409: conflictResponse,
  },
  async handler({ body, services }) {
    const { value, etag } = await createProduct(services, body);
    return { status: 201, body: value, headers: { etag, location: `/api/catalog/products/${value.id}` } };
  },
});

export const getProductRoute = defineRoute({
  name: 'getProduct',
  method: 'GET',
  path: '/catalog/products/{productId}',
  access: 'partnerAdmin',
  summary: 'Read a product',
  tags: ['catalog'],
  params: productIdParams,
  responses: { 200: { description: 'The product', schema: productBody, headers: etagHeader } },
  async handler({ params, services }) {
    const { value, etag } = await getProduct(services, params.productId);
    return { status: 200, body: value, headers: { etag } };
  },
});

export const putProductRoute = defineRoute({
  name: 'putProduct',
  method: 'PUT',
  path: '/catalog/products/{productId}',
  access: 'partnerAdmin',
  summary: 'Create a product with this id, or replace it (If-Match)',
  tags: ['catalog'],
  params: productIdParams,
  body: productFieldsSchema.meta({ id: 'ProductFields' }),
  requestHeaders: optionalIfMatch,
  responses: {
    200: { description: 'Replaced', schema: productBody, headers: etagHeader },
    201: {
      description: 'Created',
      schema: productBody,
      headers: { ...etagHeader, Location: 'URL of the new product' },
    },
  },
  async handler({ params, body, headers, services }): Promise<Reply> {
    const { value, etag, created } = await putProduct(
      services,
      params.productId,
      body,
      headers.get('if-match') ?? undefined,
    );
    return created
      ? { status: 201, body: value, headers: { etag, location: `/api/catalog/products/${value.id}` } }
      : { status: 200, body: value, headers: { etag } };
  },
});

export const deleteProductRoute = defineRoute({
  name: 'deleteProduct',
  method: 'DELETE',
  path: '/catalog/products/{productId}',
  access: 'partnerAdmin',
  summary: 'Remove a product from the catalog (not while add-ons name it as their base)',
  tags: ['catalog'],
  params: productIdParams,
  responses: { 204: { description: 'Removed' }, 409: conflictResponse },
  async handler({ params, services }) {
    await deleteProduct(services, params.productId);
    return { status: 204 };
  },
});
