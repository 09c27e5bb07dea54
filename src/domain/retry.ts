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

/**
 * The Retry-After a failure asks a queue to honour, in ms: only a throttled call's (an error whose `code` ends in
 * `THROTTLED`, carrying Microsoft's or a supplier's Retry-After as `extra.retryAfterSeconds`). Any other error's
 * `retryAfterSeconds` is the hint given to HTTP clients (an unavailable error's 30 s by default), not an answer
 * from whoever failed, and is not waited for: the back-off spaces those retries.
 */
export function throttledRetryAfterMs(error: unknown): number {
  if (typeof error !== 'object' || error === null) return 0;
  const { code, extra } = error as { code?: unknown; extra?: { retryAfterSeconds?: unknown } };
  if (typeof code !== 'string' || !code.endsWith('THROTTLED')) return 0;
  const seconds = Number(extra?.retryAfterSeconds ?? 0);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0;
}

/**
 * The one retry rule of every queue (the in-process queue, the Service Bus consumers, the Table Storage work
 * queue): after failed attempt `attempt`, wait the back-off with jitter, or a throttled call's Retry-After when
 * that is longer.
 */
export function retryDelayMs(attempt: number, error: unknown, policy: BackoffPolicy, random: number): number {
  return Math.max(backoffDelayMs(attempt, policy, random), throttledRetryAfterMs(error));
}
