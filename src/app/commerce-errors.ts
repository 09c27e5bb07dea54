import { AppError } from './errors.ts';

/**
 * How Microsoft's failures reach callers: throttling (429) and outages (5xx, timeouts) are 503 with
 * Retry-After and count as transient (a scheduled change retries them); refusals of a business rule are 409
 * with Microsoft's reason.
 */
export class CommerceThrottledError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super(
      'Unavailable',
      'COMMERCE.THROTTLED',
      `Microsoft is throttling requests; nothing was changed. Try again in ${retryAfterSeconds} s.`,
      { retryAfterSeconds },
    );
  }
}

/**
 * Partner Center answered 429 and the Retry-After is longer than an adapter waits within one call (Microsoft's own
 * example says 57 s): no sleep, this typed error instead. A queued attempt reschedules itself after
 * `retryAfterSeconds`; an HTTP request answers 503 with that Retry-After.
 */
export function commerceThrottled(retryAfterSeconds: number): CommerceThrottledError {
  return new CommerceThrottledError(retryAfterSeconds);
}

/** Microsoft answered something this product cannot read: nothing is assumed changed; try again later. */
export function commerceBadAnswer(detail: string, retryAfterSeconds = 60): AppError {
  return new AppError(
    'Unavailable',
    'COMMERCE.BAD_ANSWER',
    `Microsoft answered in a form this portal cannot read (${detail}). Check My Services in a few minutes before trying again; if it persists, contact your partner.`,
    { retryAfterSeconds },
  );
}

/**
 * Microsoft accepted a change (202 Accepted) and is still applying it when the adapter stops waiting. The change
 * is not lost: a repeat with the same request id is applied once. Transient.
 */
export function commerceUpdatePending(retryAfterSeconds: number): AppError {
  return new AppError(
    'Unavailable',
    'COMMERCE.UPDATE_PENDING',
    `Microsoft accepted the change and is still applying it; My Services shows it once Microsoft has finished (check again in ${retryAfterSeconds} s).`,
    { retryAfterSeconds },
  );
}

/** A legacy subscription (Azure legacy, legacy add-on): readable, but changed in Partner Center only. */
export function commerceLegacy(subscriptionId: string, reason: string): AppError {
  return new AppError(
    'Conflict',
    'COMMERCE.LEGACY_SUBSCRIPTION',
    `Subscription ${subscriptionId} is a legacy subscription: ${reason}`,
    {
      subscriptionId,
    },
  );
}

/** The subscription changed at Microsoft between our read and our change, twice in a row. */
export function commerceChangedMeanwhile(subscriptionId: string): AppError {
  return new AppError(
    'PreconditionFailed',
    'COMMERCE.CHANGED_AT_MICROSOFT',
    `Subscription ${subscriptionId} was changed at Microsoft while this change was being sent; nothing was changed. Reload My Services and try again.`,
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

/**
 * Microsoft's business refusal: COMMERCE.REFUSED (409) naming Microsoft's code, with its description. Partner Center's
 * adapter surfaces its answers this way, and the commerce simulator refuses the same way.
 */
export function microsoftRefusal(code: string | number, description: string, extra: Record<string, unknown> = {}) {
  return commerceRefused('COMMERCE.REFUSED', description, { microsoftCode: String(code), ...extra });
}

export function isTransientCommerceError(error: unknown): boolean {
  return (
    error instanceof AppError &&
    (error.code === 'COMMERCE.THROTTLED' ||
      error.code === 'COMMERCE.UNAVAILABLE' ||
      error.code === 'COMMERCE.BAD_ANSWER' ||
      error.code === 'COMMERCE.UPDATE_PENDING')
  );
}
