import { z } from 'zod';
import { exampleFor } from './openapi-examples.ts';
import { problemSchema } from './problem.ts';
import { problemRegistry, problemTypeUri, type ProblemEntry } from './problem-registry.ts';
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

  const problem = (status: number, entries: ProblemEntry[]) => ({
    description: entries.map((entry) => `\`${entry.code}\`: ${entry.title}.`).join(' '),
    content: {
      'application/problem+json': {
        schema: problemRef,
        examples: Object.fromEntries(
          entries.map((entry) => [entry.code, { summary: entry.title, value: problemExample(entry, status) }]),
        ),
      },
    },
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
          description: description ?? parameterDescriptions[name] ?? `The ${name}.`,
          schema: rest,
          example: exampleFor(rest, components, name),
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
      const schema = spec.schema ? convert(spec.schema, 'output') : undefined;
      const content = schema
        ? { [spec.contentType ?? 'application/json']: { schema, example: exampleFor(schema, components) } }
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
    const codes = problemsOf(route);
    const byStatus = new Map<number, ProblemEntry[]>();
    for (const entry of codes) byStatus.set(entry.status, [...(byStatus.get(entry.status) ?? []), entry]);
    for (const [status, entries] of [...byStatus].sort(([a], [b]) => a - b))
      responses[String(status)] ??= problem(status, entries);

    const operation: Record<string, unknown> = {
      operationId: route.name,
      summary: route.summary,
      description: describeOperation(route, codes),
      tags: route.tags,
      'x-problem-codes': codes.map((entry) => entry.code),
      'x-access': describeAccess(route.access),
      ...(parameters.length ? { parameters } : {}),
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: route.binaryBody
                ? Object.fromEntries(route.binaryBody.contentTypes.map((type) => [type, {}]))
                : Object.fromEntries(
                    (route.textBody?.contentTypes ?? ['application/json']).map((type) => {
                      const schema = convert(route.body as z.ZodType, 'input');
                      return [type, { schema, example: exampleFor(schema, components) }];
                    }),
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
      description:
        'Backend of the CSP customer self-service portal: customers see and change their Microsoft subscriptions, ' +
        'licenses, invoices and usage; the partner runs the catalog, prices, customers and billing. Sign in with an ' +
        'Entra ID token (locally `npm run token`). Writes to an existing resource need If-Match with the ETag of the ' +
        'last read. Errors are application/problem+json (RFC 9457) with a stable `code`; each operation lists the ' +
        'codes it can answer with in `x-problem-codes`, and each problem `type` (`/api/problems/{code}`) explains ' +
        'its code and what to do.',
      contact: { name: 'The partner’s support desk', url: 'https://learn.microsoft.com/partner-center/' },
      license: { name: 'Proprietary: licensed to the partner that deploys it', identifier: 'LicenseRef-Proprietary' },
    },
    servers: [{ url: '/', description: 'This deployment' }],
    tags: Object.entries(tagDescriptions).map(([name, description]) => ({ name, description })),
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

/** The registry's codes this route can answer with, by the entries' `on` rules. */
export function problemsOf(route: Route): ProblemEntry[] {
  const signedIn = route.access !== 'anonymous';
  return problemRegistry.filter((entry) => {
    switch (entry.on) {
      case 'jobs':
      case 'unrouted':
        return false;
      case 'any':
        return true;
      case 'signedIn':
        return signedIn && (entry.code !== 'AUTH.PARTNER_ADMIN_REQUIRED' || route.access !== 'signedIn');
      case 'customer':
        return route.path.startsWith('/customers/{customerId}');
      case 'input':
        return Boolean(route.params || route.query || route.body);
      case 'body':
        return Boolean(route.body);
      case 'ifMatch':
        return Boolean(route.requestHeaders?.['If-Match']);
      case 'write':
        return signedIn && route.method !== 'GET';
      default:
        return entry.on.includes(route.name);
    }
  });
}

function problemExample(entry: ProblemEntry, status: number): Record<string, unknown> {
  return {
    type: problemTypeUri(entry.code),
    title: entry.title,
    status,
    detail: entry.when,
    instance: '5f0c2a9e-1d3b-4c7a-8e6f-2b4d6a8c0e1f',
    code: entry.code,
    ...(entry.code === 'REQUEST.INVALID'
      ? { errors: [{ path: 'body.quantity', message: 'Too small: expected number to be >=1' }] }
      : {}),
  };
}

function describeOperation(route: Route, codes: ProblemEntry[]): string {
  const parts = [route.description ?? `${route.summary}.`];
  parts.push(`**Who may call:** ${accessSentence(route.access)}`);
  if (route.requestHeaders?.['If-Match'])
    parts.push(
      '**Concurrency:** send the `ETag` of your last read as `If-Match`; the response carries the new `ETag`.',
    );
  if (route.requestHeaders?.['Idempotency-Key'])
    parts.push(
      '**Retries:** send a fresh `Idempotency-Key` per order and the same key to retry it; a retry answers the first result.',
    );
  const specific = codes.filter((entry) => Array.isArray(entry.on));
  if (specific.length)
    parts.push(
      `**Refusals specific to this operation:** ${specific.map((e) => `\`${e.code}\``).join(', ')} (see \`x-problem-codes\` and \`/api/problems/{code}\`).`,
    );
  return parts.join('\n\n');
}

function accessSentence(access: Access): string {
  if (access === 'anonymous') return 'anyone, no sign-in.';
  if (access === 'signedIn') return 'any signed-in user.';
  if (access === 'partnerAdmin') return 'the partner’s administrators.';
  return `portal users of the customer with role ${access.customer} or above (${
    access.customer === 'View' ? 'View, Modify, Admin' : access.customer === 'Modify' ? 'Modify, Admin' : 'Admin'
  }), and the partner’s administrators.`;
}

/** The global tag list: every tag a route uses, with what its operations are for. */
export const tagDescriptions: Record<string, string> = {
  meta: 'Health, this document and the problem-code registry.',
  me: 'The signed-in user: identity, the customers they may act for, their own profile.',
  customers: 'The partner’s customers: billing day, currency, country, reseller, tenant link.',
  catalog: 'Products the partner sells (F-CATALOG) and the catalog one customer may buy from.',
  'price lists': 'The global and customer-specific price lists: sale price and cost per product, term and frequency.',
  'sale profiles': 'Products-for-sale profiles limiting what a customer may order.',
  subscriptions:
    'My Services, buying, changes (quantity, suspend, cancel, auto-renew, add-ons) effective immediately, on renewal or on a date, and future changes (F-BUY, F-SERVICES, F-CHANGE, F-NCE, F-FUTURE).',
  'change-log': 'Every transaction on a customer’s subscriptions: who, when, what, before → after (F-LOG).',
  settings: 'Partner settings: billing-change confirmation, Azure usage mark-up.',
  invoices: 'Invoices, their breakdown and download; one-off charges; marking paid (F-INVOICES).',
  billing: 'The monthly billing run for a period (F-BILLING).',
  'portal users': 'Who may use the portal for a customer: invitations, roles, access (F-USERS).',
  profiles: 'The company profile (needed to create a tenant) and user profiles (F-PROFILE).',
  agreements: 'Microsoft Customer Agreement acceptance (F-AGREEMENTS).',
  tenants: 'Domain availability and creating a customer’s Microsoft tenant (F-TENANT).',
  branding: 'The partner’s logo for the portal and the reports (F-BRAND).',
  'microsoft 365':
    'The customer’s Microsoft 365 users, licenses, groups and admin consent, through Microsoft Graph (F-LICENSES).',
  usage: 'Azure usage per customer and subscription, reconciliation imports (F-USAGE).',
  resellers: 'Resellers (VARs) owning some of the partner’s customers.',
  reports: 'Billing reports and service-provider reports in Blob storage, license counts (F-REPORTS).',
  assistant:
    'The support assistant: answers with references from the partner’s knowledge base and the caller’s own account (F-ASSIST).',
  reconciliation:
    'Microsoft’s billed line items against what each customer was billed: cost, margin and every mismatch (F-RECON).',
  psa: 'Customers and products mapped to a PSA; each cycle’s agreement additions as CSV or sent to ConnectWise Manage (F-PSA).',
  simulator: 'The simulator clock (COMMERCE_MODE=simulator only): read and advance the app’s time (F-CLOCK).',
};

const parameterDescriptions: Record<string, string> = {
  customerId: 'The customer’s id (from `GET /api/me` or `GET /api/customers`).',
  subscriptionId: 'The subscription’s id, as My Services lists it.',
  changeId: 'The future change’s id, as Future Changes lists it.',
  invoiceId: 'The invoice’s id, as the invoice list gives it.',
  productId: 'The product’s id: offer id and SKU, e.g. `CFQ7TTC0LCHC:0002`.',
  profileId: 'The products-for-sale profile’s id.',
  agreementId: 'The agreement’s id, as the agreement list gives it.',
  reportId: 'The report’s id, as the report list gives it.',
  resellerId: 'The reseller’s id.',
  runId: 'The billing run’s id: its period, `YYYY-MM`.',
  period: 'A month, `YYYY-MM`.',
  token: 'The invitation token from the invitation link.',
  userId: 'The user’s id.',
  category: 'Only products of this category.',
  continuationToken: 'The `continuationToken` of the previous page; omit for the first page.',
  pageSize: 'How many items per page.',
  format: 'The file format to download.',
  from: 'The first date included (UTC calendar date).',
  to: 'The first date no longer included (UTC calendar date).',
  status: 'Only items with this status.',
  month: 'A calendar month, `YYYY-MM`.',
  cycle: 'A billing cycle, named by its end date (`YYYY-MM-DD`).',
  documentId: 'The knowledge document’s id.',
};

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
