import type { RateLimiter } from '../app/ports/rate-limiter.port.ts';

export type { RateLimiter };

/**
 * A per-identity token bucket for writes: `perMinute` tokens refilled continuously, a burst of the same
 * size. In-process, so each instance limits on its own (the platform scales instances; this stops one caller
 * from monopolising one).
 */
export function createRateLimiter(perMinute: number, now: () => number = Date.now): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const rate = perMinute / 60_000;
  return {
    take(key) {
      if (perMinute <= 0) return { ok: true };
      const t = now();
      const bucket = buckets.get(key) ?? { tokens: perMinute, at: t };
      bucket.tokens = Math.min(perMinute, bucket.tokens + (t - bucket.at) * rate);
      bucket.at = t;
      if (buckets.size > 50_000) buckets.clear();
      buckets.set(key, bucket);
      if (bucket.tokens < 1) return { ok: false, retryAfterSeconds: Math.ceil((1 - bucket.tokens) / rate / 1000) };
      bucket.tokens -= 1;
      return { ok: true };
    },
  };
}
