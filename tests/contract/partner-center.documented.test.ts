import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import {
  partnerCenterCommerce,
  type PartnerCenterConfig,
} from '../../src/adapters/commerce/partner-center.commerce.ts';
import { CommerceThrottledError } from '../../src/app/commerce-errors.ts';
import type { CommercePort, OrderLine } from '../../src/app/ports/commerce.port.ts';
import { problemReply } from '../../src/http/problem.ts';
import { testClock } from '../support/clock.ts';
import { startFakePartnerCenter, type FakePartnerCenter } from '../support/fake-partner-center.ts';
import { buildOrderLine, rejection, T0 } from './commerce.contract.ts';

/**
 * The real Partner Center adapter driven by Microsoft's documented examples (the fake's header names each one),
 * one item of the issue per block. Pages are learn.microsoft.com/partner-center/developer/{page}.
 */

function pcConfig(baseUrl: string): PartnerCenterConfig {
  return {
    PARTNER_CENTER_BASE_URL: baseUrl,
    PARTNER_CENTER_CLIENT_ID: 'not-used-with-an-injected-token',
    PARTNER_CENTER_CLIENT_SECRET: 'not-used-with-an-injected-token',
    PARTNER_CENTER_TIMEOUT_MS: 5000,
    PARTNER_CENTER_MAX_RETRIES: 2,
    PARTNER_TENANT_ID: '00000000-0000-4000-8000-00000000cafe',
  };
}

/** get-a-subscription-by-id, "Response example for a standard subscription" (Azure legacy), verbatim but its tenant. */
const azureLegacyExample = (tenant: string) => ({
  id: 'A356AC8C-E310-44F4-BF85-C7F29044AF99',
  entitlementId: '42226ED6-070A-4E0F-B80C-4CDFB3E97AA7',
  offerId: 'MS-AZR-0145P',
  offerName: 'Microsoft Azure',
  friendlyName: 'Microsoft Azure',
  quantity: 1,
  unitType: 'Usage-based',
  creationDate: '2016-05-10T07:30:05.427Z',
  effectiveStartDate: '2016-05-10T00:00:00Z',
  commitmentEndDate: '9999-12-10T00:00:00Z',
  status: 'active',
  autoRenewEnabled: false,
  billingType: 'usage',
  contractType: 'subscription',
  links: {
    offer: { uri: '/offers/MS-AZR-0145P?country=US', method: 'GET', headers: [] },
    self: {
      uri: `/customers/${tenant}/subscriptions/A356AC8C-E310-44F4-BF85-C7F29044AF99`,
      method: 'GET',
      headers: [],
    },
  },
  orderId: 'B23FDEDD-D6BD-415A-8B71-3624C81C9644',
  attributes: {
    etag: 'eyJpZCI6ImEzNTZhYzhjLWUzMTAtNDRmNC1iZjg1LWM3ZjI5MDQ0YWY5OSIsInZlcnNpb24iOjJ9',
    objectType: 'Subscription',
  },
});

/** get-a-subscription-by-id, "Response example for an add-on subscription" (legacy add-on), verbatim but its tenant. */
const legacyAddOnExample = (tenant: string) => ({
  id: '968BA1CF-C146-4ADF-A300-308DCF718EEE',
  offerId: '2828BE95-46BA-4F91-B2FD-0BEF192ECF60',
  offerName: 'Exchange Online Archiving for Exchange Online',
  friendlyName: 'Some friendly name',
  quantity: 2,
  unitType: 'Licenses',
  parentSubscriptionId: '1C2B75C1-74A5-472A-A729-7F8CEFC477F9',
  creationDate: '2017-01-25T23:01:08.693Z',
  effectiveStartDate: '2017-01-25T00:00:00Z',
  commitmentEndDate: '2018-02-10T00:00:00Z',
  status: 'active',
  autoRenewEnabled: true,
  billingType: 'license',
  contractType: 'subscription',
  links: {
    offer: { uri: '/offers/2828BE95-46BA-4F91-B2FD-0BEF192ECF60?country=US', method: 'GET', headers: [] },
    self: {
      uri: `/customers/${tenant}/subscriptions/968BA1CF-C146-4ADF-A300-308DCF718EEE`,
      method: 'GET',
      headers: [],
    },
  },
  orderId: 'CF3B0E37-BE0B-4CDD-B584-D1A97D98A922',
  attributes: {
    etag: 'eyJpZCI6Ijk2OGJhMWNmLWMxNDYtNGFkZi1hMzAwLTMwOGRjZjcxOGVlZSIsInZlcnNpb24iOjF9',
    objectType: 'Subscription',
  },
});

describe('Partner Center adapter against Microsoft’s documented examples', () => {
  const clock = testClock(T0);
  let fake: FakePartnerCenter;
  let sleeps: number[];
  let commerce: CommercePort;
  let tenant: string;

  const sent = (method: string) => fake.requests.filter((r) => r.method === method);
  const buy = async (line: Partial<OrderLine> = {}) => {
    const { subscriptions } = await commerce.placeOrder(tenant, [buildOrderLine(line)], randomUUID());
    fake.reset();
    return subscriptions[0]!;
  };
  const atMicrosoft = (id: string) => fake.simulator.getSubscription(tenant, id);
  /** The etag of the resource the GET just before request `index` returned. */
  const etagReadBefore = async (id: string) => {
    const response = await fetch(`${fake.url}/v1/customers/${tenant}/subscriptions/${id}`, {
      headers: {
        authorization: `Bearer ${fake.token}`,
        accept: 'application/json',
        'ms-requestid': randomUUID(),
        'ms-correlationid': randomUUID(),
        'x-locale': 'en-US',
      },
    });
    return ((await response.json()) as { attributes: { etag: string } }).attributes.etag;
  };

  beforeAll(async () => {
    fake = await startFakePartnerCenter({ connectionString: inject('storageConnectionString'), clock });
  });
  afterAll(() => fake?.close());
  beforeEach(() => {
    fake.reset();
    sleeps = [];
    clock.set(T0);
    tenant = randomUUID();
    commerce = partnerCenterCommerce(pcConfig(fake.url), {
      getToken: async () => fake.token,
      sleep: async (ms) => void sleeps.push(ms),
      random: () => 1,
    });
  });

  describe('1. an update Microsoft accepts asynchronously (202 Accepted + Location)', () => {
    it('polls the Location, waiting its Retry-After, until the change is done, then reads the subscription', async () => {
      const sub = await buy();
      fake.asyncUpdates = { polls: 2, retryAfter: '3' };
      const updated = await commerce.updateSubscription(tenant, sub.id, { quantity: 7 }, randomUUID());

      expect(updated.quantity).toBe(7);
      expect((await atMicrosoft(sub.id)).quantity).toBe(7);
      expect(sleeps).toEqual([3000, 3000, 3000]);
      const polls = sent('GET').filter((r) => r.path.includes('/operations/'));
      expect(polls).toHaveLength(3);
      expect(fake.requests.map((r) => r.method)).toEqual(['GET', 'PATCH', 'GET', 'GET', 'GET', 'GET']);
      expect(fake.requests.at(-1)!.path).toBe(`/v1/customers/${tenant}/subscriptions/${sub.id}`);
    });

    it('follows an absolute Location on the configured host, with 2 s between polls when no Retry-After comes', async () => {
      const sub = await buy();
      fake.asyncUpdates = { polls: 1, location: 'absolute' };
      expect((await commerce.updateSubscription(tenant, sub.id, { quantity: 6 }, randomUUID())).quantity).toBe(6);
      expect(sleeps).toEqual([2000, 2000]);
    });

    it('ends in COMMERCE.UPDATE_PENDING (503, transient) when Microsoft is still applying it after 30 s', async () => {
      const sub = await buy();
      fake.asyncUpdates = { polls: 100, retryAfter: '10' };
      const error = await rejection(commerce.updateSubscription(tenant, sub.id, { quantity: 7 }, randomUUID()));
      expect(error).toMatchObject({
        kind: 'Unavailable',
        code: 'COMMERCE.UPDATE_PENDING',
        extra: { retryAfterSeconds: 10 },
      });
      expect(sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(30_000);
      expect(problemReply(error, 'inv-1')).toMatchObject({ status: 503, headers: { 'retry-after': '10' } });
    });

    it('reports a 202 without a Location as pending, not as a subscription it cannot read', async () => {
      const sub = await buy();
      fake.asyncUpdates = { polls: 0, location: 'none' };
      const error = await rejection(commerce.updateSubscription(tenant, sub.id, { quantity: 7 }, randomUUID()));
      expect(error.code).toBe('COMMERCE.UPDATE_PENDING');
    });

    it('surfaces an operation that failed at Microsoft as COMMERCE.REFUSED with Microsoft’s reason', async () => {
      const sub = await buy();
      clock.advanceHours(169);
      fake.asyncUpdates = { polls: 1 };
      const error = await rejection(commerce.updateSubscription(tenant, sub.id, { quantity: 4 }, randomUUID()));
      expect(error).toMatchObject({
        kind: 'Conflict',
        code: 'COMMERCE.REFUSED',
        extra: { microsoftCode: 'DECREASE_WINDOW_CLOSED' },
      });
      expect((await atMicrosoft(sub.id)).quantity).toBe(5);
    });
  });

  describe('2. If-Match with the ETag just read (create-scheduled-changes, "Request example")', () => {
    it('sends the resource’s etag on a suspend, a cancel and a next-term change', async () => {
      const sub = await buy();
      const suspendEtag = await etagReadBefore(sub.id);
      await commerce.updateSubscription(tenant, sub.id, { status: 'suspended' }, randomUUID());
      const reactivateEtag = await etagReadBefore(sub.id);
      await commerce.updateSubscription(tenant, sub.id, { status: 'active' }, randomUUID());
      const scheduleEtag = await etagReadBefore(sub.id);
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
      const cancelEtag = await etagReadBefore(sub.id);
      await commerce.updateSubscription(tenant, sub.id, { status: 'deleted' }, randomUUID());

      expect(sent('PATCH').map((r) => r.headers['if-match'])).toEqual([
        suspendEtag,
        reactivateEtag,
        scheduleEtag,
        cancelEtag,
      ]);
      expect(new Set([suspendEtag, reactivateEtag, scheduleEtag, cancelEtag]).size).toBe(4);
      expect((await atMicrosoft(sub.id)).status).toBe('deleted');
    });

    it('reads again and retries once, as a new request, when Microsoft answers 412 because it changed meanwhile', async () => {
      const sub = await buy();
      fake.changeBeforeNextPatch(1);
      const requestId = randomUUID();
      expect((await commerce.updateSubscription(tenant, sub.id, { quantity: 8 }, requestId)).quantity).toBe(8);
      const [first, second] = sent('PATCH');
      expect(first!.headers['ms-requestid']).toBe(requestId);
      expect(second!.headers['ms-requestid']).not.toBe(requestId);
      expect(second!.headers['if-match']).not.toBe(first!.headers['if-match']);
      expect(sent('GET')).toHaveLength(2);
    });

    it('gives up with COMMERCE.CHANGED_AT_MICROSOFT (412) when it changed again, nothing changed', async () => {
      const sub = await buy();
      fake.changeBeforeNextPatch(2);
      const error = await rejection(commerce.updateSubscription(tenant, sub.id, { quantity: 8 }, randomUUID()));
      expect(error).toMatchObject({ kind: 'PreconditionFailed', code: 'COMMERCE.CHANGED_AT_MICROSOFT' });
      expect((await atMicrosoft(sub.id)).quantity).toBe(5);
    });
  });

  describe('3. scheduled next-term changes (create-scheduled-changes, "Request example")', () => {
    it('names the new SKU’s availability, writes the cycle as "Annual" and turns auto-renew on', async () => {
      const sub = await buy();
      await commerce.updateSubscription(tenant, sub.id, { autoRenewEnabled: false }, randomUUID());
      fake.reset();

      const updated = await commerce.updateSubscription(
        tenant,
        sub.id,
        {
          scheduledNextTermInstructions: {
            productSkuId: 'CFQ7TTC0LH18:0002',
            catalogItemId: 'CFQ7TTC0LH18:0002:CFQ7TTC0K9ZZ',
            quantity: 4,
            termDuration: 'P3Y',
            billingCycle: 'annual',
          },
        },
        randomUUID(),
      );
      const body = sent('PATCH')[0]!.body as Record<string, unknown>;
      expect(body.scheduledNextTermInstructions).toEqual({
        product: {
          productId: 'CFQ7TTC0LH18',
          skuId: '0002',
          availabilityId: 'CFQ7TTC0K9ZZ',
          billingCycle: 'Annual',
          termDuration: 'P3Y',
        },
        quantity: 4,
      });
      expect(body.autoRenewEnabled).toBe(true);
      expect(updated).toMatchObject({
        autoRenewEnabled: true,
        scheduledNextTermInstructions: {
          productSkuId: 'CFQ7TTC0LH18:0002',
          quantity: 4,
          termDuration: 'P3Y',
          billingCycle: 'annual',
        },
      });
    });

    it('refuses a SKU change whose availability it does not know, before sending anything', async () => {
      const sub = await buy();
      const error = await rejection(
        commerce.updateSubscription(
          tenant,
          sub.id,
          {
            scheduledNextTermInstructions: {
              productSkuId: 'CFQ7TTC0LH18:0002',
              quantity: 4,
              termDuration: 'P1Y',
              billingCycle: 'monthly',
            },
          },
          randomUUID(),
        ),
      );
      expect(error).toMatchObject({ kind: 'Validation', code: 'REQUEST.INVALID' });
      expect(error.extra.errors?.[0]?.path).toBe('scheduledNextTermInstructions.catalogItemId');
      expect(sent('PATCH')).toHaveLength(0);
    });
  });

  describe('5. legacy subscriptions (get-a-subscription-by-id, the Azure legacy and add-on examples)', () => {
    beforeEach(() => {
      fake.addLegacy(tenant, azureLegacyExample(tenant));
      fake.addLegacy(tenant, legacyAddOnExample(tenant));
    });

    it('lists them with the reason they are read-only here, beside the managed ones', async () => {
      const sub = await buy();
      const all = await commerce.listAllSubscriptions(tenant);
      expect(all.subscriptions.map((s) => s.id)).toEqual([sub.id]);
      expect(all.legacy).toEqual([
        expect.objectContaining({
          id: 'A356AC8C-E310-44F4-BF85-C7F29044AF99',
          offerId: 'MS-AZR-0145P',
          friendlyName: 'Microsoft Azure',
          quantity: 1,
          status: 'active',
          billingType: 'usage',
          creationDate: '2016-05-10T07:30:05.427Z',
          reason: expect.stringMatching(/Azure \(legacy\).*Partner Center/),
        }),
        expect.objectContaining({
          id: '968BA1CF-C146-4ADF-A300-308DCF718EEE',
          friendlyName: 'Some friendly name',
          quantity: 2,
          parentSubscriptionId: '1C2B75C1-74A5-472A-A729-7F8CEFC477F9',
          reason: expect.stringMatching(/legacy.*Partner Center/),
        }),
      ]);
      expect((await commerce.listSubscriptions(tenant)).map((s) => s.id)).toEqual([sub.id]);
    });

    it('answers a single read or a change of one with COMMERCE.LEGACY_SUBSCRIPTION (409), never a 500', async () => {
      const read = await rejection(commerce.getSubscription(tenant, 'A356AC8C-E310-44F4-BF85-C7F29044AF99'));
      expect(read).toMatchObject({ kind: 'Conflict', code: 'COMMERCE.LEGACY_SUBSCRIPTION' });
      expect(read.message).toMatch(/Azure \(legacy\)/);
      const change = await rejection(
        commerce.updateSubscription(tenant, '968BA1CF-C146-4ADF-A300-308DCF718EEE', { quantity: 3 }, randomUUID()),
      );
      expect(change.code).toBe('COMMERCE.LEGACY_SUBSCRIPTION');
      expect(sent('PATCH')).toHaveLength(0);
    });
  });

  describe('6. a 429 longer than the adapter waits (api-throttling-guidance, "Error code response")', () => {
    it('does not sleep 57 s: a typed CommerceThrottledError with retryAfterSeconds, answered as 503 + Retry-After', async () => {
      const sub = await buy();
      fake.failNext({ times: 1, answer: 429, retryAfter: '57', method: 'PATCH' });
      const error = await rejection(commerce.updateSubscription(tenant, sub.id, { quantity: 7 }, randomUUID()));
      expect(error).toBeInstanceOf(CommerceThrottledError);
      expect((error as CommerceThrottledError).retryAfterSeconds).toBe(57);
      expect(sleeps).toEqual([]);
      expect(sent('PATCH')).toHaveLength(1);
      expect(problemReply(error, 'inv-2')).toMatchObject({
        status: 503,
        headers: { 'retry-after': '57' },
        body: { code: 'COMMERCE.THROTTLED' },
      });
    });
  });

  describe('no Microsoft answer becomes a 500', () => {
    it('maps a body that is not JSON to COMMERCE.BAD_ANSWER (503 with Retry-After)', async () => {
      const sub = await buy();
      fake.failNext({ times: 1, answer: 'notJson', method: 'GET' });
      const error = await rejection(commerce.getSubscription(tenant, sub.id));
      expect(error).toMatchObject({ kind: 'Unavailable', code: 'COMMERCE.BAD_ANSWER' });
      expect(problemReply(error, 'inv-3').status).toBe(503);
    });

    it('maps JSON of no documented shape to COMMERCE.BAD_ANSWER naming the fields, on reads and lists', async () => {
      const sub = await buy();
      fake.failNext({ times: 1, answer: 'unexpectedShape', method: 'GET' });
      const read = await rejection(commerce.getSubscription(tenant, sub.id));
      expect(read.code).toBe('COMMERCE.BAD_ANSWER');
      expect(read.message).toMatch(/quantity/);
      fake.failNext({ times: 1, answer: 'unexpectedShape', method: 'GET' });
      expect((await rejection(commerce.listSubscriptions(tenant))).code).toBe('COMMERCE.BAD_ANSWER');
    });
  });
});
