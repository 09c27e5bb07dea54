/**
 * Microsoft's new-commerce (NCE) seat rules. Seats arrive in lots (purchase, renewal, mid-term increase), each
 * with its own cancellation window (168 h by default; a setting, since Microsoft has changed it before).
 * A decrease may remove only seats whose window is still open, newest lots first; a renewal replaces all lots
 * with one new lot, opening a new window for every seat.
 */
export interface SeatLot {
  quantity: number;
  /** When the seats were added (ISO instant). */
  addedAt: string;
  reason: 'purchase' | 'renewal' | 'increase';
}

export function windowEnd(lot: SeatLot, windowHours: number): Date {
  return new Date(new Date(lot.addedAt).getTime() + windowHours * 3600 * 1000);
}

/** Seats that may still be removed at `now`, newest lots first. */
export function refundableLots(
  lots: readonly SeatLot[],
  now: Date,
  windowHours: number,
): { lot: SeatLot; until: Date }[] {
  return lots
    .map((lot) => ({ lot, until: windowEnd(lot, windowHours) }))
    .filter(({ until }) => until.getTime() > now.getTime())
    .sort((a, b) => b.lot.addedAt.localeCompare(a.lot.addedAt));
}

export function refundableQuantity(lots: readonly SeatLot[], now: Date, windowHours: number): number {
  return refundableLots(lots, now, windowHours).reduce((n, { lot }) => n + lot.quantity, 0);
}

export function totalSeats(lots: readonly SeatLot[]): number {
  return lots.reduce((n, lot) => n + lot.quantity, 0);
}

export function addSeats(lots: readonly SeatLot[], seats: number, at: Date): SeatLot[] {
  if (!Number.isInteger(seats) || seats <= 0) throw new RangeError('seats to add must be a positive integer');
  return [...lots, { quantity: seats, addedAt: at.toISOString(), reason: 'increase' }];
}

export type RemoveResult = { ok: true; lots: SeatLot[] } | { ok: false; refundable: number; nextWindowEnd?: Date };

/** Removes seats from the newest open lots; refuses when more seats would go than are still refundable. */
export function removeSeats(lots: readonly SeatLot[], seats: number, now: Date, windowHours: number): RemoveResult {
  if (!Number.isInteger(seats) || seats <= 0) throw new RangeError('seats to remove must be a positive integer');
  const open = refundableLots(lots, now, windowHours);
  const refundable = open.reduce((n, { lot }) => n + lot.quantity, 0);
  if (seats > refundable) {
    const latest = open.map(({ until }) => until).sort((a, b) => b.getTime() - a.getTime())[0];
    return { ok: false, refundable, ...(latest ? { nextWindowEnd: latest } : {}) };
  }
  const remaining = lots.map((lot) => ({ ...lot }));
  let left = seats;
  for (const { lot } of open) {
    if (left === 0) break;
    const target = remaining.find((l) => l.addedAt === lot.addedAt && l.reason === lot.reason && l.quantity > 0);
    if (!target) continue;
    const taken = Math.min(target.quantity, left);
    target.quantity -= taken;
    left -= taken;
  }
  return { ok: true, lots: remaining.filter((l) => l.quantity > 0) };
}

/** The latest instant at which the whole subscription may still be cancelled (every seat refundable). */
export function cancellationAllowedUntil(lots: readonly SeatLot[], windowHours: number): Date | undefined {
  if (lots.length === 0) return undefined;
  const oldest = lots.reduce((a, b) => (a.addedAt <= b.addedAt ? a : b));
  return windowEnd(oldest, windowHours);
}

export function renewLots(quantity: number, at: Date): SeatLot[] {
  return quantity > 0 ? [{ quantity, addedAt: at.toISOString(), reason: 'renewal' }] : [];
}
