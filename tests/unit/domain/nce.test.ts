import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addSeats,
  cancellationAllowedUntil,
  refundableLots,
  refundableQuantity,
  removeSeats,
  renewLots,
  totalSeats,
  windowEnd,
  type SeatLot,
} from '../../../src/domain/nce.ts';

const window168h = 168;

function lot(quantity: number, addedAt: string, reason: SeatLot['reason'] = 'increase'): SeatLot {
  return { quantity, addedAt, reason };
}

const at = (iso: string): Date => new Date(iso);

/** 10 seats bought 2026-03-01 10:00, +3 on 2026-03-05 09:00, +2 on 2026-03-07 12:00 (listed out of order). */
const lots: SeatLot[] = [
  lot(2, '2026-03-07T12:00:00.000Z'),
  lot(10, '2026-03-01T10:00:00.000Z', 'purchase'),
  lot(3, '2026-03-05T09:00:00.000Z'),
];

describe('windowEnd', () => {
  it.each([
    [168, '2026-03-08T10:00:00.000Z'],
    [72, '2026-03-04T10:00:00.000Z'],
  ])('a lot added 2026-03-01 10:00 with a %i h window is refundable until %s', (hours, until) => {
    expect(windowEnd(lot(1, '2026-03-01T10:00:00.000Z'), hours).toISOString()).toBe(until);
  });
});

describe('refundable seats: the window is open while until > now', () => {
  it.each([
    ['2026-03-07T12:00:00.000Z', 15], // the last lot has just been added
    ['2026-03-08T09:59:59.999Z', 15], // 1 ms before the purchase lot's 168 h
    ['2026-03-08T10:00:00.000Z', 5], // exactly 168 h: the purchase window has closed
    ['2026-03-12T08:59:59.999Z', 5],
    ['2026-03-12T09:00:00.000Z', 2],
    ['2026-03-14T12:00:00.000Z', 0],
  ])('at %s, %i seats are refundable', (now, quantity) => {
    expect(refundableQuantity(lots, at(now), window168h)).toBe(quantity);
  });

  it('lists open lots newest first whatever their order in the list', () => {
    const open = refundableLots(lots, at('2026-03-07T12:00:00.000Z'), window168h);
    expect(open.map(({ lot, until }) => [lot.quantity, until.toISOString()])).toEqual([
      [2, '2026-03-14T12:00:00.000Z'],
      [3, '2026-03-12T09:00:00.000Z'],
      [10, '2026-03-08T10:00:00.000Z'],
    ]);
  });

  it('a 72 h window closes a purchase of 2026-03-01 10:00 on 2026-03-04 10:00', () => {
    const bought = [lot(10, '2026-03-01T10:00:00.000Z', 'purchase')];
    expect(refundableQuantity(bought, at('2026-03-04T10:00:00.000Z'), 72)).toBe(0);
    expect(refundableQuantity(bought, at('2026-03-04T09:59:59.999Z'), 72)).toBe(10);
  });
});

describe('removeSeats', () => {
  const afterPurchaseWindow = at('2026-03-08T12:00:00.000Z');

  it('takes the newest lot first: removing 2 of 15 empties the 2026-03-07 lot', () => {
    const result = removeSeats(lots, 2, afterPurchaseWindow, window168h);
    expect(result).toEqual({
      ok: true,
      lots: [lot(10, '2026-03-01T10:00:00.000Z', 'purchase'), lot(3, '2026-03-05T09:00:00.000Z')],
    });
  });

  it('continues into the next newest lot: removing 4 leaves 1 of the 2026-03-05 lot', () => {
    const result = removeSeats(lots, 4, afterPurchaseWindow, window168h);
    expect(result).toEqual({
      ok: true,
      lots: [lot(10, '2026-03-01T10:00:00.000Z', 'purchase'), lot(1, '2026-03-05T09:00:00.000Z')],
    });
  });

  it('reaches the purchase lot while its window is open: removing 7 of 15 on 2026-03-08 09:00 leaves 8 bought seats', () => {
    const result = removeSeats(lots, 7, at('2026-03-08T09:00:00.000Z'), window168h);
    expect(result).toEqual({ ok: true, lots: [lot(8, '2026-03-01T10:00:00.000Z', 'purchase')] });
  });

  it('refuses more seats than are refundable, with the refundable count and the latest window end', () => {
    const result = removeSeats(lots, 6, afterPurchaseWindow, window168h);
    expect(result).toEqual({ ok: false, refundable: 5, nextWindowEnd: at('2026-03-14T12:00:00.000Z') });
  });

  it('refuses any removal once every window has closed, with no window end', () => {
    const result = removeSeats(lots, 1, at('2026-03-14T12:00:00.000Z'), window168h);
    expect(result).toStrictEqual({ ok: false, refundable: 0 });
  });

  it('refuses at exactly 168 h after the only lot was added', () => {
    const bought = [lot(5, '2026-03-01T10:00:00.000Z', 'purchase')];
    expect(removeSeats(bought, 1, at('2026-03-08T10:00:00.000Z'), window168h)).toStrictEqual({
      ok: false,
      refundable: 0,
    });
    expect(removeSeats(bought, 1, at('2026-03-08T09:59:59.999Z'), window168h)).toEqual({
      ok: true,
      lots: [lot(4, '2026-03-01T10:00:00.000Z', 'purchase')],
    });
  });

  it('leaves the lots it was given untouched', () => {
    const before = structuredClone(lots);
    removeSeats(lots, 5, afterPurchaseWindow, window168h);
    expect(lots).toEqual(before);
  });

  it.each([0, -1, 1.5])('throws for %s seats', (seats) => {
    expect(() => removeSeats(lots, seats, afterPurchaseWindow, window168h)).toThrow(RangeError);
  });
});

describe('addSeats', () => {
  it('appends an increase lot added at the given instant', () => {
    const result = addSeats([lot(10, '2026-03-01T10:00:00.000Z', 'purchase')], 4, at('2026-03-20T08:15:00.000Z'));
    expect(result).toEqual([
      lot(10, '2026-03-01T10:00:00.000Z', 'purchase'),
      lot(4, '2026-03-20T08:15:00.000Z', 'increase'),
    ]);
  });

  it('opens a new 168 h window for the added seats only', () => {
    const result = addSeats([lot(10, '2026-03-01T10:00:00.000Z', 'purchase')], 4, at('2026-03-20T08:15:00.000Z'));
    expect(refundableQuantity(result, at('2026-03-27T08:14:59.999Z'), window168h)).toBe(4);
  });

  it.each([0, -2, 2.5])('throws for %s seats', (seats) => {
    expect(() => addSeats([], seats, at('2026-03-20T08:15:00.000Z'))).toThrow(RangeError);
  });
});

describe('renewLots', () => {
  it('replaces all lots with one renewal lot of the renewed quantity', () => {
    expect(renewLots(12, at('2027-03-01T00:00:00.000Z'))).toEqual([lot(12, '2027-03-01T00:00:00.000Z', 'renewal')]);
  });

  it('opens a new window for every seat: all 12 are refundable until 2027-03-08 00:00, none after', () => {
    const renewed = renewLots(12, at('2027-03-01T00:00:00.000Z'));
    expect(refundableQuantity(renewed, at('2027-03-07T23:59:59.999Z'), window168h)).toBe(12);
    expect(refundableQuantity(renewed, at('2027-03-08T00:00:00.000Z'), window168h)).toBe(0);
  });

  it('renews nothing for zero seats', () => {
    expect(renewLots(0, at('2027-03-01T00:00:00.000Z'))).toEqual([]);
  });
});

describe('cancellationAllowedUntil: the oldest lot’s window end', () => {
  it('is 168 h after the purchase, whatever the order of the lots', () => {
    expect(cancellationAllowedUntil(lots, window168h)?.toISOString()).toBe('2026-03-08T10:00:00.000Z');
  });

  it('follows the window setting: 72 h after the purchase', () => {
    expect(cancellationAllowedUntil(lots, 72)?.toISOString()).toBe('2026-03-04T10:00:00.000Z');
  });

  it('is 168 h after a renewal', () => {
    expect(cancellationAllowedUntil(renewLots(12, at('2027-03-01T00:00:00.000Z')), window168h)?.toISOString()).toBe(
      '2027-03-08T00:00:00.000Z',
    );
  });

  it('is undefined without lots', () => {
    expect(cancellationAllowedUntil([], window168h)).toBeUndefined();
  });
});

describe('totalSeats', () => {
  it('adds every lot: 10 + 3 + 2 = 15', () => expect(totalSeats(lots)).toBe(15));
});

describe('NCE lot properties', () => {
  type Step =
    { kind: 'add'; seats: number; hoursLater: number } | { kind: 'remove'; seats: number; hoursLater: number };
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.record({
      kind: fc.constant('add' as const),
      seats: fc.integer({ min: 1, max: 20 }),
      hoursLater: fc.integer({ min: 0, max: 100 }),
    }),
    fc.record({
      kind: fc.constant('remove' as const),
      seats: fc.integer({ min: 1, max: 20 }),
      hoursLater: fc.integer({ min: 0, max: 100 }),
    }),
  );

  it('after adds and allowed removals, totalSeats = bought + added − removed and every lot is positive', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.array(step, { maxLength: 40 }), (bought, steps) => {
        let now = at('2026-03-01T10:00:00.000Z');
        let current: SeatLot[] = [lot(bought, now.toISOString(), 'purchase')];
        let expected = bought;
        for (const { kind, seats, hoursLater } of steps) {
          now = new Date(now.getTime() + hoursLater * 3_600_000);
          if (kind === 'add') {
            current = addSeats(current, seats, now);
            expected += seats;
            continue;
          }
          const refundable = refundableQuantity(current, now, window168h);
          const closed = totalSeats(current) - refundable;
          const result = removeSeats(current, seats, now, window168h);
          if (seats > refundable) {
            expect(result).toMatchObject({ ok: false, refundable });
            continue;
          }
          if (!result.ok) throw new Error(`removing ${seats} of ${refundable} refundable seats was refused`);
          current = result.lots;
          expected -= seats;
          expect(totalSeats(current) - refundableQuantity(current, now, window168h)).toBe(closed);
        }
        expect(totalSeats(current)).toBe(expected);
        expect(current.every((l) => Number.isInteger(l.quantity) && l.quantity > 0)).toBe(true);
      }),
    );
  });
});
