import { describe, expect, it } from 'vitest';
import {
  cycleContaining,
  cycleEndingIn,
  cycleNamed,
  inCycle,
  previousCycles,
  type BillingDay,
} from '../../../src/domain/billing-cycles.ts';
import { date } from '../../../src/domain/calendar.ts';

const show = (c: { start: { toString(): string }; end: { toString(): string } }) =>
  `${c.start.toString()}..${c.end.toString()}`;

describe('customer billing cycles', () => {
  it.each<[BillingDay, string, string]>([
    [16, '2026-03-15', '2026-02-16..2026-03-16'],
    [16, '2026-03-16', '2026-03-16..2026-04-16'],
    [1, '2026-03-01', '2026-03-01..2026-04-01'],
    [1, '2026-02-28', '2026-02-01..2026-03-01'],
    [28, '2026-02-27', '2026-01-28..2026-02-28'],
    ['last', '2026-02-28', '2026-02-28..2026-03-31'],
    ['last', '2026-02-27', '2026-01-31..2026-02-28'],
    ['last', '2024-02-29', '2024-02-29..2024-03-31'],
    ['last', '2024-02-28', '2024-01-31..2024-02-29'],
    [15, '2026-12-31', '2026-12-15..2027-01-15'],
  ])('anchor %s: %s falls in %s', (day, when, expected) => {
    expect(show(cycleContaining(day, date(when)))).toBe(expected);
  });

  it('names a cycle by its end: anchor 16, the cycle reported on 2026-03-16 covers the 16th to the 15th', () => {
    expect(show(cycleEndingIn(16, '2026-03'))).toBe('2026-02-16..2026-03-16');
    expect(show(cycleNamed(16, '2026-03-16'))).toBe('2026-02-16..2026-03-16');
    expect(() => cycleNamed(16, '2026-03-15')).toThrow(RangeError);
    expect(show(cycleEndingIn('last', '2026-03'))).toBe('2026-02-28..2026-03-31');
  });

  it('walks back month by month, and a cycle is half-open', () => {
    expect(previousCycles('last', cycleNamed('last', '2026-04-30'), 3).map(show)).toEqual([
      '2025-12-31..2026-01-31',
      '2026-01-31..2026-02-28',
      '2026-02-28..2026-03-31',
    ]);
    const cycle = cycleNamed(16, '2026-03-16');
    expect(inCycle(cycle, '2026-02-16')).toBe(true);
    expect(inCycle(cycle, '2026-03-15')).toBe(true);
    expect(inCycle(cycle, '2026-03-16')).toBe(false);
  });
});
