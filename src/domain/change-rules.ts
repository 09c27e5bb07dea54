import { billingPeriodContaining, compareDates, date, utcDate, type PlainDate } from './calendar.ts';
import { dec, money, roundLine, type Dec, type Money } from './money.ts';
import { monthlyCost, proratedAmount } from './proration.ts';
import { stateOf, type ChangeRequest, type SubscriptionRecord, type SubscriptionState } from './subscription.ts';

/**
 * Whether a change to a subscription is allowed, and what it costs, as pure functions of the mirrored
 * subscription, the clock and the NCE window. Refusals name the rule and, where there is one, the way out.
 */
export interface Refusal {
  code: string;
  message: string;
  field: string;
  extra?: Record<string, unknown>;
}

export interface RuleContext {
  now: Date;
  windowHours: number;
}

/** The date a change takes effect: today, the renewal date, or the chosen date. */
export function effectiveDateOf(record: SubscriptionRecord, change: ChangeRequest, now: Date): PlainDate {
  if (change.effective === 'onRenewal') return date(record.termEndDate);
  if (change.effective === 'custom' && change.effectiveDate) return date(change.effectiveDate);
  return utcDate(now);
}

/** Seats that may still be removed now (their window is open). */
export function refundableNow(record: SubscriptionRecord, now: Date): { quantity: number; windowEnd?: string } {
  const open = record.refundable.filter((lot) => new Date(lot.allowedUntil).getTime() > now.getTime());
  const quantity = open.reduce((n, lot) => n + lot.quantity, 0);
  const windowEnd = open
    .map((lot) => lot.allowedUntil)
    .sort()
    .at(-1);
  return { quantity, ...(windowEnd ? { windowEnd } : {}) };
}

export function checkChange(record: SubscriptionRecord, change: ChangeRequest, ctx: RuleContext): Refusal | undefined {
  const today = utcDate(ctx.now);
  if (record.lock && new Date(record.lock.until).getTime() > ctx.now.getTime()) {
    return {
      code: 'SUBSCRIPTION.BUSY',
      message: 'Another change to this subscription is being sent to Microsoft; try again in a moment.',
      field: 'subscriptionId',
    };
  }
  if (record.status === 'expired' || record.status === 'deleted') {
    return {
      code: 'SUBSCRIPTION.INACTIVE',
      message: `The subscription is ${record.status}; it can no longer be changed.`,
      field: 'subscriptionId',
    };
  }
  const when = effectiveDateOf(record, change, ctx.now);
  if (change.effective === 'custom') {
    if (compareDates(when, today) <= 0)
      return {
        code: 'CHANGE.DATE_NOT_IN_FUTURE',
        message: 'A custom date must be after today (UTC); use immediately for today.',
        field: 'body.effectiveDate',
      };
    if (compareDates(when, date(record.termEndDate)) >= 0) {
      return {
        code: 'CHANGE.DATE_AFTER_RENEWAL',
        message: `The date is not before this term ends on ${record.termEndDate}; schedule it for renewal instead.`,
        field: 'body.effectiveDate',
        extra: { renewalDate: record.termEndDate },
      };
    }
  }
  if (
    change.effective === 'onRenewal' &&
    !record.autoRenew &&
    change.kind !== 'autoRenew' &&
    change.kind !== 'cancel'
  ) {
    return {
      code: 'SUBSCRIPTION.NOT_RENEWING',
      message: 'Auto-renew is off, so the subscription ends at the term end: turn auto-renew on first.',
      field: 'body.effective',
    };
  }

  switch (change.kind) {
    case 'quantity':
      return checkQuantity(record, change.quantity, change, ctx);
    case 'suspend':
      return record.status === 'suspended'
        ? { code: 'CHANGE.NO_CHANGE', message: 'The subscription is suspended already.', field: 'body.kind' }
        : undefined;
    case 'reactivate':
      return record.status === 'active'
        ? { code: 'CHANGE.NO_CHANGE', message: 'The subscription is active already.', field: 'body.kind' }
        : undefined;
    case 'autoRenew':
      if (change.effective === 'onRenewal')
        return {
          code: 'CHANGE.NOT_AT_RENEWAL',
          message: 'Auto-renew decides what happens at renewal: change it immediately or on a date before.',
          field: 'body.effective',
        };
      return record.autoRenew === change.enabled
        ? {
            code: 'CHANGE.NO_CHANGE',
            message: `Auto-renew is ${change.enabled ? 'on' : 'off'} already.`,
            field: 'body.enabled',
          }
        : undefined;
    case 'cancel':
      return checkCancel(record, change, ctx);
  }
}

function checkQuantity(
  record: SubscriptionRecord,
  quantity: number,
  change: ChangeRequest,
  ctx: RuleContext,
): Refusal | undefined {
  const field = 'body.quantity';
  if (record.status !== 'active')
    return {
      code: 'SUBSCRIPTION.NOT_ACTIVE',
      message: `A ${record.status} subscription cannot change its quantity; reactivate it first.`,
      field,
    };
  const target = change.effective === 'onRenewal' ? (record.scheduledQuantity ?? record.quantity) : record.quantity;
  if (quantity === target) return { code: 'CHANGE.NO_CHANGE', message: `The quantity is ${quantity} already.`, field };
  if (quantity < record.minQuantity)
    return {
      code: 'QUANTITY.BELOW_MINIMUM',
      message: `This product needs at least ${record.minQuantity} seat(s).`,
      field,
      extra: { minQuantity: record.minQuantity },
    };
  if (quantity > record.maxQuantity)
    return {
      code: 'QUANTITY.ABOVE_MAXIMUM',
      message: `This product allows at most ${record.maxQuantity} seat(s).`,
      field,
      extra: { maxQuantity: record.maxQuantity },
    };
  if (quantity < record.assignedQuantity && quantity < target) {
    return {
      code: 'QUANTITY.BELOW_ASSIGNED',
      message: `${record.assignedQuantity} license(s) are assigned to users; unassign some before going below that.`,
      field,
      extra: { assignedQuantity: record.assignedQuantity },
    };
  }
  if (quantity < record.quantity && change.effective !== 'onRenewal') {
    const removed = record.quantity - quantity;
    const { quantity: refundable, windowEnd } = refundableNow(record, ctx.now);
    if (change.effective === 'custom') {
      return windowClosed(
        record,
        refundable,
        windowEnd,
        `A decrease takes effect immediately (inside the ${ctx.windowHours}-hour window) or at renewal, not on a later date; schedule it for renewal.`,
      );
    }
    if (removed > refundable) {
      const message =
        refundable === 0
          ? `Seats can be removed only within ${ctx.windowHours} hours of being added${windowEnd ? '' : ', and that window has closed'}; schedule the decrease for renewal on ${record.termEndDate}.`
          : `Only ${refundable} seat(s) were added within the last ${ctx.windowHours} hours and can still be removed; schedule a larger decrease for renewal on ${record.termEndDate}.`;
      return windowClosed(record, refundable, windowEnd, message);
    }
  }
  return undefined;
}

function windowClosed(
  record: SubscriptionRecord,
  refundable: number,
  windowEnd: string | undefined,
  message: string,
): Refusal {
  return {
    code: 'SUBSCRIPTION.WINDOW_CLOSED',
    message,
    field: 'body.quantity',
    extra: {
      refundableQuantity: refundable,
      ...(windowEnd ? { windowEnd } : {}),
      renewalDate: record.termEndDate,
      suggestion: { effective: 'onRenewal' },
    },
  };
}

function checkCancel(record: SubscriptionRecord, change: ChangeRequest, ctx: RuleContext): Refusal | undefined {
  const until = record.cancellationAllowedUntil;
  const at =
    change.effective === 'custom' && change.effectiveDate ? new Date(`${change.effectiveDate}T00:00:00Z`) : ctx.now;
  if (change.effective === 'onRenewal' && !record.autoRenew) {
    return {
      code: 'CHANGE.NO_CHANGE',
      message: `Auto-renew is off: the subscription already ends on ${record.termEndDate}.`,
      field: 'body.effective',
    };
  }
  if (change.effective === 'onRenewal') {
    return {
      code: 'CHANGE.CANCEL_AT_RENEWAL',
      message: 'To end the subscription at renewal, turn auto-renew off.',
      field: 'body.effective',
      extra: { suggestion: { kind: 'autoRenew', enabled: false } },
    };
  }
  if (!until || at.getTime() >= new Date(until).getTime()) {
    return {
      code: 'SUBSCRIPTION.WINDOW_CLOSED',
      message: `A subscription can be cancelled only within ${ctx.windowHours} hours of purchase or renewal${until ? ` (until ${until})` : ''}; turn auto-renew off to end it on ${record.termEndDate}.`,
      field: 'body.kind',
      extra: {
        ...(until ? { windowEnd: until } : {}),
        renewalDate: record.termEndDate,
        suggestion: { kind: 'autoRenew', enabled: false },
      },
    };
  }
  return undefined;
}

export interface ChangePreview {
  effectiveDate: string;
  currentMonthlyCost: Money;
  newMonthlyCost: Money;
  monthlyDifference: Money;
  /** Charged (positive) or credited (negative) for the rest of the billing period; zero at renewal. */
  proratedAmount: Money;
  period?: { start: string; end: string };
}

/** DESIGN rules 4-6: the monthly cost before and after, and the prorated charge or credit of the change. */
export function previewChange(record: SubscriptionRecord, change: ChangeRequest, now: Date): ChangePreview {
  const price = dec(record.unitPrice);
  const currency = record.currency;
  const when = effectiveDateOf(record, change, now);
  const seatsAfter = change.kind === 'quantity' ? change.quantity : change.kind === 'cancel' ? 0 : record.quantity;
  const current = monthlyCost(record.quantity, price, record.billingFrequency, currency);
  const next = monthlyCost(seatsAfter, price, record.billingFrequency, currency);
  const seatChange = seatsAfter - record.quantity;
  let prorated: Dec = dec(0);
  let period: { start: PlainDate; end: PlainDate } | undefined;
  if (seatChange !== 0 && change.effective !== 'onRenewal' && compareDates(when, date(record.termEndDate)) < 0) {
    period = billingPeriodContaining(date(record.termStartDate), record.billingFrequency, when);
    prorated = roundLine(proratedAmount(seatChange, price, when, period), currency);
  }
  return {
    effectiveDate: when.toString(),
    currentMonthlyCost: money(current, currency),
    newMonthlyCost: money(next, currency),
    monthlyDifference: money(next.minus(current), currency),
    proratedAmount: money(prorated, currency),
    ...(period ? { period: { start: period.start.toString(), end: period.end.toString() } } : {}),
  };
}

/** Whether the change makes the bill larger (what F-CONFIRM asks customers to confirm). */
export function raisesBill(record: SubscriptionRecord, change: ChangeRequest): boolean {
  return change.kind === 'quantity' && change.quantity > record.quantity;
}

/**
 * The subscription's state once the change has taken effect, as its change-log entry would record it (what the
 * billing engine replays): seats, status or auto-renewal changed, the term as it is.
 */
export function stateAfterChange(record: SubscriptionRecord, change: ChangeRequest): SubscriptionState {
  const state = stateOf(record);
  switch (change.kind) {
    case 'quantity':
      return { ...state, quantity: change.quantity };
    case 'cancel':
      return { ...state, status: 'deleted' };
    case 'suspend':
      return { ...state, status: 'suspended' };
    case 'reactivate':
      return { ...state, status: 'active' };
    case 'autoRenew':
      return { ...state, autoRenew: change.enabled };
  }
}
