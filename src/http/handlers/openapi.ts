import { z } from 'zod';
import { defineRoute, routesFor } from '../route.ts';

const documents = new Map<string, Record<string, unknown>>();

export const getOpenApi = defineRoute({
  name: 'getOpenApi',
  method: 'GET',
  path: '/openapi.json',
  access: 'anonymous',
  summary: 'This API’s OpenAPI 3.1 document, generated from the route table',
  tags: ['meta'],
  responses: { 200: { description: 'OpenAPI 3.1 document', schema: z.record(z.string(), z.unknown()) } },
  async handler({ services }) {
    // One document per commerce mode: the simulator clock's routes exist in simulator mode only.
    const mode = services.config.COMMERCE_MODE;
    let document = documents.get(mode);
    if (!document) {
      const [{ routes }, { buildOpenApi }] = await Promise.all([import('../routes.ts'), import('../openapi.ts')]);
      document = buildOpenApi(routesFor(routes, services.config), {
        title: 'CSP customer self-service portal API',
        version: '0.1.0',
      });
      documents.set(mode, document);
    }
    return { status: 200, body: document, headers: { 'cache-control': 'public, max-age=300' } };
  },
});
