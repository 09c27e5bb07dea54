import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startSimulatedTimers, type SimulatedTimers } from '../../dev/simulated-timers.ts';
import type { TimerJob } from '../../src/jobs/job.ts';

/**
 * The local host's timers in simulator mode fire on the simulator clock's time (real time plus its offset), not the
 * wall clock's, and leave a span the clock jumped over to the advance that ran it. Real time is vitest's fake timers.
 */
const WALL_START = Date.parse('2026-01-01T00:30:00.000Z');

let timers: SimulatedTimers | undefined;
beforeEach(() => {
  vi.useFakeTimers({ now: WALL_START, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});
afterEach(() => {
  timers?.stop();
  vi.useRealTimers();
});

function simulatorClock(startsAt: string) {
  let offset = Date.parse(startsAt) - Date.now();
  return {
    now: () => new Date(Date.now() + offset),
    offsetMs: () => offset,
    /** What an advance does to this process's clock when it is done. */
    jumpTo: (instant: string) => {
      offset = Date.parse(instant) - Date.now();
    },
  };
}

const nightly: TimerJob = { kind: 'timer', name: 'nightly', schedule: '0 0 1 * * *', handler: async () => {} };

describe('simulated timers of the local host', () => {
  it('fire at the simulated time of their schedule, not at the wall clock’s', async () => {
    const clock = simulatorClock('2026-03-01T00:00:00.000Z'); // the wall clock is at 00:30 of another day
    const fired: string[] = [];
    timers = startSimulatedTimers([nightly], clock, async () => {
      fired.push(clock.now().toISOString());
    });

    await vi.advanceTimersByTimeAsync(30 * 60_000); // wall 01:00: a wall-clock timer would fire here
    expect(fired).toEqual([]);
    await vi.advanceTimersByTimeAsync(30 * 60_000); // simulated 01:00
    expect(fired).toEqual(['2026-03-01T01:00:00.000Z']);
    await vi.advanceTimersByTimeAsync(24 * 3_600_000);
    expect(fired).toEqual(['2026-03-01T01:00:00.000Z', '2026-03-02T01:00:00.000Z']);
  });

  it('leave the span an advance jumped over to that advance, then go on from the new time', async () => {
    const clock = simulatorClock('2026-03-01T00:00:00.000Z');
    const fired: string[] = [];
    timers = startSimulatedTimers(
      [nightly],
      clock,
      async () => {
        fired.push(clock.now().toISOString());
      },
      { maxWaitMs: 60_000 },
    );

    await vi.advanceTimersByTimeAsync(10 * 60_000);
    clock.jumpTo('2026-03-05T00:50:00.000Z'); // four nights ran inside the advance
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fired).toEqual([]);
    await vi.advanceTimersByTimeAsync(10 * 60_000); // simulated 01:01 of the 5th
    expect(fired).toEqual(['2026-03-05T01:00:00.000Z']);
  });

  it('stop firing when stopped', async () => {
    const clock = simulatorClock('2026-03-01T00:59:00.000Z');
    let runs = 0;
    timers = startSimulatedTimers([nightly], clock, async () => {
      runs += 1;
    });
    timers.stop();
    await vi.advanceTimersByTimeAsync(2 * 3_600_000);
    expect(runs).toBe(0);
  });
});
