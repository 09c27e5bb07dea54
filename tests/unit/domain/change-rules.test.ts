import { describe, expect, it } from 'vitest';
import {
  checkChange,
  effectiveDateOf,
  previewChange,
  refundableNow,
  type RuleContext,
} from '../../../src/domain/change-rules.ts';
import {
  subscriptionRecordSchema,
  type ChangeRequest,
  type SubscriptionRecord,
} from '../../../src/domain/subscription.ts';

/**
 * 10 seats of a P1Y, monthly-billed subscription at 22.00 USD, bought 2026-03-01 00:00 UTC: its purchase window
 * closed 2026-03-08 00:00; it renews 2027-03-01. Four licenses are assigned.
 */
function buildRecord(overrides: Partial<SubscriptionRecord> = {}): SubscriptionRecord {
  return {
    id: 'sub-0001',
    customerId: '3f2b8c9e-1d4a-4c6b-9e7f-2a1b3c4d5e6f',
    customerTenantId: '7a9d0e21-5b3c-4f8a-8d2e-6c4b1a0f9e87',
    orderId: 'order-0001',
    productId: 'CFQ7TTC0LCHC:0002',
    productName: 'Microsoft 365 Business Premium',
    catalogItemId: 'CFQ7TTC0LCHC:0002:P1Y:monthly',
    isNce: true,
    quantity: 10,
    assignedQuantity: 4,
    minQuantity: 1,
    maxQuantity: 300,
    status: 'active',
    term: 'P1Y',
    billingFrequency: 'monthly',
    startDate: '2026-03-01',
    termStartDate: '2026-03-01',
    termEndDate: '2027-03-01',
    autoRenew: true,
    cancellationAllowedUntil: '2026-03-08T00:00:00.000Z',
    refundable: [],
    unitPrice: '22.00',
    currency: 'USD',
    priceListId: 'global',
    priceSource: 'global',
    syncedAt: '2026-03-01T00:05:00.000Z',
    ...overrides,
  };
}

const windowHours = 168;
/** After the purchase window: 2026-03-10 12:00 UTC. */
const ctx: RuleContext = { now: new Date('2026-03-10T12:00:00.000Z'), windowHours };
const ctxAt = (iso: string): RuleContext => ({ now: new Date(iso), windowHours });

const quantity = (seats: number): ChangeRequest => ({ kind: 'quantity', quantity: seats, effective: 'immediately' });
const quantityOnRenewal = (seats: number): ChangeRequest => ({
  kind: 'quantity',
  quantity: seats,
  effective: 'onRenewal',
});
const quantityOn = (effectiveDate: string, seats: number): ChangeRequest => ({
  kind: 'quantity',
  quantity: seats,
  effective: 'custom',
  effectiveDate,
});
const cancelNow: ChangeRequest = { kind: 'cancel', effective: 'immediately' };

describe('buildRecord', () => {
  it('builds a record the schema accepts', () => {
    expect(subscriptionRecordSchema.safeParse(buildRecord()).success).toBe(true);
  });
});

describe('checkChange: what is allowed', () => {
  it('allows an increase at any time, outside every window', () => {
    expect(checkChange(buildRecord(), quantity(12), ctx)).toBeUndefined();
  });

  it('allows a decrease scheduled for renewal, outside every window', () => {
    expect(checkChange(buildRecord(), quantityOnRenewal(6), ctx)).toBeUndefined();
  });

  it('allows removing exactly the refundable seats (2 + 3 open)', () => {
    const record = buildRecord({
      refundable: [
        { quantity: 2, allowedUntil: '2026-03-12T09:00:00.000Z' },
        { quantity: 3, allowedUntil: '2026-03-14T15:30:00.000Z' },
      ],
    });
    expect(checkChange(record, quantity(5), ctx)).toBeUndefined();
  });

  it('allows an increase on a custom date up to the day before renewal, and sends the renewal date itself to onRenewal', () => {
    expect(checkChange(buildRecord(), quantityOn('2027-02-28', 12), ctx)).toBeUndefined();
    expect(checkChange(buildRecord(), quantityOn('2027-03-01', 12), ctx)).toMatchObject({
      code: 'CHANGE.DATE_AFTER_RENEWAL',
      field: 'body.effectiveDate',
    });
  });

  it('allows an increase while more licenses are assigned than seats are paid for', () => {
    expect(
      checkChange(
        buildRecord({ quantity: 4, assignedQuantity: 6 }),
        { kind: 'quantity', quantity: 5, effective: 'immediately' },
        ctx,
      ),
    ).toBeUndefined();
  });

  it('says a subscription without auto-renew already ends at renewal when asked to cancel then', () => {
    expect(
      checkChange(buildRecord({ autoRenew: false }), { kind: 'cancel', effective: 'onRenewal' }, ctx),
    ).toMatchObject({ code: 'CHANGE.NO_CHANGE' });
  });

  it('allows a custom date of tomorrow (UTC) one second before midnight', () => {
    expect(checkChange(buildRecord(), quantityOn('2026-03-11', 12), ctxAt('2026-03-10T23:59:59.000Z'))).toBeUndefined();
  });
});

describe('checkChange: quantity refusals', () => {
  it('refuses removing 6 seats when 5 are refundable: WINDOW_CLOSED with refundableQuantity 5 and the latest window end', () => {
    const record = buildRecord({
      refundable: [
        { quantity: 2, allowedUntil: '2026-03-12T09:00:00.000Z' },
        { quantity: 3, allowedUntil: '2026-03-14T15:30:00.000Z' },
        { quantity: 4, allowedUntil: '2026-03-08T00:00:00.000Z' }, // closed
      ],
    });
    const refusal = checkChange(record, quantity(4), ctx);
    expect(refusal).toMatchObject({ code: 'SUBSCRIPTION.WINDOW_CLOSED', field: 'body.quantity' });
    expect(refusal?.extra).toEqual({
      refundableQuantity: 5,
      windowEnd: '2026-03-14T15:30:00.000Z',
      renewalDate: '2027-03-01',
      suggestion: { effective: 'onRenewal' },
    });
  });

  it('refuses any immediate decrease once every window has closed: refundableQuantity 0, no window end', () => {
    const refusal = checkChange(buildRecord(), quantity(9), ctx);
    expect(refusal?.code).toBe('SUBSCRIPTION.WINDOW_CLOSED');
    expect(refusal?.extra).toEqual({
      refundableQuantity: 0,
      renewalDate: '2027-03-01',
      suggestion: { effective: 'onRenewal' },
    });
  });

  it('treats a window ending exactly now (2026-03-10 12:00) as closed', () => {
    const record = buildRecord({ refundable: [{ quantity: 3, allowedUntil: '2026-03-10T12:00:00.000Z' }] });
    expect(checkChange(record, quantity(9), ctx)?.extra).toMatchObject({ refundableQuantity: 0 });
    expect(checkChange(record, quantity(9), ctxAt('2026-03-10T11:59:59.999Z'))).toBeUndefined();
  });

  it('refuses a decrease on a custom date, suggesting renewal', () => {
    const refusal = checkChange(buildRecord(), quantityOn('2026-06-01', 8), ctx);
    expect(refusal?.code).toBe('SUBSCRIPTION.WINDOW_CLOSED');
    expect(refusal?.extra).toMatchObject({
      refundableQuantity: 0,
      renewalDate: '2027-03-01',
      suggestion: { effective: 'onRenewal' },
    });
  });

  it('refuses going below the 6 assigned licenses: QUANTITY.BELOW_ASSIGNED', () => {
    const refusal = checkChange(buildRecord({ assignedQuantity: 6 }), quantityOnRenewal(5), ctx);
    expect(refusal).toMatchObject({
      code: 'QUANTITY.BELOW_ASSIGNED',
      field: 'body.quantity',
      extra: { assignedQuantity: 6 },
    });
  });

  it('refuses going below the assigned licenses even while every seat is refundable', () => {
    const record = buildRecord({
      assignedQuantity: 6,
      refundable: [{ quantity: 10, allowedUntil: '2026-03-15T00:00:00.000Z' }],
    });
    expect(checkChange(record, quantity(5), ctx)?.code).toBe('QUANTITY.BELOW_ASSIGNED');
  });

  it('refuses fewer than the product minimum of 5: QUANTITY.BELOW_MINIMUM', () => {
    const refusal = checkChange(buildRecord({ minQuantity: 5, assignedQuantity: 0 }), quantityOnRenewal(4), ctx);
    expect(refusal).toMatchObject({
      code: 'QUANTITY.BELOW_MINIMUM',
      field: 'body.quantity',
      extra: { minQuantity: 5 },
    });
  });

  it('refuses more than the product maximum of 300: QUANTITY.ABOVE_MAXIMUM', () => {
    const refusal = checkChange(buildRecord(), quantity(301), ctx);
    expect(refusal).toMatchObject({
      code: 'QUANTITY.ABOVE_MAXIMUM',
      field: 'body.quantity',
      extra: { maxQuantity: 300 },
    });
  });

  it('refuses a quantity change of a suspended subscription: SUBSCRIPTION.NOT_ACTIVE', () => {
    const refusal = checkChange(buildRecord({ status: 'suspended' }), quantity(12), ctx);
    expect(refusal).toMatchObject({ code: 'SUBSCRIPTION.NOT_ACTIVE', field: 'body.quantity' });
  });

  it('refuses the current quantity: CHANGE.NO_CHANGE', () => {
    expect(checkChange(buildRecord(), quantity(10), ctx)?.code).toBe('CHANGE.NO_CHANGE');
  });

  it('refuses the quantity already scheduled for renewal (8): CHANGE.NO_CHANGE', () => {
    expect(checkChange(buildRecord({ scheduledQuantity: 8 }), quantityOnRenewal(8), ctx)?.code).toBe(
      'CHANGE.NO_CHANGE',
    );
  });
});

describe('checkChange: dates and state', () => {
  it.each(['2026-03-10', '2026-03-09'])(
    'refuses the custom date %s (not after today, 2026-03-10): CHANGE.DATE_NOT_IN_FUTURE',
    (day) => {
      expect(checkChange(buildRecord(), quantityOn(day, 12), ctx)).toMatchObject({
        code: 'CHANGE.DATE_NOT_IN_FUTURE',
        field: 'body.effectiveDate',
      });
    },
  );

  it('refuses a custom date after the renewal on 2027-03-01: CHANGE.DATE_AFTER_RENEWAL', () => {
    const refusal = checkChange(buildRecord(), quantityOn('2027-03-02', 12), ctx);
    expect(refusal).toMatchObject({
      code: 'CHANGE.DATE_AFTER_RENEWAL',
      field: 'body.effectiveDate',
      extra: { renewalDate: '2027-03-01' },
    });
  });

  it('refuses a change at renewal when auto-renew is off: SUBSCRIPTION.NOT_RENEWING', () => {
    const refusal = checkChange(buildRecord({ autoRenew: false }), quantityOnRenewal(8), ctx);
    expect(refusal).toMatchObject({ code: 'SUBSCRIPTION.NOT_RENEWING', field: 'body.effective' });
  });

  it('refuses any change while another is being sent (lock until 12:00:30): SUBSCRIPTION.BUSY', () => {
    const record = buildRecord({ lock: { operationId: 'op-1', until: '2026-03-10T12:00:30.000Z' } });
    expect(checkChange(record, quantity(12), ctx)).toMatchObject({
      code: 'SUBSCRIPTION.BUSY',
      field: 'subscriptionId',
    });
  });

  it('ignores a lock that ended at 12:00:00, now', () => {
    const record = buildRecord({ lock: { operationId: 'op-1', until: '2026-03-10T12:00:00.000Z' } });
    expect(checkChange(record, quantity(12), ctx)).toBeUndefined();
  });

  it.each(['expired', 'deleted'] as const)(
    'refuses any change of a %s subscription: SUBSCRIPTION.INACTIVE',
    (status) => {
      expect(checkChange(buildRecord({ status }), quantity(12), ctx)?.code).toBe('SUBSCRIPTION.INACTIVE');
    },
  );

  it('refuses suspending a suspended subscription and reactivating an active one: CHANGE.NO_CHANGE', () => {
    expect(
      checkChange(buildRecord({ status: 'suspended' }), { kind: 'suspend', effective: 'immediately' }, ctx)?.code,
    ).toBe('CHANGE.NO_CHANGE');
    expect(checkChange(buildRecord(), { kind: 'reactivate', effective: 'immediately' }, ctx)?.code).toBe(
      'CHANGE.NO_CHANGE',
    );
  });

  it('allows suspending an active subscription', () => {
    expect(checkChange(buildRecord(), { kind: 'suspend', effective: 'immediately' }, ctx)).toBeUndefined();
  });

  it('refuses turning auto-renew on when it is on, and changing it at renewal', () => {
    expect(checkChange(buildRecord(), { kind: 'autoRenew', enabled: true, effective: 'immediately' }, ctx)?.code).toBe(
      'CHANGE.NO_CHANGE',
    );
    expect(checkChange(buildRecord(), { kind: 'autoRenew', enabled: false, effective: 'onRenewal' }, ctx)?.code).toBe(
      'CHANGE.NOT_AT_RENEWAL',
    );
  });
});

describe('checkChange: cancellation', () => {
  it('refuses a cancellation after the window (2026-03-08 00:00), suggesting auto-renew off', () => {
    const refusal = checkChange(buildRecord(), cancelNow, ctx);
    expect(refusal).toMatchObject({ code: 'SUBSCRIPTION.WINDOW_CLOSED', field: 'body.kind' });
    expect(refusal?.extra).toEqual({
      windowEnd: '2026-03-08T00:00:00.000Z',
      renewalDate: '2027-03-01',
      suggestion: { kind: 'autoRenew', enabled: false },
    });
  });

  it('refuses a cancellation at exactly the window end and allows it 1 ms before', () => {
    expect(checkChange(buildRecord(), cancelNow, ctxAt('2026-03-08T00:00:00.000Z'))?.code).toBe(
      'SUBSCRIPTION.WINDOW_CLOSED',
    );
    expect(checkChange(buildRecord(), cancelNow, ctxAt('2026-03-07T23:59:59.999Z'))).toBeUndefined();
  });

  it('refuses a cancellation when Microsoft gave no window end, without a windowEnd', () => {
    const refusal = checkChange(
      buildRecord({ cancellationAllowedUntil: undefined }),
      cancelNow,
      ctxAt('2026-03-02T00:00:00.000Z'),
    );
    expect(refusal?.extra).toEqual({ renewalDate: '2027-03-01', suggestion: { kind: 'autoRenew', enabled: false } });
  });

  it('judges a custom-date cancellation at midnight UTC of that date: 2026-03-07 allowed, 2026-03-08 refused', () => {
    const on = (effectiveDate: string): ChangeRequest => ({ kind: 'cancel', effective: 'custom', effectiveDate });
    expect(checkChange(buildRecord(), on('2026-03-07'), ctxAt('2026-03-05T12:00:00.000Z'))).toBeUndefined();
    expect(checkChange(buildRecord(), on('2026-03-08'), ctxAt('2026-03-05T12:00:00.000Z'))?.code).toBe(
      'SUBSCRIPTION.WINDOW_CLOSED',
    );
  });

  it('refuses a cancellation at renewal, pointing to auto-renew off', () => {
    const refusal = checkChange(buildRecord(), { kind: 'cancel', effective: 'onRenewal' }, ctx);
    expect(refusal).toMatchObject({
      code: 'CHANGE.CANCEL_AT_RENEWAL',
      extra: { suggestion: { kind: 'autoRenew', enabled: false } },
    });
  });
});

describe('effectiveDateOf', () => {
  it.each([
    [quantity(12), '2026-03-10T23:59:59.999Z', '2026-03-10'],
    [quantity(12), '2026-03-11T00:00:00.000Z', '2026-03-11'],
    [quantityOnRenewal(12), '2026-03-10T12:00:00.000Z', '2027-03-01'],
    [quantityOn('2026-06-20', 12), '2026-03-10T12:00:00.000Z', '2026-06-20'],
  ])('%o at %s takes effect on %s', (change, now, expected) => {
    expect(effectiveDateOf(buildRecord(), change, new Date(now)).toString()).toBe(expected);
  });
});

describe('refundableNow', () => {
  const record = buildRecord({
    refundable: [
      { quantity: 3, allowedUntil: '2026-03-14T15:30:00.000Z' },
      { quantity: 2, allowedUntil: '2026-03-12T09:00:00.000Z' },
      { quantity: 4, allowedUntil: '2026-03-08T00:00:00.000Z' },
    ],
  });

  it.each([
    ['2026-03-07T23:59:59.999Z', { quantity: 9, windowEnd: '2026-03-14T15:30:00.000Z' }],
    ['2026-03-08T00:00:00.000Z', { quantity: 5, windowEnd: '2026-03-14T15:30:00.000Z' }],
    ['2026-03-12T09:00:00.000Z', { quantity: 3, windowEnd: '2026-03-14T15:30:00.000Z' }],
    ['2026-03-14T15:30:00.000Z', { quantity: 0 }],
  ])('at %s: %o', (now, expected) => {
    expect(refundableNow(record, new Date(now))).toStrictEqual(expected);
  });
});

describe('previewChange: 10 seats × 22.00 USD billed monthly from 2026-03-01, on 2026-03-04 09:00', () => {
  const now = new Date('2026-03-04T09:00:00.000Z');
  const usd = (amount: string) => ({ amount, currency: 'USD' });

  it('an increase to 15 now costs 5 × 22.00 × 28/31 = 99.35 and 330.00 a month', () => {
    expect(previewChange(buildRecord(), quantity(15), now)).toEqual({
      effectiveDate: '2026-03-04',
      currentMonthlyCost: usd('220.00'),
      newMonthlyCost: usd('330.00'),
      monthlyDifference: usd('110.00'),
      proratedAmount: usd('99.35'),
      period: { start: '2026-03-01', end: '2026-04-01' },
    });
  });

  it('a decrease to 7 now credits 3 × 22.00 × 28/31 = -59.61 and saves 66.00 a month', () => {
    expect(previewChange(buildRecord(), quantity(7), now)).toEqual({
      effectiveDate: '2026-03-04',
      currentMonthlyCost: usd('220.00'),
      newMonthlyCost: usd('154.00'),
      monthlyDifference: usd('-66.00'),
      proratedAmount: usd('-59.61'),
      period: { start: '2026-03-01', end: '2026-04-01' },
    });
  });

  it('an increase to 12 at renewal is not prorated: 0.00, effective 2027-03-01, no period', () => {
    expect(previewChange(buildRecord(), quantityOnRenewal(12), now)).toStrictEqual({
      effectiveDate: '2027-03-01',
      currentMonthlyCost: usd('220.00'),
      newMonthlyCost: usd('264.00'),
      monthlyDifference: usd('44.00'),
      proratedAmount: usd('0.00'),
    });
  });

  it('a decrease to 8 at renewal produces no credit: 0.00', () => {
    const preview = previewChange(buildRecord(), quantityOnRenewal(8), now);
    expect([preview.proratedAmount.amount, preview.monthlyDifference.amount]).toEqual(['0.00', '-44.00']);
  });

  it('an increase to 11 on 2026-03-21 costs 22.00 × 11/31 = 7.81', () => {
    const preview = previewChange(buildRecord(), quantityOn('2026-03-21', 11), now);
    expect(preview).toMatchObject({
      effectiveDate: '2026-03-21',
      proratedAmount: usd('7.81'),
      period: { start: '2026-03-01', end: '2026-04-01' },
    });
  });

  it('an increase to 12 on 2026-06-20 is prorated in June: 2 × 22.00 × 11/30 = 16.13', () => {
    const preview = previewChange(buildRecord(), quantityOn('2026-06-20', 12), now);
    expect(preview).toMatchObject({
      effectiveDate: '2026-06-20',
      proratedAmount: usd('16.13'),
      period: { start: '2026-06-01', end: '2026-07-01' },
    });
  });

  it('a cancellation now credits all 10 seats: 220.00 × 28/31 = -198.71, and costs 0.00 a month', () => {
    expect(previewChange(buildRecord(), cancelNow, now)).toMatchObject({
      currentMonthlyCost: usd('220.00'),
      newMonthlyCost: usd('0.00'),
      monthlyDifference: usd('-220.00'),
      proratedAmount: usd('-198.71'),
    });
  });

  it('a suspension changes no amount: 0.00 everywhere, no period', () => {
    expect(previewChange(buildRecord(), { kind: 'suspend', effective: 'immediately' }, now)).toStrictEqual({
      effectiveDate: '2026-03-04',
      currentMonthlyCost: usd('220.00'),
      newMonthlyCost: usd('220.00'),
      monthlyDifference: usd('0.00'),
      proratedAmount: usd('0.00'),
    });
  });
});

describe('previewChange with annual billing', () => {
  const now = new Date('2026-03-04T09:00:00.000Z');
  const annual = (overrides: Partial<SubscriptionRecord>) =>
    buildRecord({ billingFrequency: 'annual', catalogItemId: 'CFQ7TTC0LCHC:0002:P1Y:annual', ...overrides });

  it('3 seats × 264.00 a year cost 66.00 a month; a 4th seat now costs 264.00 × 362/365 = 261.83', () => {
    expect(previewChange(annual({ quantity: 3, unitPrice: '264.00' }), quantity(4), now)).toEqual({
      effectiveDate: '2026-03-04',
      currentMonthlyCost: { amount: '66.00', currency: 'USD' },
      newMonthlyCost: { amount: '88.00', currency: 'USD' },
      monthlyDifference: { amount: '22.00', currency: 'USD' },
      proratedAmount: { amount: '261.83', currency: 'USD' },
      period: { start: '2026-03-01', end: '2027-03-01' },
    });
  });

  it('rounds each monthly cost once: 1 × 100.00/12 = 8.33, 5 × 100.00/12 = 41.67, difference 33.34', () => {
    const preview = previewChange(
      annual({ quantity: 1, assignedQuantity: 0, unitPrice: '100.00' }),
      quantityOnRenewal(5),
      now,
    );
    expect([
      preview.currentMonthlyCost.amount,
      preview.newMonthlyCost.amount,
      preview.monthlyDifference.amount,
    ]).toEqual(['8.33', '41.67', '33.34']);
  });
});

describe('previewChange in JPY', () => {
  it('a 6th seat at ¥1000 a month on 2026-03-04 costs 1000 × 28/31 = ¥903', () => {
    const record = buildRecord({
      quantity: 5,
      unitPrice: '1000',
      currency: 'JPY',
      term: 'P1M',
      termEndDate: '2026-04-01',
    });
    expect(previewChange(record, quantity(6), new Date('2026-03-04T09:00:00.000Z'))).toMatchObject({
      currentMonthlyCost: { amount: '5000', currency: 'JPY' },
      newMonthlyCost: { amount: '6000', currency: 'JPY' },
      proratedAmount: { amount: '903', currency: 'JPY' },
    });
  });
});
