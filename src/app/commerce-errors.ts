import { AppError } from './errors.ts';

/**
 * How Microsoft's failures reach callers: throttling (429) and outages (5xx, timeouts) are 503 with
 * Retry-After and count as transient (a scheduled change retries them); refusals of a business rule are 409
 * with Microsoft's reason.
 */
export function commerceThrottled(retryAfterSeconds: number): AppError {
  return new AppError(
    'Unavailable',
    'COMMERCE.THROTTLED',
    'Microsoft is throttling requests; try again after the Retry-After delay.',
    { retryAfterSeconds },
  );
}

export function commerceUnavailable(detail: string, retryAfterSeconds = 30): AppError {
  return new AppError(
    'Unavailable',
    'COMMERCE.UNAVAILABLE',
    `Microsoft did not answer in time or failed (${detail}); nothing was changed.`,
    { retryAfterSeconds },
  );
}

export function commerceRefused(code: string, message: string, extra: Record<string, unknown> = {}): AppError {
  return new AppError('Conflict', code, message, extra);
}

export function isTransientCommerceError(error: unknown): boolean {
  return error instanceof AppError && (error.code === 'COMMERCE.THROTTLED' || error.code === 'COMMERCE.UNAVAILABLE');
}
