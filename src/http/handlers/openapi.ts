import { z } from 'zod';
import { defineRoute, routesFor, type Route } from '../route.ts';

/**
 * The OpenAPI route over a route table given by the caller (src/http/routes.ts passes its own table, which lists this
 * route too, so the table is read when the first request comes, not when the module loads). One document per
 * commerce mode: the simulator clock's routes exist in simulator mode only.
 */
export function openApiRoute(table: () => readonly Route[]): Route {
  const documents = new Map<string, Record<string, unknown>>();
  return defineRoute({
    name: 'getOpenApi',
    method: 'GET',
    path: '/openapi.json',
    access: 'anonymous',
    summary: 'This API’s OpenAPI 3.1 document, generated from the route table',
    tags: ['meta'],
    responses: { 200: { description: 'OpenAPI 3.1 document', schema: z.record(z.string(), z.unknown()) } },
    async handler({ services }) {
      const mode = services.config.COMMERCE_MODE;
      let document = documents.get(mode);
      if (!document) {
        const { buildOpenApi } = await import('../openapi.ts');
        document = buildOpenApi(routesFor(table(), services.config), {
          title: 'CSP customer self-service portal API',
          version: '0.1.0',
        });
        documents.set(mode, document);
      }
      return { status: 200, body: document, headers: { 'cache-control': 'public, max-age=300' } };
    },
  });
}
