import type { DueIndex } from '../ports/due-index.port.ts';
import type { SimulatedClock, SimulatorClockStore } from '../ports/simulator-clock.port.ts';

/** One timer of the job table as the advance sees it: when it fires next, and what it does. */
export interface TimedWork {
  name: string;
  /** Its first firing strictly after `after`. */
  next(after: Date): Date;
  /**
   * The future-change sweep: it is run at its firings where a change fell due since the previous instant (its
   * other firings would find nothing), so that a year is not 35,000 empty sweeps.
   */
  whenChangesDue?: boolean;
  run(): Promise<void>;
}

/** F-CLOCK: what advancing the simulator clock needs. */
export interface SimulatorClockDeps {
  clock: SimulatedClock;
  clockStore: SimulatorClockStore;
  dueIndex: Pick<DueIndex, 'due'>;
  /** The job table's timers, in table order (the order of work firing at the same instant). */
  work: readonly TimedWork[];
  /** Real time (tests may pin it). */
  realNow?: () => number;
}

/** The simulator clock as the composition root hands it to the routes (COMMERCE_MODE=simulator only). */
export interface SimulatorClockControl {
  clock: SimulatedClock;
  clockStore: SimulatorClockStore;
  /** Advances through the job table (see advanceClock). */
  advance(to: Date): Promise<AdvanceResult>;
}

export interface AdvanceResult {
  from: string;
  to: string;
  /** How many times each timer ran, by name (timers that did not fire are left out). */
  runs: Record<string, number>;
}
