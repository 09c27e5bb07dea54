import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roleSatisfies, customerRoles, type CustomerRole } from '../../src/domain/roles.ts';
import { routes } from '../../src/http/routes.ts';
import type { Access, Route } from '../../src/http/route.ts';
import { loadOrCreateLocalKeys, signLocalToken } from '../../src/adapters/auth/local-keys.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildCustomerFields, createTestApp, PARTNER_TENANT, type TestApp } from '../support/test-app.ts';

/**
 * Every route of the route table × every kind of caller. The expected outcome is derived from the route's
 * declared access alone: 401 for anyone without a valid token, 403 for a valid caller without the right,
 * anything but 401/403 (and never a 5xx) for the rest.
 */
type Caller = {
  name: string;
  token?: string;
  valid: boolean;
  role?: CustomerRole | 'PartnerAdmin' | 'other' | 'disabled' | 'none';
};

let app: TestApp;
let target: { id: string; name: string };
let callers: Caller[];
let cases = 0;

beforeAll(async () => {
  app = await createTestApp();
  const admin = await app.tokens.partnerAdmin();
  target = (
    await app.call('POST', '/api/customers', {
      token: admin,
      body: buildCustomerFields({ name: 'Target Customer Zeta' }),
    })
  ).body;
  const other = (
    await app.call('POST', '/api/customers', { token: admin, body: buildCustomerFields({ name: 'Other Customer' }) })
  ).body;
  const strangerKeys = await loadOrCreateLocalKeys(mkdtempSync(path.join(tmpdir(), 'other-keys-')));
  const claims = { tenantId: PARTNER_TENANT, objectId: randomUUID(), roles: ['PartnerAdmin'] };
  const good = { issuer: app.config.AUTH_ISSUER, audience: app.config.AUTH_AUDIENCE };

  callers = [
    { name: 'anonymous', valid: false },
    { name: 'malformed token', token: 'abc.def', valid: false },
    { name: 'bad signature', token: await signLocalToken(strangerKeys, claims, good), valid: false },
    { name: 'expired', token: await app.tokens.partnerAdmin({ expiresInSeconds: -3600 }), valid: false },
    { name: 'not yet valid', token: await app.tokens.partnerAdmin({ notBeforeSeconds: 3600 }), valid: false },
    { name: 'wrong audience', token: await app.tokens.partnerAdmin({ audience: 'api://another-app' }), valid: false },
    {
      name: 'wrong issuer',
      token: await app.tokens.partnerAdmin({ issuer: 'https://evil.example/{tenantid}/v2.0' }),
      valid: false,
    },
    ...(await Promise.all(
      customerRoles.map(async (role) => ({
        name: `${role} of the customer`,
        token: await app.tokens.customerUser(target.id, role),
        valid: true,
        role,
      })),
    )),
    {
      name: 'Admin of another customer',
      token: await app.tokens.customerUser(other.id, 'Admin', 'admin@other.example'),
      valid: true,
      role: 'other',
    },
    {
      name: 'disabled portal user',
      token: await app.tokens.customerUser(target.id, 'Admin', 'gone@target.example', { enabled: false }),
      valid: true,
      role: 'disabled',
    },
    { name: 'signed-in stranger', token: await app.tokens.stranger(), valid: true, role: 'none' },
    { name: 'PartnerAdmin', token: admin, valid: true, role: 'PartnerAdmin' },
  ];
});

afterAll(() => {
  console.log(`authorization matrix: ${cases} cases (${routes.length} routes × ${callers.length} callers)`);
});

function expected(access: Access, caller: Caller): 'allowed' | 401 | 403 {
  if (access === 'anonymous') return 'allowed';
  if (!caller.valid) return 401;
  if (access === 'signedIn') return 'allowed';
  if (caller.role === 'PartnerAdmin') return 'allowed';
  if (access === 'partnerAdmin') return 403;
  const role = caller.role;
  return role === 'View' || role === 'Modify' || role === 'Admin'
    ? roleSatisfies(role, access.customer)
      ? 'allowed'
      : 403
    : 403;
}

function concretePath(route: Route): string {
  return `/api${route.path.replace(/\{(\w+)\}/g, (_, name: string) => (name === 'customerId' ? target.id : randomUUID()))}`;
}

describe('authorization matrix', () => {
  it('covers every route, each with a declared access rule', () => {
    for (const route of routes) {
      const access = route.access;
      const valid =
        access === 'anonymous' ||
        access === 'signedIn' ||
        access === 'partnerAdmin' ||
        (typeof access === 'object' && customerRoles.includes(access.customer));
      expect(valid, `${route.name} declares no valid access`).toBe(true);
      if (typeof access === 'object')
        expect(route.path, `${route.name} is per customer but has no {customerId}`).toContain('{customerId}');
    }
  });

  for (const route of routes) {
    it(`${route.method} ${route.path} (${typeof route.access === 'string' ? route.access : `customer ${route.access.customer}`})`, async () => {
      for (const caller of callers) {
        cases += 1;
        const response = await app.call(route.method, concretePath(route), caller.token ? { token: caller.token } : {});
        const label = `${route.name} as ${caller.name}: ${response.status} ${JSON.stringify(response.body).slice(0, 200)}`;
        expect(response.status, label).toBeLessThan(500);
        const outcome = expected(route.access, caller);
        if (outcome === 'allowed') {
          expect([401, 403], label).not.toContain(response.status);
        } else {
          expect(response.status, label).toBe(outcome);
          expect(response.headers.get('content-type'), label).toBe('application/problem+json');
          const text = JSON.stringify(response.body);
          expect(text, label).not.toContain(target.name);
        }
      }
    });
  }
});
