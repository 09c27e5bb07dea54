import { Cron } from 'croner';
import type { TimerJob } from '../src/jobs/job.ts';

/** The simulator clock as the timers see it: the app's time, and the offset that moves it (only forward). */
export interface TimerClock {
  now(): Date;
  offsetMs(): number;
}

export interface SimulatedTimers {
  stop(): void;
}

/**
 * The local host's timers when COMMERCE_MODE=simulator: each fires at its NCRONTAB schedule (UTC) on the app's
 * (simulated) time, not the wall clock's, so that a nightly job runs at the simulated night against the simulated
 * data. When the clock jumps (an advance, here or in another process), the span jumped over is left to that
 * advance, which ran each firing in it once: the timer only finds its next firing after the new time.
 * `maxWaitMs` bounds each wait, so a jump is noticed within it.
 */
export function startSimulatedTimers(
  jobs: readonly TimerJob[],
  clock: TimerClock,
  run: (job: TimerJob) => Promise<void>,
  options: { maxWaitMs?: number } = {},
): SimulatedTimers {
  const maxWaitMs = options.maxWaitMs ?? 30_000;
  let stopped = false;
  const pending = new Set<{ timer: ReturnType<typeof setTimeout>; resolve: () => void }>();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const entry = {
        resolve,
        timer: setTimeout(() => {
          pending.delete(entry);
          resolve();
        }, ms),
      };
      pending.add(entry);
    });

  const loop = async (job: TimerJob) => {
    const cron = new Cron(job.schedule, { timezone: 'UTC', paused: true });
    const nextAfter = (instant: Date) => cron.nextRun(instant)?.getTime() ?? Infinity;
    let offset = clock.offsetMs();
    let next = nextAfter(clock.now());
    while (!stopped) {
      await sleep(Math.max(0, Math.min(next - clock.now().getTime(), maxWaitMs)));
      if (stopped) return;
      if (clock.offsetMs() !== offset) {
        // The clock was advanced: its advance ran this timer's firings up to the new time.
        offset = clock.offsetMs();
        next = nextAfter(clock.now());
        continue;
      }
      if (clock.now().getTime() < next) continue;
      await run(job);
      next = nextAfter(clock.now());
    }
  };
  for (const job of jobs) void loop(job);
  return {
    stop() {
      stopped = true;
      for (const entry of pending) {
        clearTimeout(entry.timer);
        entry.resolve();
      }
      pending.clear();
    },
  };
}
