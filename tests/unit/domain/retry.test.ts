import { describe, expect, it } from 'vitest';
import { commerceThrottled, commerceUnavailable } from '../../../src/app/commerce-errors.ts';
import { directoryThrottled, directoryUnavailable } from '../../../src/app/directory-errors.ts';
import { AppError } from '../../../src/app/errors.ts';
import { backoffDelayMs, retryDelayMs, throttledRetryAfterMs } from '../../../src/domain/retry.ts';

/** The one retry rule shared by the in-process queue, the Service Bus consumers and the Table Storage work queue. */
const policy = { baseMs: 1_000, capMs: 60_000 };

describe('backoffDelayMs: exponential with equal jitter, capped', () => {
  it.each([
    [1, 500, 1_000],
    [2, 1_000, 2_000],
    [3, 2_000, 4_000],
    [7, 30_000, 60_000], // 64 s capped at 60 s
    [20, 30_000, 60_000],
  ])('attempt %i waits between %i and %i ms', (attempt, low, high) => {
    expect(backoffDelayMs(attempt, policy, 0)).toBe(low);
    expect(backoffDelayMs(attempt, policy, 0.999_999)).toBe(high);
  });
});

describe('retryDelayMs: a throttled call waits its Retry-After when longer than the back-off', () => {
  it('waits a throttled error’s Retry-After (Partner Center, Graph, any …THROTTLED code) over a shorter back-off', () => {
    expect(retryDelayMs(1, commerceThrottled(57), policy, 0.5)).toBe(57_000);
    expect(retryDelayMs(2, directoryThrottled(9), policy, 0.5)).toBe(9_000);
    const psa = new AppError('Unavailable', 'PSA.THROTTLED', 'ConnectWise throttled', { retryAfterSeconds: 4 });
    expect(retryDelayMs(1, psa, policy, 0)).toBe(4_000);
  });

  it('keeps the back-off when it is longer than a throttled error’s Retry-After', () => {
    expect(retryDelayMs(7, commerceThrottled(2), policy, 0)).toBe(30_000);
  });

  it('ignores the retryAfterSeconds of an error that is not throttling (the hint given to HTTP clients)', () => {
    // An outage carries 30 s by default for HTTP clients; the queue spaces those retries by the back-off alone.
    expect(retryDelayMs(1, commerceUnavailable('timeout'), policy, 0)).toBe(500);
    expect(retryDelayMs(2, directoryUnavailable('502'), policy, 0.5)).toBe(1_500);
    expect(throttledRetryAfterMs(commerceUnavailable('timeout'))).toBe(0);
  });

  it('uses the back-off for errors without a usable Retry-After', () => {
    expect(retryDelayMs(1, new Error('boom'), policy, 0)).toBe(500);
    expect(retryDelayMs(1, undefined, policy, 0)).toBe(500);
    expect(retryDelayMs(1, 'string thrown', policy, 0)).toBe(500);
    const bad = new AppError('Unavailable', 'COMMERCE.THROTTLED', 'x', { retryAfterSeconds: Number.NaN });
    expect(retryDelayMs(1, bad, policy, 0)).toBe(500);
    const negative = new AppError('Unavailable', 'COMMERCE.THROTTLED', 'x', { retryAfterSeconds: -5 });
    expect(throttledRetryAfterMs(negative)).toBe(0);
  });
});
