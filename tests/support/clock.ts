import type { Clock } from '../../src/app/ports/clock.port.ts';

/** A clock that stands still until a test moves it. */
export interface TestClock extends Clock {
  set(iso: string): void;
  advanceHours(hours: number): void;
  advanceDays(days: number): void;
}

export function testClock(iso: string): TestClock {
  let current = new Date(iso);
  return {
    now: () => new Date(current),
    set: (next) => {
      current = new Date(next);
    },
    advanceHours: (hours) => {
      current = new Date(current.getTime() + hours * 3600 * 1000);
    },
    advanceDays: (days) => {
      current = new Date(current.getTime() + days * 24 * 3600 * 1000);
    },
  };
}
