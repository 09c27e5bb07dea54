import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { currencyDecimals } from '../../../src/domain/locale.ts';
import { dec, decimalStringSchema, money, roundLine, sum } from '../../../src/domain/money.ts';

describe('currencyDecimals', () => {
  it.each([
    ['USD', 2],
    ['EUR', 2],
    ['GBP', 2],
    ['JPY', 0],
  ])('%s has %i decimals', (currency, decimals) => expect(currencyDecimals(currency)).toBe(decimals));
});

describe('money: one half-up rounding, away from zero', () => {
  it.each([
    // value, currency, shown amount
    ['2.345', 'USD', '2.35'],
    ['-2.345', 'USD', '-2.35'],
    ['2.344', 'USD', '2.34'],
    ['-2.344', 'USD', '-2.34'],
    ['2.3449999', 'USD', '2.34'],
    ['0.005', 'EUR', '0.01'],
    ['-0.005', 'EUR', '-0.01'],
    ['12.5', 'EUR', '12.50'],
    ['-3', 'GBP', '-3.00'],
    ['99.354838709677', 'USD', '99.35'],
    ['123456789012345.675', 'USD', '123456789012345.68'],
    ['1234.5', 'JPY', '1235'],
    ['-1234.5', 'JPY', '-1235'],
    ['1234.49', 'JPY', '1234'],
    ['0.5', 'JPY', '1'],
    ['-0.5', 'JPY', '-1'],
    ['1200', 'JPY', '1200'],
  ])('%s %s → %s', (value, currency, amount) => {
    expect(money(dec(value), currency)).toEqual({ amount, currency });
  });

  it.each([
    ['0', 'USD', '0.00'],
    ['-0', 'USD', '0.00'],
    ['-0.004', 'USD', '0.00'],
    ['0.004', 'USD', '0.00'],
    ['-0.0049999', 'EUR', '0.00'],
    ['-0.4', 'JPY', '0'],
    ['0', 'JPY', '0'],
  ])('a zero amount %s %s shows as %s, never with a minus sign', (value, currency, amount) => {
    expect(money(dec(value), currency).amount).toBe(amount);
  });

  it('rounds a refund to the mirror image of its charge: 10/3 → 3.33 and -20/3 → -6.67', () => {
    expect(money(dec(10).dividedBy(3), 'USD').amount).toBe('3.33');
    expect(money(dec(-10).dividedBy(3), 'USD').amount).toBe('-3.33');
    expect(money(dec(-20).dividedBy(3), 'USD').amount).toBe('-6.67');
  });
});

describe('roundLine', () => {
  it.each([
    ['2.345', 'USD', '2.35'],
    ['-2.345', 'USD', '-2.35'],
    ['-1234.5', 'JPY', '-1235'],
    ['7.125', 'GBP', '7.13'],
  ])('%s %s → %s', (value, currency, expected) => {
    expect(roundLine(dec(value), currency).equals(dec(expected))).toBe(true);
  });

  it('does not round a rounded amount again', () => {
    const once = roundLine(dec('0.445'), 'USD');
    expect(roundLine(once, 'USD').toFixed(2)).toBe('0.45');
  });
});

describe('sum: totals are sums of rounded lines', () => {
  it('three lines of 10/3 total 9.99, not 10.00', () => {
    const line = roundLine(dec(10).dividedBy(3), 'USD');
    expect(money(sum([line, line, line]), 'USD').amount).toBe('9.99');
  });

  it('two lines of 1.005 total 2.02 (1.01 + 1.01), not 2.01 (the rounded sum of 2.010)', () => {
    const line = roundLine(dec('1.005'), 'USD');
    expect(money(sum([line, line]), 'USD').amount).toBe('2.02');
  });

  it('a charge of 2.345 and its refund of -2.345 total 0.00', () => {
    const lines = [roundLine(dec('2.345'), 'USD'), roundLine(dec('-2.345'), 'USD')];
    expect(money(sum(lines), 'USD').amount).toBe('0.00');
  });

  it('JPY lines 1234.5 + 0.5 + -0.4 total 1235 + 1 + 0 = 1236', () => {
    const lines = ['1234.5', '0.5', '-0.4'].map((v) => roundLine(dec(v), 'JPY'));
    expect(money(sum(lines), 'JPY').amount).toBe('1236');
  });

  it('an empty list sums to 0.00', () => {
    expect(money(sum([]), 'EUR').amount).toBe('0.00');
  });
});

describe('decimalStringSchema', () => {
  it.each(['12.50', '-3', '0', '0.123456', '999999999999999.999999'])('accepts %s', (value) => {
    expect(decimalStringSchema.safeParse(value).success).toBe(true);
  });

  it.each(['1e3', '01', '1.', '.5', '1.1234567', '12,50', ' 1', '1000000000000000'])('refuses %s', (value) => {
    expect(decimalStringSchema.safeParse(value).success).toBe(false);
  });
});

/** `whole` minor units followed by four more digits `rest`, as a decimal string: (12345, 5000, 2) → "123.455000". */
function decimalString(negative: boolean, whole: number, rest: number, decimals: number): string {
  const digits = String(whole).padStart(decimals + 1, '0');
  const integer = digits.slice(0, digits.length - decimals);
  const fraction = digits.slice(digits.length - decimals) + String(rest).padStart(4, '0');
  return `${negative ? '-' : ''}${integer}.${fraction}`;
}

/** Minor units as the API shows them, without a minus on zero: (-5, 2) → "-0.05". */
function shown(minor: number, decimals: number): string {
  const digits = String(Math.abs(minor)).padStart(decimals + 1, '0');
  const body =
    decimals === 0 ? digits : `${digits.slice(0, digits.length - decimals)}.${digits.slice(digits.length - decimals)}`;
  return minor < 0 ? `-${body}` : body;
}

describe('money properties', () => {
  const cases = fc.record({
    negative: fc.boolean(),
    whole: fc.integer({ min: 0, max: 1_000_000_000 }),
    rest: fc.integer({ min: 0, max: 9_999 }),
    currency: fc.constantFrom('USD', 'EUR', 'GBP', 'JPY'),
  });

  it('rounds to the nearest minor unit, ties away from zero (oracle: the next four digits ≥ 5000 round up)', () => {
    fc.assert(
      fc.property(cases, ({ negative, whole, rest, currency }) => {
        const decimals = currency === 'JPY' ? 0 : 2;
        const magnitude = rest >= 5_000 ? whole + 1 : whole;
        const expected = shown(negative ? -magnitude : magnitude, decimals);
        expect(money(dec(decimalString(negative, whole, rest, decimals)), currency).amount).toBe(expected);
      }),
    );
  });

  it('a refund is the exact negative of its charge', () => {
    fc.assert(
      fc.property(cases, ({ whole, rest, currency }) => {
        const decimals = currency === 'JPY' ? 0 : 2;
        const charge = roundLine(dec(decimalString(false, whole, rest, decimals)), currency);
        const refund = roundLine(dec(decimalString(true, whole, rest, decimals)), currency);
        expect(charge.plus(refund).isZero()).toBe(true);
      }),
    );
  });

  it('never shows "-0.00": anything smaller than half a cent shows as 0.00', () => {
    fc.assert(
      fc.property(fc.integer({ min: -4_999, max: 4_999 }), (millionths) => {
        expect(money(dec(millionths).dividedBy(1_000_000), 'USD').amount).toBe('0.00');
      }),
    );
  });
});
