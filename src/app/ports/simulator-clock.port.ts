import type { Clock } from './clock.port.ts';
import type { Versioned } from './customer.repository.port.ts';

/**
 * F-CLOCK: the simulator clock's row. The app's time is the real time plus `offsetMs`; the offset only grows, so
 * the app's time never moves backwards. `advancing` is the lease of the one advance under way (its target and
 * when it was taken, in real time), so two processes never run the same span twice.
 */
export interface SimulatorClockState {
  offsetMs: number;
  advancing?: { to: string; since: string };
}

/** Where the clock's row lives (Table Storage), so that every process of the app sees the same time. */
export interface SimulatorClockStore {
  read(): Promise<Versioned<SimulatorClockState> | undefined>;
  /** Creates (no etag; Conflict when it exists) or replaces (etag; PreconditionFailed when stale) the row. */
  save(state: SimulatorClockState, etag?: string): Promise<Versioned<SimulatorClockState>>;
}

/** The app's clock in simulator mode: real time plus the stored offset, cached in-process and refreshed in the background. */
export interface SimulatedClock extends Clock {
  /** The offset this process uses now. */
  offsetMs(): number;
  /** Moves this process's time to `instant` (the advance does this at each instant it runs work at); never backwards. */
  moveTo(instant: Date): void;
  /**
   * Holds this process's time (`true`): from then on `now()` is the instant the clock was last started or moved to,
   * exactly, instead of running on with the wall clock, until released (`false`). The demo seed holds it, so that
   * everything stamped during a step has the step's time on every run, whatever the machine's speed.
   */
  hold(held: boolean): void;
  /**
   * Sets the time of a clock that was never stored (a fresh demo starts in the past); Conflict once it exists,
   * since after that it only moves forward.
   */
  startAt(instant: Date): Promise<void>;
  /** Reads the stored offset now (otherwise it is re-read at most every few seconds, off the request path). */
  refresh(): Promise<void>;
}
