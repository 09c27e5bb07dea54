import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import fx from '@azure/functions';
import { inject } from 'vitest';
import { loadConfig, type Config } from '../../src/config.ts';
import { createServices, type Services } from '../../src/main.ts';
import { functionsHandler } from '../../src/http/functions-handler.ts';
import { routes } from '../../src/http/routes.ts';
import type { HttpMethod, Route } from '../../src/http/route.ts';
import {
  guidFrom,
  loadOrCreateLocalKeys,
  signLocalToken,
  type LocalTokenOptions,
} from '../../src/adapters/auth/local-keys.ts';
import type { CustomerRole } from '../../src/domain/roles.ts';
import type { Clock } from '../../src/app/ports/clock.port.ts';
import { createRouter } from '../../dev/router.ts';

export const PARTNER_TENANT = '00000000-0000-4000-8000-00000000cafe';

/** Settings for a test app: local sign-in, the run's Azurite, tables and containers of its own. */
export function testEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    AUTH_MODE: 'local',
    AUTH_AUDIENCE: 'api://csp-portal-test',
    AUTH_ISSUER: 'https://login.test.invalid/{tenantid}/v2.0',
    AUTH_ALLOWED_TENANTS: '*',
    PARTNER_TENANT_ID: PARTNER_TENANT,
    STORAGE_CONNECTION_STRING: inject('storageConnectionString'),
    STORAGE_NAME_PREFIX: `t${randomBytes(5).toString('hex')}`,
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'csp-test-')),
    ROLE_CACHE_SECONDS: '0',
    RATE_LIMIT_WRITES_PER_MINUTE: '0',
    ...overrides,
  };
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  /** Sent as is (no JSON encoding) when a string or bytes. */
  rawBody?: string | Uint8Array;
  headers?: Record<string, string>;
}

export interface CallResult {
  status: number;
  headers: Headers;
  /** Parsed JSON, the text when not JSON, or the bytes of a binary body. */
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read response bodies field by field
}

export interface TestApp {
  config: Config;
  services: Services;
  /** Everything the handlers logged, one entry per call. */
  logs: string[];
  call(method: HttpMethod, pathAndQuery: string, options?: CallOptions): Promise<CallResult>;
  tokens: {
    partnerAdmin(options?: Partial<LocalTokenOptions>): Promise<string>;
    /** Registers (grants) the user in the customer with the role, and signs its token. */
    customerUser(
      customerId: string,
      role: CustomerRole,
      email?: string,
      options?: { enabled?: boolean; customerName?: string },
    ): Promise<string>;
    /** A signed token of an identity with no records at all. */
    stranger(options?: Partial<LocalTokenOptions>): Promise<string>;
    sign(
      claims: { tenantId: string; objectId: string; email?: string; roles?: string[] },
      options?: Partial<LocalTokenOptions>,
    ): Promise<string>;
  };
}

/**
 * The app as Azure Functions would run it: real route table, v4 HttpRequest/InvocationContext objects, the
 * real composition root on Azurite, and every reply checked against its route's declared schema.
 */
export async function createTestApp(
  overrides: Record<string, string> = {},
  {
    routes: appRoutes = routes,
    ensureStorage = true,
    clock,
  }: { routes?: readonly Route[]; ensureStorage?: boolean; clock?: Clock } = {},
): Promise<TestApp> {
  const config = loadConfig(testEnv(overrides));
  const services = await createServices(config, clock ? { clock } : {});
  if (ensureStorage) await services.storage.ensure();
  const keys = await loadOrCreateLocalKeys(config.DATA_DIR);
  const router = createRouter(
    appRoutes.map((r) => ({
      method: r.method,
      path: r.path,
      target: functionsHandler(r, async () => services, { validateResponses: true }),
    })),
  );

  // Tokens are signed on the real clock: a test clock far from today would make them expired or not yet valid.
  const sign: TestApp['tokens']['sign'] = (claims, options = {}) =>
    signLocalToken(keys, claims, { issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE, ...options });

  const logs: string[] = [];
  return {
    config,
    services,
    logs,
    async call(method, pathAndQuery, options = {}) {
      const url = new URL(pathAndQuery, 'http://localhost');
      const lookup = router(method, url.pathname.replace(/^\/api/, ''));
      if (!lookup.found) throw new Error(`No route for ${method} ${url.pathname}`);
      const headers: Record<string, string> = { ...options.headers };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      let bytes: Uint8Array | undefined;
      if (options.rawBody !== undefined) {
        bytes = typeof options.rawBody === 'string' ? new TextEncoder().encode(options.rawBody) : options.rawBody;
      } else if (options.body !== undefined) {
        bytes = new TextEncoder().encode(JSON.stringify(options.body));
        headers['content-type'] ??= 'application/json';
      }
      if (bytes) headers['content-length'] = String(bytes.byteLength);
      const request = new fx.HttpRequest({
        method,
        url: url.toString(),
        headers,
        params: lookup.found.params,
        ...(bytes ? { body: { bytes } } : {}),
      });
      const context = new fx.InvocationContext({
        invocationId: randomUUID(),
        functionName: 'test',
        logHandler: (level, ...args) => logs.push(`${level} ${args.map(String).join(' ')}`),
      });
      const init = await lookup.found.target(request, context);
      const response = init as {
        status?: number;
        headers?: Record<string, string>;
        jsonBody?: unknown;
        body?: unknown;
      };
      const responseHeaders = new Headers(response.headers);
      let body: unknown = response.jsonBody;
      if (body === undefined && typeof response.body === 'string') {
        body = /json/.test(responseHeaders.get('content-type') ?? '') ? JSON.parse(response.body) : response.body;
      } else if (body === undefined && response.body instanceof Uint8Array) {
        body = response.body;
      }
      return { status: response.status ?? 200, headers: responseHeaders, body };
    },
    tokens: {
      partnerAdmin: (options) =>
        sign(
          {
            tenantId: PARTNER_TENANT,
            objectId: guidFrom('partner-admin'),
            email: 'admin@partner.example',
            roles: ['PartnerAdmin'],
          },
          options,
        ),
      async customerUser(
        customerId,
        role,
        email = `${role.toLowerCase()}@${customerId.slice(0, 8)}.example`,
        options = {},
      ) {
        const tenantId = guidFrom(`tenant:${customerId}`);
        const objectId = guidFrom(`${tenantId}:${email}`);
        await services.access.grant(tenantId, objectId, {
          customerId,
          customerName: options.customerName ?? 'Test customer',
          userId: objectId,
          role,
          enabled: options.enabled ?? true,
        });
        return sign({ tenantId, objectId, email });
      },
      stranger: (options) =>
        sign({ tenantId: randomUUID(), objectId: randomUUID(), email: 'stranger@elsewhere.example' }, options),
      sign,
    },
  };
}

/** A valid customer body, with overrides. */
export function buildCustomerFields(overrides: Record<string, unknown> = {}) {
  return {
    name: 'Contoso Ltd',
    billingDay: 16,
    currency: 'USD',
    country: 'US',
    company: {
      email: 'it@contoso.example',
      address: { line1: '1 Main St', city: 'Seattle', region: 'WA', postalCode: '98101', country: 'US' },
    },
    ...overrides,
  };
}
