import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { buildOpenApi, tagDescriptions } from '../../src/http/openapi.ts';
import { problemSchema } from '../../src/http/problem.ts';
import { problemEntry } from '../../src/http/problem-registry.ts';
import { routes } from '../../src/http/routes.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- walking a JSON document

const document = buildOpenApi(routes, { title: 'test', version: '0' }) as Json;
const operationOf = (route: (typeof routes)[number]): Json =>
  document.paths[`/api${route.path}`][route.method.toLowerCase()];

const issues = (schema: z.ZodType, value: unknown) => {
  const result = schema.safeParse(value);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('OpenAPI document for integrators', () => {
  it.each(routes.map((route) => [route.name, route] as const))(
    '%s: examples validate against its schemas',
    (_, route) => {
      const operation = operationOf(route);
      expect(operation.description.length).toBeGreaterThan(20);
      expect(operation['x-problem-codes'].length).toBeGreaterThan(0);

      let responseExamples = 0;
      for (const [status, spec] of Object.entries(route.responses)) {
        const media = operation.responses[status].content?.[spec.contentType ?? 'application/json'];
        if (!spec.schema) continue;
        expect(media.example, `${status} example`).toBeDefined();
        expect(issues(spec.schema, media.example), `${status} example`).toEqual([]);
        responseExamples++;
      }
      for (const [status, response] of Object.entries(operation.responses as Json)) {
        const examples = response.content?.['application/problem+json']?.examples as Json | undefined;
        for (const [code, example] of Object.entries(examples ?? {})) {
          expect(issues(problemSchema, example.value), code).toEqual([]);
          expect(example.value).toMatchObject({ code, status: Number(status), type: `/api/problems/${code}` });
          expect(problemEntry(code)?.status).toBe(Number(status));
          responseExamples++;
        }
      }
      expect(responseExamples).toBeGreaterThan(0);

      if (route.body && !route.binaryBody) {
        const media = Object.values(operation.requestBody.content as Json)[0];
        expect(issues(route.body, media.example), 'request example').toEqual([]);
      }
      for (const [where, schema] of [
        ['path', route.params],
        ['query', route.query],
      ] as const) {
        if (!schema) continue;
        const values = Object.fromEntries(
          (operation.parameters as Json[]).filter((p) => p.in === where).map((p) => [p.name, String(p.example)]),
        );
        for (const p of operation.parameters as Json[]) if (p.in === where) expect(p.description, p.name).toBeTruthy();
        expect(issues(schema, values), `${where} examples`).toEqual([]);
      }
    },
  );

  it('lists every tag globally, each with a description', () => {
    const used = new Set(routes.flatMap((route) => route.tags));
    expect(document.tags.map((tag: Json) => tag.name).sort()).toEqual([...used].sort());
    for (const tag of document.tags) expect(tag.description, tag.name).toBeTruthy();
    expect(Object.keys(tagDescriptions).sort()).toEqual([...used].sort());
  });
});
