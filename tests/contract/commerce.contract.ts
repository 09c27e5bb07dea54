import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/app/errors.ts';
import type { CommercePort, CommerceSubscription, OrderLine } from '../../src/app/ports/commerce.port.ts';
import type { TestClock } from '../support/clock.ts';

/**
 * The behaviour every CommercePort adapter must share (Microsoft's new-commerce rules as the port exposes
 * them), run against each adapter: the simulator directly, and the Partner Center adapter over HTTP.
 */
export interface CommerceContractSubject {
  commerce: CommercePort;
  /** The clock Microsoft's side runs on. */
  clock: TestClock;
  close?: () => Promise<void>;
}

export const T0 = '2026-03-10T09:00:00.000Z';
const hoursAfterT0 = (hours: number) => new Date(Date.parse(T0) + hours * 3600_000).toISOString();

export function buildOrderLine(overrides: Partial<OrderLine> = {}): OrderLine {
  return {
    catalogItemId: 'CFQ7TTC0LH18:0001:CFQ7TTC0K5BF',
    quantity: 5,
    termDuration: 'P1Y',
    billingCycle: 'monthly',
    ...overrides,
  };
}

/** The AppError a promise rejects with. */
export async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

export function commerceContract(name: string, setup: () => Promise<CommerceContractSubject>): void {
  describe(`CommercePort contract: ${name}`, () => {
    let subject: CommerceContractSubject;
    let commerce: CommercePort;
    let clock: TestClock;
    let tenant: string;

    beforeAll(async () => {
      subject = await setup();
      ({ commerce, clock } = subject);
    });
    afterAll(() => subject?.close?.());
    beforeEach(() => {
      clock.set(T0);
      tenant = randomUUID();
    });

    const buy = async (line: Partial<OrderLine> = {}): Promise<CommerceSubscription> => {
      const { subscriptions } = await commerce.placeOrder(tenant, [buildOrderLine(line)], randomUUID());
      expect(subscriptions).toHaveLength(1);
      return subscriptions[0]!;
    };
    const update = (id: string, change: Parameters<CommercePort['updateSubscription']>[2]) =>
      commerce.updateSubscription(tenant, id, change, randomUUID());

    it('places an order and reads it back, listed and by id', async () => {
      expect(await commerce.listSubscriptions(tenant)).toEqual([]);
      const { orderId, subscriptions } = await commerce.placeOrder(tenant, [buildOrderLine()], randomUUID());
      const [placed] = subscriptions;
      expect(placed).toEqual({
        id: expect.any(String),
        orderId,
        productSkuId: 'CFQ7TTC0LH18:0001',
        friendlyName: expect.any(String),
        quantity: 5,
        status: 'active',
        termDuration: 'P1Y',
        billingCycle: 'monthly',
        termStartDate: '2026-03-10',
        termEndDate: '2027-03-10',
        creationDate: T0,
        autoRenewEnabled: true,
        cancellationAllowedUntilDate: hoursAfterT0(168),
        refundableQuantity: { totalQuantity: 5, details: [{ quantity: 5, allowedUntilDateTime: hoursAfterT0(168) }] },
      });
      expect(await commerce.listSubscriptions(tenant)).toEqual([placed]);
      expect(await commerce.getSubscription(tenant, placed!.id)).toEqual(placed);
    });

    it('places an order once per request id', async () => {
      const requestId = randomUUID();
      const first = await commerce.placeOrder(tenant, [buildOrderLine()], requestId);
      const again = await commerce.placeOrder(tenant, [buildOrderLine()], requestId);
      expect(again.orderId).toBe(first.orderId);
      expect(again.subscriptions.map((s) => s.id)).toEqual(first.subscriptions.map((s) => s.id));
      expect(await commerce.listSubscriptions(tenant)).toHaveLength(1);
    });

    it('attaches an add-on to its active base and refuses one without', async () => {
      const base = await buy();
      const addOn = await buy({
        catalogItemId: 'CFQ7TTC0LCHC:0002:CFQ7TTC0K8P5',
        quantity: 2,
        parentSubscriptionId: base.id,
      });
      expect(addOn).toMatchObject({ productSkuId: 'CFQ7TTC0LCHC:0002', quantity: 2, parentSubscriptionId: base.id });

      const orphan = await rejection(
        buy({ catalogItemId: 'CFQ7TTC0LCHC:0002:CFQ7TTC0K8P5', parentSubscriptionId: randomUUID() }),
      );
      expect(orphan.kind).toBe('Conflict');
      expect(await commerce.listSubscriptions(tenant)).toHaveLength(2);
    });

    it('raises the quantity at any time, opening a window for the new seats', async () => {
      const sub = await buy();
      clock.advanceHours(200);
      const raised = await update(sub.id, { quantity: 8 });
      expect(raised.quantity).toBe(8);
      expect(raised.refundableQuantity).toEqual({
        totalQuantity: 3,
        details: [{ quantity: 3, allowedUntilDateTime: hoursAfterT0(368) }],
      });
    });

    it('lowers the quantity inside the window, newest seats first', async () => {
      const sub = await buy();
      clock.advanceHours(48);
      await update(sub.id, { quantity: 8 });
      clock.advanceHours(24);
      const lowered = await update(sub.id, { quantity: 6 });
      expect(lowered.quantity).toBe(6);
      expect(lowered.refundableQuantity.details).toEqual([
        { quantity: 1, allowedUntilDateTime: hoursAfterT0(216) },
        { quantity: 5, allowedUntilDateTime: hoursAfterT0(168) },
      ]);

      // The purchase's window has closed; the one seat left of the increase can still go, no more.
      clock.set(hoursAfterT0(170));
      expect((await rejection(update(sub.id, { quantity: 4 }))).kind).toBe('Conflict');
      expect((await update(sub.id, { quantity: 5 })).quantity).toBe(5);
    });

    it('refuses a decrease once the 168-hour window has closed, naming the window', async () => {
      const sub = await buy();
      clock.advanceHours(167);
      expect((await update(sub.id, { quantity: 4 })).quantity).toBe(4);
      clock.advanceHours(1);
      const refused = await rejection(update(sub.id, { quantity: 3 }));
      expect(refused.kind).toBe('Conflict');
      expect(refused.message).toMatch(/168 hours/);
      expect((await commerce.getSubscription(tenant, sub.id)).quantity).toBe(4);
    });

    it('cancels inside the window', async () => {
      const sub = await buy();
      clock.advanceHours(167);
      expect((await update(sub.id, { status: 'deleted' })).status).toBe('deleted');
      expect((await commerce.getSubscription(tenant, sub.id)).status).toBe('deleted');
    });

    it('refuses to cancel after the window, naming its end', async () => {
      const sub = await buy();
      clock.advanceHours(168);
      const refused = await rejection(update(sub.id, { status: 'deleted' }));
      expect(refused.kind).toBe('Conflict');
      expect(refused.message).toContain(sub.cancellationAllowedUntilDate);
      expect((await commerce.getSubscription(tenant, sub.id)).status).toBe('active');
    });

    it('suspends and reactivates, refusing quantity changes while suspended', async () => {
      const sub = await buy();
      const suspended = await update(sub.id, { status: 'suspended' });
      expect(suspended).toMatchObject({
        status: 'suspended',
        quantity: 5,
        refundableQuantity: { totalQuantity: 0, details: [] },
      });

      const refused = await rejection(update(sub.id, { quantity: 6 }));
      expect(refused.kind).toBe('Conflict');
      expect((await commerce.getSubscription(tenant, sub.id)).quantity).toBe(5);

      expect(await update(sub.id, { status: 'active' })).toMatchObject({ status: 'active', quantity: 5 });
    });

    it('turns auto-renew off and on', async () => {
      const sub = await buy();
      expect((await update(sub.id, { autoRenewEnabled: false })).autoRenewEnabled).toBe(false);
      expect((await commerce.getSubscription(tenant, sub.id)).autoRenewEnabled).toBe(false);
      expect((await update(sub.id, { autoRenewEnabled: true })).autoRenewEnabled).toBe(true);
    });

    it('keeps next-term instructions until an immediate quantity change wipes them', async () => {
      const sub = await buy();
      const next = {
        productSkuId: 'CFQ7TTC0LH18:0001',
        quantity: 3,
        termDuration: 'P1Y',
        billingCycle: 'annual',
      } as const;
      expect((await update(sub.id, { scheduledNextTermInstructions: next })).scheduledNextTermInstructions).toEqual(
        next,
      );
      expect((await update(sub.id, { autoRenewEnabled: true })).scheduledNextTermInstructions).toEqual(next);
      expect((await commerce.getSubscription(tenant, sub.id)).scheduledNextTermInstructions).toEqual(next);

      const raised = await update(sub.id, { quantity: 6 });
      expect(raised.scheduledNextTermInstructions).toBeUndefined();
      expect((await commerce.getSubscription(tenant, sub.id)).scheduledNextTermInstructions).toBeUndefined();
    });

    it('clears next-term instructions on request', async () => {
      const sub = await buy();
      await update(sub.id, {
        scheduledNextTermInstructions: {
          productSkuId: 'CFQ7TTC0LH18:0001',
          quantity: 7,
          termDuration: 'P1Y',
          billingCycle: 'monthly',
        },
      });
      expect(
        (await update(sub.id, { scheduledNextTermInstructions: null })).scheduledNextTermInstructions,
      ).toBeUndefined();
      expect((await commerce.getSubscription(tenant, sub.id)).scheduledNextTermInstructions).toBeUndefined();
    });

    it('answers 404 for a subscription it does not have', async () => {
      const unknown = randomUUID();
      const notFound = { kind: 'NotFound', code: 'COMMERCE.SUBSCRIPTION_NOT_FOUND' };
      expect(await rejection(commerce.getSubscription(tenant, unknown))).toMatchObject(notFound);
      expect(await rejection(update(unknown, { quantity: 2 }))).toMatchObject(notFound);
    });
  });
}
