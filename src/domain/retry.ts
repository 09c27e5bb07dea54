/**
 * When to try a failed or throttled message again: exponential back-off with "equal jitter" (half the delay
 * fixed, half random), so that retries spread out instead of coming back together, bounded by `capMs`.
 * Attempt 1 is the first retry. `random` is in [0, 1).
 */
export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

export const defaultBackoff: BackoffPolicy = { baseMs: 2_000, capMs: 5 * 60_000 };

export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: number): number {
  const exponential = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential / 2 + (exponential / 2) * random);
}
