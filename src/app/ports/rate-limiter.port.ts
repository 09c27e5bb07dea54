/** A per-identity limit on writes (RATE_LIMIT_WRITES_PER_MINUTE). */
export interface RateLimiter {
  /** Takes a token; when none is left, the seconds until one is. */
  take(key: string): { ok: true } | { ok: false; retryAfterSeconds: number };
}
