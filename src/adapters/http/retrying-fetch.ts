/**
 * One outbound HTTP call with a timeout per attempt (AbortSignal.timeout) and bounded retries: a 429 waits out its
 * Retry-After (delay-seconds or an HTTP date), a 408, 5xx, timeout or network error backs off exponentially with
 * jitter; either stops after `maxRetries` retries, or at once when the next wait would take the total past
 * `maxTotalWaitMs`. Any other answer comes back to the caller as it is; a call that ends without one comes back as
 * a failure for the adapter to put in its own error codes.
 */
export interface HttpDependencies {
  fetch: typeof fetch;
  sleep: (ms: number) => Promise<void>;
  /** In [0, 1); the jitter of the backoff. */
  random: () => number;
}

export interface RetryPolicy {
  timeoutMs: number;
  maxRetries: number;
  maxTotalWaitMs: number;
  /** false: a 408, 5xx, timeout or network error is not retried (where a retry could do a write twice); 429s are. */
  retryServerErrors?: boolean;
  /** The wait before retry `n` (from 0) without a Retry-After; by default exponential with equal jitter. */
  backoff?: (retry: number) => number;
  /** Reads the body as text within the attempt, so that an answer cut short is retried like a lost one. */
  readText?: boolean;
}

export interface RetryFailure {
  ok: false;
  /** The last answer was a 429. */
  throttled: boolean;
  /** The last answer's status; undefined when none came. */
  status: number | undefined;
  timedOut: boolean;
  /** `HTTP 503`, `no answer within 5000 ms` or `network error`. */
  detail: string;
  retryAfterMs: number | undefined;
  /** The wait not taken, in whole seconds (at least 1): when the caller may try again. */
  retryAfterSeconds: number;
}

/** `text` is the body when `readText`, else '' (and the body is unread). */
export type RetryResult = { ok: true; response: Response; text: string } | RetryFailure;

const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 8_000;

/** The global fetch (looked up at each call), a timer sleep and Math.random, unless injected. */
export function httpDependencies(options: Partial<HttpDependencies>): HttpDependencies {
  return {
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    random: options.random ?? Math.random,
  };
}

/** `init` may be a function, called before each attempt (e.g. for a fresh token); what it throws is not retried. */
export async function retryingFetch(
  input: string | URL | Request,
  init: RequestInit | (() => Promise<RequestInit>),
  policy: RetryPolicy,
  deps: HttpDependencies,
): Promise<RetryResult> {
  // Exponential, capped, with "equal jitter": between half and all of the step.
  const backoff =
    policy.backoff ??
    ((retry: number) => {
      const step = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** retry);
      return Math.round(step / 2 + deps.random() * (step / 2));
    });
  let waitedMs = 0;
  for (let retry = 0; ; retry += 1) {
    const request = typeof init === 'function' ? await init() : init;
    let response: Response | undefined;
    let text = '';
    let timedOut = false;
    try {
      response = await deps.fetch(input, { ...request, signal: AbortSignal.timeout(policy.timeoutMs) });
      if (policy.readText) text = await response.text();
    } catch (error) {
      response = undefined;
      timedOut = error instanceof Error && error.name === 'TimeoutError';
    }
    const status = response?.status;
    if (response && status !== 429 && status !== 408 && response.status < 500) return { ok: true, response, text };

    const throttled = status === 429;
    const retryAfterMs = parseRetryAfter(response?.headers.get('retry-after') ?? null);
    if (!policy.readText) await response?.arrayBuffer().catch(() => undefined);
    const delayMs = retryAfterMs ?? backoff(retry);
    if (
      (!throttled && policy.retryServerErrors === false) ||
      retry >= policy.maxRetries ||
      waitedMs + delayMs > policy.maxTotalWaitMs
    ) {
      const detail = status ? `HTTP ${status}` : timedOut ? `no answer within ${policy.timeoutMs} ms` : 'network error';
      return {
        ok: false,
        throttled,
        status,
        timedOut,
        detail,
        retryAfterMs,
        retryAfterSeconds: Math.max(1, Math.ceil(delayMs / 1000)),
      };
    }
    waitedMs += delayMs;
    await deps.sleep(delayMs);
  }
}

/** Retry-After as delay-seconds or an HTTP date, in ms. */
export function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** The JSON of a body, or undefined when it is none (error bodies). */
export function jsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `Bearer {token}`; when no token comes, `failure()`, which names the settings to check rather than the cause. */
export async function bearer(getToken: () => Promise<string>, failure: () => Error): Promise<string> {
  try {
    return `Bearer ${await getToken()}`;
  } catch {
    throw failure();
  }
}

/** App-only tokens of an Entra app in one tenant; @azure/identity is loaded on the first call, not at cold start. */
export function clientSecretTokens(
  tenantId: string,
  clientId: string,
  clientSecret: string,
  scope: string,
): () => Promise<string> {
  let credential: Promise<{ getToken(scope: string): Promise<{ token: string } | null> }> | undefined;
  return async () => {
    credential ??= import('@azure/identity').then(
      ({ ClientSecretCredential }) => new ClientSecretCredential(tenantId, clientId, clientSecret),
    );
    const token = await (await credential).getToken(scope);
    if (!token) throw new Error('Entra ID returned no token');
    return token.token;
  };
}
