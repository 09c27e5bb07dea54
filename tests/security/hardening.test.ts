import { beforeAll, describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../src/http/rate-limit.ts';
import { randomUUID } from 'node:crypto';
import { createTestApp, buildCustomerFields, PARTNER_TENANT, type TestApp } from '../support/test-app.ts';
import { bought, readSubscription, setupCustomer, type CustomerSetup } from '../support/subscription-builders.ts';
import { continueBillingRun } from '../../src/app/billing/billing-run.ts';
import { invite, sendInvitation, setupPortalCustomer, signIn } from '../support/portal-user-builders.ts';
import { billingDepsOf } from '../../src/app/billing/deps.ts';

let app: TestApp;
let setup: CustomerSetup;

beforeAll(async () => {
  app = await createTestApp({ CORS_ORIGINS: 'https://portal.example.com', RATE_LIMIT_WRITES_PER_MINUTE: '5' });
  setup = await setupCustomer(app);
});

describe('response headers', () => {
  it('sends security headers on every answer, and no caching of private data', async () => {
    for (const response of [
      await app.call('GET', '/api/health'),
      await app.call('GET', '/api/me'),
      await app.call('GET', `/api/customers/${setup.customerId}`, { token: setup.viewer }),
    ]) {
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    }
  });

  it('allows CORS for the configured portal origin only', async () => {
    const allowed = await app.call('GET', `/api/customers/${setup.customerId}`, {
      token: setup.viewer,
      headers: { origin: 'https://portal.example.com' },
    });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://portal.example.com');
    expect(allowed.headers.get('access-control-expose-headers')).toContain('ETag');
    const other = await app.call('GET', `/api/customers/${setup.customerId}`, {
      token: setup.viewer,
      headers: { origin: 'https://evil.example' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('rate limit on writes', () => {
  it('refuses a burst of writes from one identity with 429 and Retry-After, leaving reads and others alone', async () => {
    const burster = await app.tokens.sign({
      tenantId: PARTNER_TENANT,
      objectId: randomUUID(),
      roles: ['PartnerAdmin'],
    });
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 7; i++) {
      const r = await app.call('POST', `/api/customers/${setup.customerId}/one-off-charges`, {
        token: burster,
        body: { date: '2026-01-01', description: `Charge ${i}`, unitPrice: '1.00' },
      });
      statuses.push(r.status);
      if (r.status === 429) {
        retryAfter = r.headers.get('retry-after');
        expect(r.body.code).toBe('REQUEST.RATE_LIMITED');
      }
    }
    expect(statuses.filter((s) => s === 201)).toHaveLength(5);
    expect(statuses.slice(5)).toEqual([429, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect((await app.call('GET', `/api/customers/${setup.customerId}`, { token: burster })).status).toBe(200);
    expect(
      (
        await app.call('POST', `/api/customers/${setup.customerId}/one-off-charges`, {
          token: setup.partner,
          body: { date: '2026-01-01', description: 'x', unitPrice: '1.00' },
        })
      ).status,
    ).toBe(201);
  });

  it('refills tokens over time', () => {
    let now = 0;
    const limiter = createRateLimiter(60, () => now);
    for (let i = 0; i < 60; i++) expect(limiter.take('a').ok).toBe(true);
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(limiter.take('b').ok).toBe(true);
    now += 1000;
    expect(limiter.take('a').ok).toBe(true);
  });
});

describe('concurrency', () => {
  it('lets exactly one of eight concurrent changes to one subscription win; the others get a clear 409/412', async () => {
    const local = await createTestApp();
    const s = await setupCustomer(local);
    const { id } = await bought(local, s);
    const { etag } = await readSubscription(local, s, id);
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        local.call('POST', `/api/customers/${s.customerId}/subscriptions/${id}/changes`, {
          token: s.modifier,
          body: { kind: 'quantity', quantity: 11 + i, effective: 'immediately' },
          headers: { 'if-match': etag },
        }),
      ),
    );
    const winners = results.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    for (const loser of results.filter((r) => r.status !== 200)) {
      expect([409, 412]).toContain(loser.status);
      expect(loser.headers.get('content-type')).toBe('application/problem+json');
    }
    expect((await local.services.commerce.getSubscription(s.tenantId, id)).quantity).toBe(
      winners[0]?.body.subscription.quantity,
    );
  });

  it('bills a cycle once when one billing run is started many times at once', async () => {
    const local = await createTestApp();
    const partner = await local.tokens.partnerAdmin();
    await local.call('POST', '/api/customers', { token: partner, body: buildCustomerFields({ billingDay: 1 }) });
    const starts = await Promise.all(
      Array.from({ length: 6 }, () =>
        local.call('POST', '/api/billing/runs', { token: partner, body: { period: '2026-01' } }),
      ),
    );
    expect(starts.every((r) => r.status === 202 && r.body.id === '2026-01')).toBe(true);
    await Promise.all(Array.from({ length: 4 }, () => continueBillingRun(billingDepsOf(local.services), '2026-01')));
    const run = await local.call('GET', '/api/billing/runs/2026-01', { token: partner });
    expect(run.body).toMatchObject({ status: 'completed', customersTotal: 1, customersDone: 1, customersFailed: 0 });
  });
});

describe('concurrent invitation acceptance', () => {
  it('binds one identity once when the same invitation is accepted many times at once', async () => {
    const local = await createTestApp();
    const portal = await setupPortalCustomer(local);
    const user = await invite(local, portal, { firstName: 'Ivy', lastName: 'Quick' });
    const token = await sendInvitation(local, portal, user);
    const invitee = await signIn(local, user.email);
    const results = await Promise.all(
      Array.from({ length: 6 }, () => local.call('POST', `/api/invitations/${token}/accept`, { token: invitee.token })),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const loser of results.filter((r) => r.status !== 200)) {
      expect([409, 412]).toContain(loser.status);
      expect(loser.headers.get('content-type')).toBe('application/problem+json');
    }
    const me = await local.call('GET', '/api/me', { token: invitee.token });
    expect(me.body.customers).toEqual([
      { customerId: portal.customerId, customerName: portal.customerName, role: 'View' },
    ]);
  });
});

describe('secrets never reach the logs', () => {
  it('logs no token, key or secret while handling good, bad and failing requests', async () => {
    const local = await createTestApp({ PARTNER_CENTER_CLIENT_SECRET: 'sup3r-s3cret-value-xyz' });
    const token = await local.tokens.partnerAdmin();
    await local.call('GET', '/api/me', { token });
    await local.call('GET', '/api/me', { token: `${token.slice(0, -5)}AAAAA` });
    // An internal error: storage made to fail mid-request.
    const broken = await createTestApp(
      {
        STORAGE_CONNECTION_STRING: local.config.STORAGE_CONNECTION_STRING.replace(
          /AccountKey=[^;]+/,
          'AccountKey=d3Jvbmcta2V5LXdyb25nLWtleQ==',
        ),
      },
      { ensureStorage: false },
    );
    const failing = await broken.call('GET', '/api/customers', { token: await broken.tokens.partnerAdmin() });
    expect(failing.status).toBe(500);
    expect(JSON.stringify(failing.body)).not.toMatch(/AccountKey|devstoreaccount1|stack|at /);
    const logs = [...local.logs, ...broken.logs].join('\n');
    expect(broken.logs.length).toBeGreaterThan(0);
    for (const secret of [
      token,
      token.split('.')[2] as string,
      'sup3r-s3cret-value-xyz',
      'd3Jvbmcta2V5LXdyb25nLWtleQ==',
      'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq',
    ]) {
      expect(logs).not.toContain(secret);
    }
    expect(logs).not.toMatch(/Bearer\s+ey/);
  });
});
