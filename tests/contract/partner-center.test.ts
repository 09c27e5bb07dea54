import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import {
  partnerCenterCommerce,
  type PartnerCenterConfig,
} from '../../src/adapters/commerce/partner-center.commerce.ts';
import type { CommercePort, OrderLine } from '../../src/app/ports/commerce.port.ts';
import { testClock } from '../support/clock.ts';
import {
  startFakePartnerCenter,
  type FakePartnerCenter,
  type RecordedRequest,
} from '../support/fake-partner-center.ts';
import { buildOrderLine, commerceContract, rejection, T0 } from './commerce.contract.ts';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ADD_ON = 'CFQ7TTC0LCHC:0002:CFQ7TTC0K8P5';

function pcConfig(baseUrl: string, overrides: Partial<PartnerCenterConfig> = {}): PartnerCenterConfig {
  return {
    PARTNER_CENTER_BASE_URL: baseUrl,
    PARTNER_CENTER_CLIENT_ID: 'not-used-with-an-injected-token',
    PARTNER_CENTER_CLIENT_SECRET: 'not-used-with-an-injected-token',
    PARTNER_CENTER_TIMEOUT_MS: 5000,
    PARTNER_CENTER_MAX_RETRIES: 2,
    PARTNER_TENANT_ID: '00000000-0000-4000-8000-00000000cafe',
    ...overrides,
  };
}

commerceContract('Partner Center adapter over HTTP', async () => {
  const clock = testClock(T0);
  const fake = await startFakePartnerCenter({ connectionString: inject('storageConnectionString'), clock });
  const commerce = partnerCenterCommerce(pcConfig(fake.url), {
    getToken: async () => fake.token,
    sleep: async () => undefined,
  });
  return { commerce, clock, close: () => fake.close() };
});

describe('Partner Center adapter at the wire', () => {
  const clock = testClock(T0);
  let fake: FakePartnerCenter;
  let sleeps: number[];
  let commerce: CommercePort;
  let tenant: string;

  const adapter = (overrides: Partial<PartnerCenterConfig> = {}, token?: string) =>
    partnerCenterCommerce(pcConfig(fake.url, overrides), {
      getToken: async () => token ?? fake.token,
      sleep: async (ms) => void sleeps.push(ms),
      random: () => 1,
    });
  const customer = () => `/v1/customers/${tenant}`;
  const sent = (method: string) => fake.requests.filter((r) => r.method === method);
  const buy = async (line: Partial<OrderLine> = {}) => {
    const { subscriptions } = await commerce.placeOrder(tenant, [buildOrderLine(line)], randomUUID());
    fake.reset();
    return subscriptions[0]!;
  };
  const quantityAtMicrosoft = async (id: string) => (await fake.simulator.getSubscription(tenant, id)).quantity;

  beforeAll(async () => {
    fake = await startFakePartnerCenter({ connectionString: inject('storageConnectionString'), clock });
  });
  afterAll(() => fake?.close());
  beforeEach(() => {
    fake.reset();
    sleeps = [];
    clock.set(T0);
    tenant = randomUUID();
    commerce = adapter();
  });

  it('orders through a cart and its checkout, then reads the order’s subscriptions', async () => {
    const base = await buy();
    const requestId = randomUUID();
    const { orderId, subscriptions } = await commerce.placeOrder(
      tenant,
      [buildOrderLine(), buildOrderLine({ catalogItemId: ADD_ON, quantity: 2, parentSubscriptionId: base.id })],
      requestId,
    );

    expect(fake.requests).toHaveLength(3);
    const [cart, checkout, read] = fake.requests as [RecordedRequest, RecordedRequest, RecordedRequest];
    expect(cart).toMatchObject({
      method: 'POST',
      path: `${customer()}/carts`,
      body: {
        lineItems: [
          {
            id: 0,
            catalogItemId: buildOrderLine().catalogItemId,
            quantity: 5,
            termDuration: 'P1Y',
            billingCycle: 'monthly',
          },
          {
            id: 1,
            catalogItemId: ADD_ON,
            quantity: 2,
            termDuration: 'P1Y',
            billingCycle: 'monthly',
            provisioningContext: { parentSubscriptionId: base.id },
          },
        ],
      },
    });
    expect(checkout).toMatchObject({
      method: 'POST',
      path: expect.stringMatching(new RegExp(`^${customer()}/carts/[^/]+/checkout$`)),
      body: undefined,
    });
    expect(read).toMatchObject({ method: 'GET', path: `${customer()}/subscriptions?order_id=${orderId}` });

    for (const request of fake.requests) {
      expect(request.headers).toMatchObject({
        authorization: `Bearer ${fake.token}`,
        accept: 'application/json',
        'x-locale': 'en-US',
      });
      expect(request.headers['ms-correlationid']).toBe(cart.headers['ms-correlationid']);
    }
    expect(checkout.headers['ms-requestid']).toBe(requestId);
    expect(cart.headers['ms-requestid']).toMatch(GUID);
    expect(new Set(fake.requests.map((r) => r.headers['ms-requestid'])).size).toBe(3);
    expect(cart.headers['content-type']).toBe('application/json');
    // checkout-a-cart, "Request example": Content-Type: application/json with Content-Length: 0.
    expect(checkout.headers['content-type']).toBe('application/json');

    expect(subscriptions.map((s) => [s.productSkuId, s.parentSubscriptionId])).toEqual([
      ['CFQ7TTC0LH18:0001', undefined],
      ['CFQ7TTC0LCHC:0002', base.id],
    ]);
  });

  it('reads Partner Center’s resource as the port’s subscription, field for field', async () => {
    const sub = await buy();
    await commerce.updateSubscription(
      tenant,
      sub.id,
      {
        scheduledNextTermInstructions: {
          productSkuId: 'CFQ7TTC0LH18:0001',
          quantity: 3,
          termDuration: 'P3Y',
          billingCycle: 'annual',
        },
      },
      randomUUID(),
    );
    expect(await commerce.getSubscription(tenant, sub.id)).toEqual(
      await fake.simulator.getSubscription(tenant, sub.id),
    );
  });

  it('sends each read with a fresh MS-RequestId', async () => {
    const sub = await buy();
    await commerce.getSubscription(tenant, sub.id);
    await commerce.getSubscription(tenant, sub.id);
    const [first, second] = sent('GET').map((r) => r.headers['ms-requestid']);
    expect(first).toMatch(GUID);
    expect(second).toMatch(GUID);
    expect(first).not.toBe(second);
  });

  it('changes a subscription by PATCHing the full resource it has just read', async () => {
    const sub = await buy();
    const resource: unknown = await (
      await fetch(`${fake.url}${customer()}/subscriptions/${sub.id}`, {
        headers: {
          authorization: `Bearer ${fake.token}`,
          accept: 'application/json',
          'ms-requestid': randomUUID(),
          'ms-correlationid': randomUUID(),
          'x-locale': 'en-US',
        },
      })
    ).json();
    fake.reset();

    const requestId = randomUUID();
    expect((await commerce.updateSubscription(tenant, sub.id, { quantity: 7 }, requestId)).quantity).toBe(7);
    const [read, patch] = fake.requests as [RecordedRequest, RecordedRequest];
    expect(read).toMatchObject({ method: 'GET', path: `${customer()}/subscriptions/${sub.id}` });
    expect(patch).toMatchObject({ method: 'PATCH', path: `${customer()}/subscriptions/${sub.id}` });
    expect(patch.body).toEqual({ ...(resource as object), quantity: 7 });
    expect(patch.headers).toMatchObject({
      'ms-requestid': requestId,
      'ms-correlationid': read.headers['ms-correlationid'],
      'content-type': 'application/json',
      'if-match': (resource as { attributes: { etag: string } }).attributes.etag,
    });
  });

  it('sends next-term instructions in Partner Center’s shape, and null to clear them', async () => {
    const sub = await buy();
    await commerce.updateSubscription(
      tenant,
      sub.id,
      {
        scheduledNextTermInstructions: {
          productSkuId: 'CFQ7TTC0LH18:0001',
          quantity: 3,
          termDuration: 'P1Y',
          billingCycle: 'annual',
        },
      },
      randomUUID(),
    );
    await commerce.updateSubscription(tenant, sub.id, { scheduledNextTermInstructions: null }, randomUUID());
    const [set, cleared] = sent('PATCH').map(
      (r) => (r.body as { scheduledNextTermInstructions: unknown }).scheduledNextTermInstructions,
    );
    expect(set).toEqual({
      product: {
        productId: 'CFQ7TTC0LH18',
        skuId: '0001',
        availabilityId: 'CFQ7TTC0K5BF',
        termDuration: 'P1Y',
        billingCycle: 'Annual',
      },
      quantity: 3,
    });
    expect(cleared).toBeNull();
  });

  it('follows links.next when Partner Center pages a list', async () => {
    for (let i = 0; i < 3; i += 1) await buy();
    fake.pageSize = 2;
    const listed = await commerce.listSubscriptions(tenant);
    expect(listed.map((s) => s.id).sort()).toEqual(
      (await fake.simulator.listSubscriptions(tenant)).map((s) => s.id).sort(),
    );
    expect(sent('GET').map((r) => [r.path, r.headers['ms-continuationtoken']])).toEqual([
      [`${customer()}/subscriptions`, undefined],
      [`${customer()}/subscriptions`, '2'],
    ]);
  });

  it('sends a request id that is not a GUID as one stable GUID', async () => {
    const first = await commerce.placeOrder(tenant, [buildOrderLine()], 'order-42');
    const again = await commerce.placeOrder(tenant, [buildOrderLine()], 'order-42');
    expect(again.orderId).toBe(first.orderId);
    const [a, b] = fake.requests.filter((r) => r.path.endsWith('/checkout')).map((r) => r.headers['ms-requestid']);
    expect(a).toMatch(GUID);
    expect(b).toBe(a);
  });

  it('waits out a 429’s Retry-After and retries the write with the same MS-RequestId', async () => {
    const sub = await buy();
    fake.failNext({ times: 2, answer: 429, retryAfter: '3', method: 'PATCH' });
    const requestId = randomUUID();
    expect((await commerce.updateSubscription(tenant, sub.id, { quantity: 7 }, requestId)).quantity).toBe(7);
    expect(sleeps).toEqual([3000, 3000]);
    expect(sent('PATCH').map((r) => r.headers['ms-requestid'])).toEqual([requestId, requestId, requestId]);
  });

  it('reads a Retry-After given as an HTTP date', async () => {
    const sub = await buy();
    fake.failNext({ times: 1, answer: 429, retryAfter: new Date(Date.now() + 5000).toUTCString() });
    await commerce.getSubscription(tenant, sub.id);
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThan(2000);
    expect(sleeps[0]).toBeLessThanOrEqual(5000);
  });

  it('ends a call still throttled after the retries in COMMERCE.THROTTLED with the Retry-After', async () => {
    const sub = await buy();
    fake.failNext({ times: 3, answer: 429, retryAfter: '7' });
    const error = await rejection(commerce.getSubscription(tenant, sub.id));
    expect(error).toMatchObject({ kind: 'Unavailable', code: 'COMMERCE.THROTTLED', extra: { retryAfterSeconds: 7 } });
    expect(fake.requests).toHaveLength(3);
    expect(sleeps).toEqual([7000, 7000]);
  });

  it('does not wait past its total budget: a long Retry-After is handed to the caller at once', async () => {
    const sub = await buy();
    fake.failNext({ times: 1, answer: 429, retryAfter: '120' });
    const error = await rejection(commerce.getSubscription(tenant, sub.id));
    expect(error).toMatchObject({ code: 'COMMERCE.THROTTLED', extra: { retryAfterSeconds: 120 } });
    expect(fake.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('backs off exponentially on 5xx, then ends in COMMERCE.UNAVAILABLE with nothing changed', async () => {
    const sub = await buy();
    fake.failNext({ times: 3, answer: 500, method: 'PATCH' });
    const requestId = randomUUID();
    const error = await rejection(commerce.updateSubscription(tenant, sub.id, { quantity: 9 }, requestId));
    expect(error).toMatchObject({ kind: 'Unavailable', code: 'COMMERCE.UNAVAILABLE' });
    expect(error.message).toContain('HTTP 500');
    expect(sleeps).toEqual([500, 1000]);
    expect(sent('PATCH').map((r) => r.headers['ms-requestid'])).toEqual([requestId, requestId, requestId]);
    expect(await quantityAtMicrosoft(sub.id)).toBe(5);
  });

  it('times out a call that gets no answer, retries, then ends in COMMERCE.UNAVAILABLE with nothing changed', async () => {
    const sub = await buy();
    fake.failNext({ times: 3, answer: 'hang', method: 'PATCH' });
    const error = await rejection(
      adapter({ PARTNER_CENTER_TIMEOUT_MS: 200 }).updateSubscription(tenant, sub.id, { quantity: 9 }, randomUUID()),
    );
    expect(error).toMatchObject({ kind: 'Unavailable', code: 'COMMERCE.UNAVAILABLE' });
    expect(error.message).toContain('no answer within 200 ms');
    expect(sent('PATCH')).toHaveLength(3);
    expect(await quantityAtMicrosoft(sub.id)).toBe(5);
  });

  it('retries a checkout that failed with a 503 under the same MS-RequestId and places one order', async () => {
    fake.failNext({ times: 1, answer: 503, path: /\/checkout$/ });
    const requestId = randomUUID();
    const { subscriptions } = await commerce.placeOrder(tenant, [buildOrderLine()], requestId);
    expect(subscriptions).toHaveLength(1);
    expect(fake.requests.filter((r) => r.path.endsWith('/checkout')).map((r) => r.headers['ms-requestid'])).toEqual([
      requestId,
      requestId,
    ]);
    expect(sleeps).toEqual([500]);
    expect(await fake.simulator.listSubscriptions(tenant)).toHaveLength(1);
  });

  it('reports refused credentials at once, without the token', async () => {
    const error = await rejection(adapter({}, 'stale-token').listSubscriptions(tenant));
    expect(error).toMatchObject({ kind: 'Unavailable', code: 'COMMERCE.UNAVAILABLE' });
    expect(error.message).toMatch(/credentials.*HTTP 401/);
    expect(error.message).not.toContain('stale-token');
    expect(fake.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('surfaces Microsoft’s refusals, on a PATCH or in a checkout’s orderErrors, with its code and description', async () => {
    const sub = await buy();
    clock.advanceHours(169);
    const decrease = await rejection(commerce.updateSubscription(tenant, sub.id, { quantity: 4 }, randomUUID()));
    expect(decrease).toMatchObject({
      kind: 'Conflict',
      code: 'COMMERCE.REFUSED',
      extra: { microsoftCode: 'DECREASE_WINDOW_CLOSED', httpStatus: 409 },
    });

    const orphan = await rejection(
      commerce.placeOrder(
        tenant,
        [buildOrderLine({ catalogItemId: ADD_ON, parentSubscriptionId: randomUUID() })],
        randomUUID(),
      ),
    );
    expect(orphan).toMatchObject({
      kind: 'Conflict',
      code: 'COMMERCE.REFUSED',
      extra: { microsoftCode: 'COMMERCE.PARENT_NOT_ACTIVE' },
    });
    expect(orphan.message).toMatch(/base subscription/);
  });
});
