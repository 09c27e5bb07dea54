import { z } from 'zod';
import { defineRoute } from '../route.ts';

let document: Record<string, unknown> | undefined;

export const getOpenApi = defineRoute({
  name: 'getOpenApi',
  method: 'GET',
  path: '/openapi.json',
  access: 'anonymous',
  summary: 'This API’s OpenAPI 3.1 document, generated from the route table',
  tags: ['meta'],
  responses: { 200: { description: 'OpenAPI 3.1 document', schema: z.record(z.string(), z.unknown()) } },
  async handler() {
    if (!document) {
      const [{ routes }, { buildOpenApi }] = await Promise.all([import('../routes.ts'), import('../openapi.ts')]);
      document = buildOpenApi(routes, { title: 'CSP customer self-service portal API', version: '0.1.0' });
    }
    return { status: 200, body: document, headers: { 'cache-control': 'public, max-age=300' } };
  },
});
