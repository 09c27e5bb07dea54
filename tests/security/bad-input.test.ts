import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { routes } from '../../src/http/routes.ts';
import type { Route } from '../../src/http/route.ts';
import { containerNames, tableNames } from '../../src/adapters/storage/storage.ts';
import { buildCustomerFields, createTestApp, type TestApp } from '../support/test-app.ts';

/**
 * Generated bad input for every route of the route table: path parameters, query strings and bodies derived
 * from the route's zod schemas and then broken (wrong types, missing and unknown fields, huge and deep
 * values, unicode edge cases, impossible dates, OData and CSV injection). Whatever is sent: never a 5xx,
 * always problem+json for an error, and every table and blob exactly as before.
 */
const nasty = [
  "' or 1 eq 1",
  "x' or PartitionKey ne '",
  '=HYPERLINK("http://evil.example","click")',
  '+cmd|/C calc!A0',
  '@SUM(1+1)',
  '../../etc/passwd',
  '%00',
  '\u0000\u0001\u001f',
  '\u202e\u200b\ufeff',
  '𝓤𝓷𝓲𝓬𝓸𝓭𝓮 🎉 ﷽',
  '<script>alert(1)</script>',
  '2026-02-30',
  '2026-13-01',
  '9999999999999999999999',
  '-1',
  'NaN',
  'x'.repeat(5000),
];

const scalarArb = fc.oneof(
  fc.constantFrom<unknown>(...nasty, null, true, false, 0, -1, 1e308, -1e308, 1.5, 2 ** 53 + 1, '', [], {}),
  fc.string({ maxLength: 40 }),
  fc.integer(),
  fc.double(),
);

/** JSON nested `depth` levels deep, built as text (too deep to stringify). */
const deepJson = (depth: number) => `${'{"a":['.repeat(depth)}1${']}'.repeat(depth)}`;

/** The top-level keys a body schema knows, to break them one by one. */
function knownKeys(schema: z.ZodType | undefined): string[] {
  if (!schema) return [];
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, unknown>;
    $ref?: string;
    $defs?: Record<string, { properties?: Record<string, unknown> }>;
  };
  const root = json.$ref && json.$defs ? json.$defs[json.$ref.split('/').at(-1) ?? ''] : json;
  return Object.keys(root?.properties ?? {});
}

function bodiesFor(route: Route): fc.Arbitrary<{ raw?: string; body?: unknown; contentType?: string }> {
  const keys = knownKeys(route.body);
  const broken = keys.length
    ? fc
        .tuple(fc.constantFrom(...keys), scalarArb, fc.boolean())
        .map(([key, value, extra]) => ({ body: { [key]: value, ...(extra ? { unexpectedField: value } : {}) } }))
    : fc.constant({ body: { unexpectedField: 1 } });
  return fc.oneof(
    broken,
    fc.jsonValue({ maxDepth: 3 }).map((body) => ({ body })),
    fc.constantFrom(
      { raw: '{"unterminated": ', contentType: 'application/json' },
      { raw: '\ud800', contentType: 'application/json' },
      { raw: deepJson(20_000), contentType: 'application/json' },
      { raw: 'a,b,c\n=1+1,"unclosed', contentType: 'text/csv' },
      { raw: '<xml/>', contentType: 'application/xml' },
      { body: Object.fromEntries(keys.map((k) => [k, nasty[0]])) },
      { body: [] },
      { body: null },
    ),
  );
}

function pathFor(route: Route, customerId: string, value: string | undefined): string {
  return `/api${route.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(value ?? (name === 'customerId' ? customerId : 'no-such-id')))}`;
}

/**
 * Any text is a valid question: the assistant's question routes answer it and keep the conversation (that is what
 * they are for), and the first question builds the retrieval index and caches it in the `knowledge` container; so
 * for them those two are left out of the comparison. Everything else must not change.
 */
const freeTextWrites: Record<string, string[]> = {
  askAssistant: ['conversations', 'knowledge'],
  askCustomerAssistant: ['conversations', 'knowledge'],
};

async function snapshot(app: TestApp, except: string[] = []): Promise<string> {
  const hash = createHash('sha256');
  for (const name of tableNames) {
    if (except.includes(name)) continue;
    for await (const entity of app.services.storage.table(name).listEntities()) hash.update(JSON.stringify(entity));
  }
  for (const name of containerNames) {
    if (except.includes(name)) continue;
    const container = await app.services.storage.container(name);
    if (!(await container.exists())) continue;
    for await (const blob of container.listBlobsFlat()) hash.update(`${blob.name}:${blob.properties.etag ?? ''}`);
  }
  return hash.digest('hex');
}

let app: TestApp;
let customerId: string;
let partner: string;
let cases = 0;

beforeAll(async () => {
  app = await createTestApp();
  partner = await app.tokens.partnerAdmin();
  customerId = (
    await app.call('POST', '/api/customers', {
      token: partner,
      body: buildCustomerFields({ tenantId: '5d1b3c2a-0000-4000-8000-000000000123' }),
    })
  ).body.id;
});

afterAll(() => {
  console.log(`bad input: ${cases} requests over ${routes.length} routes`);
});

describe('bad input never gets a 5xx and changes nothing', () => {
  for (const route of routes) {
    it(`${route.method} ${route.path}`, async () => {
      const except = freeTextWrites[route.name] ?? [];
      const before = await snapshot(app, except);
      const send = async (
        path: string,
        options: { body?: unknown; raw?: string; contentType?: string; query?: string },
      ) => {
        cases += 1;
        const response = await app.call(route.method, `${path}${options.query ?? ''}`, {
          token: partner,
          ...(options.raw !== undefined
            ? { rawBody: options.raw }
            : options.body !== undefined
              ? { body: options.body }
              : {}),
          headers: {
            ...(options.contentType ? { 'content-type': options.contentType } : {}),
            'if-match': 'W/"datetime\'2000-01-01T00%3A00%3A00Z\'"',
            'idempotency-key': 'bad-input-key-1',
          },
        });
        const label = `${route.method} ${path}${options.query ?? ''} ${JSON.stringify(options.body ?? options.raw ?? '').slice(0, 120)} → ${response.status} ${JSON.stringify(response.body).slice(0, 200)}`;
        expect(response.status, label).toBeLessThan(500);
        if (response.status >= 400)
          expect(response.headers.get('content-type'), label).toBe('application/problem+json');
        return response.status;
      };

      const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
      for (const value of params.length ? nasty.slice(0, 12) : []) await send(pathFor(route, customerId, value), {});
      await fc.assert(
        fc.asyncProperty(
          fc.dictionary(
            fc.constantFrom('pageSize', 'continuationToken', 'status', 'from', 'to', 'search', 'format', 'months', 'x'),
            fc.constantFrom(...nasty.slice(0, 14)),
            { maxKeys: 3 },
          ),
          async (query) => {
            await send(pathFor(route, customerId, undefined), { query: `?${new URLSearchParams(query).toString()}` });
          },
        ),
        { numRuns: route.query ? 12 : 3 },
      );
      if (route.method !== 'GET') {
        await fc.assert(
          fc.asyncProperty(bodiesFor(route), async (input) => {
            // A generated body the route's schema accepts is not bad input but a request (`{ "months": 1 }` is a
            // real advance of the simulator clock), so it may change data: skipped. Bad path values are sent above.
            fc.pre(input.raw !== undefined || !route.body?.safeParse(input.body).success);
            await send(pathFor(route, customerId, undefined), input);
          }),
          { numRuns: 20 },
        );
      }
      expect(await snapshot(app, except), `${route.name} changed stored data`).toBe(before);
    });
  }
});
