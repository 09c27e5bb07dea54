import { z } from 'zod';
import { defineRoute, type Route } from '../route.ts';

/**
 * The OpenAPI route over a route table given by the caller (src/http/routes.ts passes its own table, which lists this
 * route too, so the table is read when the first request comes, not when the module loads).
 */
export function openApiRoute(table: () => readonly Route[]): Route {
  let document: Record<string, unknown> | undefined;
  return defineRoute({
    name: 'getOpenApi',
    method: 'GET',
    path: '/openapi.json',
    access: 'anonymous',
    summary: 'This API’s OpenAPI 3.1 document, generated from the route table',
    tags: ['meta'],
    responses: { 200: { description: 'OpenAPI 3.1 document', schema: z.record(z.string(), z.unknown()) } },
    async handler() {
      if (!document) {
        const { buildOpenApi } = await import('../openapi.ts');
        document = buildOpenApi(table(), { title: 'CSP customer self-service portal API', version: '0.1.0' });
      }
      return { status: 200, body: document, headers: { 'cache-control': 'public, max-age=300' } };
    },
  });
}
