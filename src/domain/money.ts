import decimalModule, { type Decimal as DecimalClass } from 'decimal.js';
import { z } from 'zod';
import { currencyDecimals } from './locale.ts';

/**
 * Money is decimal, never a float. Amounts travel as decimal strings with an ISO 4217 code; a line is rounded
 * once, half-up (away from zero, so a refund mirrors its charge), to the currency's decimals; totals are sums
 * of rounded lines.
 */
// decimal.js's ESM build exports the class as default; its typings describe a CommonJS module.
const Decimal = decimalModule as unknown as typeof DecimalClass;

export const Dec = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });
export type Dec = InstanceType<typeof Dec>;

/** A price or amount as sent by clients and stored: up to 15 integer and 6 fractional digits. */
export const decimalStringSchema = z
  .string()
  .regex(/^-?(0|[1-9]\d{0,14})(\.\d{1,6})?$/, 'a decimal number such as 12.50');
export const nonNegativeDecimalSchema = z
  .string()
  .regex(/^(0|[1-9]\d{0,14})(\.\d{1,6})?$/, 'a non-negative decimal number such as 12.50');

export interface Money {
  amount: string;
  currency: string;
}

export const moneySchema = z
  .object({ amount: decimalStringSchema, currency: z.string().length(3) })
  .meta({ id: 'Money' });

export function dec(value: string | number | Dec): Dec {
  return new Dec(value);
}

/** Rounds once, half-up, to the currency's decimals (2 for USD/EUR/GBP, 0 for JPY). */
export function roundLine(value: Dec, currency: string): Dec {
  return value.toDecimalPlaces(currencyDecimals(currency), Decimal.ROUND_HALF_UP);
}

/** A rounded amount as the API shows it, always with the currency's decimals ("12.50", "-3.00", "1200"). */
export function money(value: Dec, currency: string): Money {
  const rounded = roundLine(value, currency);
  return { amount: (rounded.isZero() ? new Dec(0) : rounded).toFixed(currencyDecimals(currency)), currency };
}

export function sum(values: Dec[]): Dec {
  return values.reduce((total, v) => total.plus(v), new Dec(0));
}
