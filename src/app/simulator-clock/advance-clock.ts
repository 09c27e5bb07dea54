import { utcDate } from '../../domain/calendar.ts';
import { AppError } from '../errors.ts';
import type { Versioned } from '../ports/customer.repository.port.ts';
import type { DueEntry } from '../ports/due-index.port.ts';
import type { SimulatorClockState } from '../ports/simulator-clock.port.ts';
import type { AdvanceResult, SimulatorClockDeps, TimedWork } from './deps.ts';

export type { AdvanceResult } from './deps.ts';

export interface ClockReading {
  now: string;
  offsetMs: number;
  advancing?: { to: string; since: string };
}

/** An advance whose lease is older than this (real time) is taken to have crashed; another may take over. */
const LEASE_MS = 15 * 60 * 1000;

export async function readClock(deps: Pick<SimulatorClockDeps, 'clock' | 'clockStore'>): Promise<ClockReading> {
  await deps.clock.refresh();
  const row = await deps.clockStore.read();
  return {
    now: deps.clock.now().toISOString(),
    offsetMs: deps.clock.offsetMs(),
    ...(row?.value.advancing ? { advancing: row.value.advancing } : {}),
  };
}

/**
 * Moves the app's time forward to `to`, running in time order every timer firing in between, each once, at its
 * own instant (as Stripe's test clocks do): renewals, usage pulls, billing runs, and the future-change sweep
 * wherever a change fell due. One advance at a time across all processes (a lease on the clock's row); the clock
 * is saved as each simulated day passes, so an interrupted advance continues from there. A target that is not
 * later than the app's time is refused: the clock never moves backwards, and a span is never run twice.
 */
export async function advanceClock(deps: SimulatorClockDeps, to: Date): Promise<AdvanceResult> {
  const realNow = deps.realNow ?? Date.now;
  await deps.clock.refresh();
  const from = deps.clock.now();
  if (!(to.getTime() > from.getTime())) {
    throw new AppError(
      'Conflict',
      'CLOCK.NOT_FORWARD',
      `The clock is at ${from.toISOString()}; it only moves forward, so ${to.toISOString()} is refused.`,
      { now: from.toISOString(), errors: [{ path: 'body.to', message: `later than ${from.toISOString()}` }] },
    );
  }
  let row = await claim(deps, to, realNow);
  const runs: Record<string, number> = {};
  const moveTo = (instant: Date) => deps.clock.moveTo(instant);
  let savedDay = utcDate(from).toString();
  // The due index's date partitions as read during this advance: only the sweep removes entries, and entries are
  // added by requests (a change scheduled while the clock advances), so they are read again after each sweep and
  // on each new simulated day, instead of at every firing (four or more a day).
  const dueDays = new Map<string, Promise<DueEntry[]>>();
  const dueIndex = { due: (date: string) => getOrRead(dueDays, date, () => deps.dueIndex.due(date)) };
  try {
    let cursor = from;
    for (;;) {
      const next = await nextFiring({ ...deps, dueIndex }, cursor, to);
      if (!next) break;
      const day = utcDate(next.at).toString();
      if (day !== savedDay) {
        row = await deps.clockStore.save({ ...row.value, offsetMs: deps.clock.offsetMs() }, row.etag);
        savedDay = day;
        dueDays.clear();
      }
      moveTo(next.at);
      for (const work of next.work) {
        await work.run();
        if (work.whenChangesDue) dueDays.clear();
        runs[work.name] = (runs[work.name] ?? 0) + 1;
      }
      cursor = next.at;
    }
    moveTo(to);
  } finally {
    // Release the lease, keeping the time reached (also when a job failed: what ran stays run).
    await deps.clockStore.save({ offsetMs: deps.clock.offsetMs() }, row.etag);
  }
  return { from: from.toISOString(), to: to.toISOString(), runs };
}

function getOrRead<T>(cache: Map<string, Promise<T>>, key: string, read: () => Promise<T>): Promise<T> {
  let found = cache.get(key);
  if (!found) {
    found = read();
    cache.set(key, found);
    found.catch(() => cache.delete(key));
  }
  return found;
}

async function claim(
  deps: SimulatorClockDeps,
  to: Date,
  realNow: () => number,
): Promise<Versioned<SimulatorClockState>> {
  const busy = (since: string) =>
    new AppError('Conflict', 'CLOCK.ADVANCING', `The clock is being advanced already (since ${since}); try later.`);
  const current = await deps.clockStore.read();
  if (current?.value.advancing && realNow() - Date.parse(current.value.advancing.since) < LEASE_MS)
    throw busy(current.value.advancing.since);
  const state: SimulatorClockState = {
    offsetMs: Math.max(deps.clock.offsetMs(), current?.value.offsetMs ?? 0),
    advancing: { to: to.toISOString(), since: new Date(realNow()).toISOString() },
  };
  try {
    return await deps.clockStore.save(state, current?.etag);
  } catch (error) {
    if (error instanceof AppError && (error.kind === 'PreconditionFailed' || error.code === 'CLOCK.ADVANCING'))
      throw busy('just now');
    throw error;
  }
}

/** The next instant in (cursor, to] at which some work fires, and the work firing then, in table order. */
async function nextFiring(
  deps: SimulatorClockDeps,
  cursor: Date,
  to: Date,
): Promise<{ at: Date; work: TimedWork[] } | undefined> {
  const timers = deps.work.filter((w) => !w.whenChangesDue);
  const sweeps = deps.work.filter((w) => w.whenChangesDue);
  const fires = new Map<TimedWork, number>();
  for (const work of timers) fires.set(work, work.next(cursor).getTime());
  const limit = Math.min(to.getTime(), ...fires.values());
  if (sweeps.length) {
    // Changes due in (cursor, limit], from the due index's date partitions of that span.
    let earliestDue: number | undefined;
    for (let day = utcDate(cursor); day.toString() <= utcDate(new Date(limit)).toString(); day = day.add({ days: 1 })) {
      for (const entry of await deps.dueIndex.due(day.toString())) {
        const dueAt = Math.max(Date.parse(entry.dueAt), cursor.getTime() + 1);
        if (dueAt <= limit && (earliestDue === undefined || dueAt < earliestDue)) earliestDue = dueAt;
      }
    }
    if (earliestDue !== undefined)
      for (const sweep of sweeps) fires.set(sweep, sweep.next(new Date(earliestDue - 1)).getTime());
  }
  const at = Math.min(...fires.values());
  if (!Number.isFinite(at) || at > to.getTime()) return undefined;
  return { at: new Date(at), work: deps.work.filter((w) => fires.get(w) === at) };
}
