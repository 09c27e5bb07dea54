import { z } from 'zod';
import { problemSchema } from './problem.ts';
import type { Access, Route } from './route.ts';

type JsonSchema = Record<string, unknown>;

/**
 * Builds the OpenAPI 3.1 document from the route table: paths, parameters, bodies and responses from the
 * routes' zod schemas (named schemas become components), bearer security where a route needs sign-in, and
 * the problem responses every route can give.
 */
export function buildOpenApi(
  routes: readonly Route[],
  info: { title: string; version: string },
): Record<string, unknown> {
  const components: Record<string, JsonSchema> = {};

  const convert = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
    const json = z.toJSONSchema(schema, { io, unrepresentable: 'any', reused: 'inline' }) as JsonSchema;
    const defs = (json.$defs ?? {}) as Record<string, JsonSchema>;
    delete json.$defs;
    delete json.$schema;
    const renames = new Map<string, string>();
    for (const [id, def] of Object.entries(defs)) {
      let name = id;
      const existing = components[name];
      if (existing && JSON.stringify(existing) !== JSON.stringify(def))
        name = `${id}${io === 'input' ? 'Input' : 'Output'}`;
      renames.set(id, name);
      components[name] = def;
    }
    for (const [id, name] of renames) components[name] = rewriteRefs(defs[id], renames) as JsonSchema;
    return rewriteRefs(json, renames) as JsonSchema;
  };

  const problemRef = convert(problemSchema, 'output');

  const problem = (description: string) => ({
    description,
    content: { 'application/problem+json': { schema: problemRef } },
  });

  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const parameters: unknown[] = [];
    for (const [where, schema] of [
      ['path', route.params],
      ['query', route.query],
    ] as const) {
      if (!schema) continue;
      const json = convert(schema, 'input');
      const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
      const required = new Set((json.required ?? []) as string[]);
      for (const [name, property] of Object.entries(properties)) {
        const { description, ...rest } = property;
        parameters.push({
          name,
          in: where,
          required: where === 'path' || required.has(name),
          schema: rest,
          ...(description ? { description } : {}),
        });
      }
    }
    for (const [name, header] of Object.entries(route.requestHeaders ?? {})) {
      parameters.push({
        name,
        in: 'header',
        required: header.required ?? false,
        description: header.description,
        schema: { type: 'string' },
      });
    }

    const responses: Record<string, unknown> = {};
    for (const [status, spec] of Object.entries(route.responses)) {
      const content = spec.schema
        ? { [spec.contentType ?? 'application/json']: { schema: convert(spec.schema, 'output') } }
        : spec.contentType
          ? { [spec.contentType]: {} }
          : undefined;
      const headers = spec.headers
        ? Object.fromEntries(
            Object.entries(spec.headers).map(([name, description]) => [
              name,
              { description, schema: { type: 'string' } },
            ]),
          )
        : undefined;
      responses[status] = {
        description: spec.description,
        ...(content ? { content } : {}),
        ...(headers ? { headers } : {}),
      };
    }
    for (const [status, text] of standardProblems(route)) responses[status] ??= problem(text);

    const operation: Record<string, unknown> = {
      operationId: route.name,
      summary: route.summary,
      tags: route.tags,
      'x-access': describeAccess(route.access),
      ...(parameters.length ? { parameters } : {}),
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: route.binaryBody
                ? Object.fromEntries(route.binaryBody.contentTypes.map((type) => [type, {}]))
                : Object.fromEntries(
                    (route.textBody?.contentTypes ?? ['application/json']).map((type) => [
                      type,
                      { schema: convert(route.body as z.ZodType, 'input') },
                    ]),
                  ),
            },
          }
        : {}),
      responses,
      security: route.access === 'anonymous' ? [] : [{ bearer: [] }],
    };
    (paths[`/api${route.path}`] ??= {})[route.method.toLowerCase()] = operation;
  }

  return {
    openapi: '3.1.0',
    info: {
      ...info,
      description: 'Backend of the CSP customer self-service portal. Errors are application/problem+json (RFC 9457).',
    },
    servers: [{ url: '/' }],
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'An Entra ID access token for this API (locally: `npm run token`).',
        },
      },
    },
  };
}

function standardProblems(route: Route): [string, string][] {
  const list: [string, string][] = [];
  if (route.params || route.query || route.body)
    list.push(['400', 'The request is not valid; `errors` names each field at fault']);
  if (route.access !== 'anonymous') list.push(['401', 'No valid bearer token'], ['403', 'The caller may not do this']);
  if (route.params) list.push(['404', 'Not found']);
  if (route.body) {
    const types = route.binaryBody?.contentTypes ?? route.textBody?.contentTypes ?? ['application/json'];
    list.push(['413', 'The body is too large'], ['415', `The body is not ${types.join(' or ')}`]);
  }
  if (route.requestHeaders?.['If-Match'])
    list.push(['412', 'The resource has changed since it was read'], ['428', 'If-Match is required']);
  list.push(['500', 'Unexpected error; quote the instance id']);
  return list;
}

function describeAccess(access: Access): string {
  if (typeof access === 'string') return access;
  return `customer:${access.customer}`;
}

function rewriteRefs(value: unknown, renames: Map<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => rewriteRefs(v, renames));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string' && inner.startsWith('#/$defs/')) {
        const id = inner.slice('#/$defs/'.length);
        out[key] = `#/components/schemas/${renames.get(id) ?? id}`;
      } else {
        out[key] = rewriteRefs(inner, renames);
      }
    }
    return out;
  }
  return value;
}
