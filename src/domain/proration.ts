import {
  billingPeriodContaining,
  daysBetween,
  monthsPerPeriod,
  type BillingFrequency,
  type PlainDate,
} from './calendar.ts';
import { dec, roundLine, type Dec } from './money.ts';

/**
 * DESIGN rule 5: seats added on day d of the billing period [ps, pe) cost
 * added × unit price × days(d, pe) / days(ps, pe); seats removed inside the cancellation window are refunded
 * the same way, negative. The unit price is the price of one seat for one billing period.
 */
export function proratedAmount(
  seats: number,
  unitPrice: Dec,
  effective: PlainDate,
  period: { start: PlainDate; end: PlainDate },
): Dec {
  const remaining = daysBetween(effective, period.end);
  const whole = daysBetween(period.start, period.end);
  if (remaining <= 0 || remaining > whole) throw new RangeError('the effective date is outside the billing period');
  return unitPrice.times(seats).times(remaining).dividedBy(whole);
}

export interface ProrationInput {
  subscriptionStart: PlainDate;
  frequency: BillingFrequency;
  unitPrice: Dec;
  currency: string;
  /** Positive for seats added, negative for seats removed (refunded). */
  seatChange: number;
  effective: PlainDate;
}

/** The rounded charge (positive) or credit (negative) of a mid-period quantity change. */
export function proratedChange(input: ProrationInput): { amount: Dec; period: { start: PlainDate; end: PlainDate } } {
  const period = billingPeriodContaining(input.subscriptionStart, input.frequency, input.effective);
  const amount = roundLine(proratedAmount(input.seatChange, input.unitPrice, input.effective, period), input.currency);
  return { amount, period };
}

/** The cost per month of `quantity` seats, whatever the billing frequency (an annual price spread over 12 months). */
export function monthlyCost(quantity: number, unitPrice: Dec, frequency: BillingFrequency, currency: string): Dec {
  return roundLine(unitPrice.times(quantity).dividedBy(monthsPerPeriod(frequency)), currency);
}

export { dec };
