import { describe, expect, it } from 'vitest';
import { date } from '../../../src/domain/calendar.ts';
import {
  customerAmount,
  isAzurePlan,
  monthsOf,
  summarizeUsage,
  usageDecimal,
  usageWindow,
  UsageTally,
} from '../../../src/domain/usage.ts';
import { dec } from '../../../src/domain/money.ts';
import { buildUsageRecord } from '../../support/usage-builders.ts';

describe('usage window', () => {
  it('covers N whole months and the current one, half-open', () => {
    expect(usageWindow(date('2026-03-10'), 3)).toEqual({ from: '2025-12-01', to: '2026-04-01' });
    expect(usageWindow(date('2026-01-31'), 12)).toEqual({ from: '2025-01-01', to: '2026-02-01' });
  });

  it('lists the months a range touches', () => {
    expect(monthsOf('2025-12-31', '2026-02-01')).toEqual(['2025-12', '2026-01']);
    expect(monthsOf('2026-01-15', '2026-01-16')).toEqual(['2026-01']);
    expect(monthsOf('2026-01-15', '2026-01-15')).toEqual([]);
  });
});

describe('usage amounts', () => {
  it('rounds a month once after the mark-up (rule 8) and a day on its own; totals sum rounded months', () => {
    const records = ['2026-03-01', '2026-03-02', '2026-03-03'].map((d) =>
      buildUsageRecord({ subscriptionId: 's', date: d, quantity: '1', cost: '0.333333' }),
    );
    const summary = summarizeUsage(records, '15', false);
    expect(summary.meters[0]?.monthly).toEqual([{ month: '2026-03', quantity: '3', amount: '1.15' }]);
    expect(summary.meters[0]?.daily.map((d) => d.amount)).toEqual(['0.38', '0.38', '0.38']);
    expect(summary.totals).toEqual([{ month: '2026-03', currency: 'USD', amount: '1.15' }]);
    expect(summarizeUsage(records, '0', true).totals).toEqual([
      { month: '2026-03', currency: 'USD', amount: '1.00', cost: '0.999999' },
    ]);
  });

  it('rounds to the currency’s decimals', () => {
    expect(customerAmount({ cost: '100.5', currency: 'JPY' }, '10')).toBe('111');
    expect(customerAmount({ cost: '-2.004', currency: 'EUR' }, '0')).toBe('-2.00');
  });

  it('stores at most 6 decimals, without exponents or -0', () => {
    expect(usageDecimal(dec('1e-7'))).toBe('0');
    expect(usageDecimal(dec('-0.0000004'))).toBe('0');
    expect(usageDecimal(dec('12345.6789005'))).toBe('12345.678901');
    expect(usageDecimal(dec('2.50'))).toBe('2.5');
  });
});

describe('usage tally', () => {
  it('sums rows of one customer, subscription, meter, day and source, and refuses a second currency', () => {
    const tally = new UsageTally();
    const row = { ...buildUsageRecord({ customerId: 'c', subscriptionId: 's' }), quantity: '1.5', cost: '0.1' };
    expect(tally.add(row)).toBe(true);
    expect(tally.add({ ...row, quantity: '2', cost: '0.2' })).toBe(true);
    expect(tally.add({ ...row, source: 'import:x' })).toBe(true);
    expect(tally.add({ ...row, currency: 'EUR' })).toBe(false);
    expect([...tally.records()].map((r) => [r.source, r.quantity, r.cost])).toEqual([
      ['graph', '3.5', '0.3'],
      ['import:x', '1.5', '0.1'],
    ]);
  });

  it('knows the Azure plan by Microsoft’s product id', () => {
    expect(isAzurePlan('DZH318Z0BPS6:0001')).toBe(true);
    expect(isAzurePlan('DZH318Z0BPS6')).toBe(true);
    expect(isAzurePlan('CFQ7TTC0LCHC:0002')).toBe(false);
  });
});
