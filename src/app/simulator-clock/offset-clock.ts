import type { SimulatedClock, SimulatorClockStore } from '../ports/simulator-clock.port.ts';

/**
 * The simulated clock of one process. `now()` stays synchronous and costs no storage call: the stored offset is
 * read once at start and then again in the background when `now()` is called more than `refreshMs` after the
 * last read. Another process's advance is therefore seen within `refreshMs`; the advancing process sees it at once.
 */
export async function offsetClock(
  store: SimulatorClockStore,
  options: { refreshMs: number; realNow?: () => number },
): Promise<SimulatedClock> {
  const realNow = options.realNow ?? Date.now;
  // Storage unreachable at start (health reports it): real time until the next read succeeds.
  const initial = await store.read().then(
    (row) => ({ offset: row?.value.offsetMs ?? 0, ok: true }),
    () => ({ offset: 0, ok: false }),
  );
  let offset = initial.offset;
  // While held: the instant `now()` answers (undefined when running with the wall clock).
  let held: number | undefined;
  let readAt = initial.ok ? realNow() : -Infinity;
  let reading: Promise<void> | undefined;
  const refresh = () =>
    (reading ??= store
      .read()
      .then((row) => {
        // Never backwards: a stale read (another process saved an older value) does not undo a newer one.
        if (row && row.value.offsetMs > offset) offset = row.value.offsetMs;
      })
      .catch(() => undefined) // storage unreachable: keep the last offset, try again later
      .finally(() => {
        readAt = realNow();
        reading = undefined;
      }));
  return {
    now() {
      const real = realNow();
      if (real - readAt > options.refreshMs) void refresh();
      return new Date(held ?? real + offset);
    },
    offsetMs: () => offset,
    moveTo(instant) {
      const next = instant.getTime() - realNow();
      if (next > offset) offset = next;
      if (held !== undefined && instant.getTime() > held) held = instant.getTime();
    },
    hold(on) {
      held = on ? realNow() + offset : undefined;
    },
    async startAt(instant) {
      const start = instant.getTime() - realNow();
      await store.save({ offsetMs: start }); // Conflict when the clock exists already
      offset = start;
      if (held !== undefined) held = instant.getTime();
      readAt = realNow();
    },
    refresh,
  };
}
