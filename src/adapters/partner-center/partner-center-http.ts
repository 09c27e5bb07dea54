import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { commerceRefused, commerceThrottled, commerceUnavailable } from '../../app/commerce-errors.ts';
import { PARTNER_CENTER_SCOPE, type PartnerCenterConfig, type PartnerCenterOptions } from '../commerce/partner-center.commerce.ts';

/**
 * One Partner Center REST call with the same rules as the commerce adapter: a bearer token of the partner's app,
 * MS-RequestId (kept across retries of a write, so Microsoft applies it once) and MS-CorrelationId; 429 honours
 * Retry-After, 5xx and timeouts back off exponentially with jitter, bounded by PARTNER_CENTER_MAX_RETRIES and a
 * total wait, then COMMERCE.THROTTLED / COMMERCE.UNAVAILABLE (503); other refusals are COMMERCE.REFUSED (409)
 * with Microsoft's code and description. Statuses listed in `answer` come back to the caller instead.
 */
export interface PartnerCenterCall {
  method: 'GET' | 'HEAD' | 'POST' | 'PATCH';
  /** Path and query under the base URL, from `/v1/`. */
  path: string;
  correlationId?: string;
  /** MS-RequestId of a write; a read gets a fresh one. */
  requestId?: string;
  body?: unknown;
  /** Non-2xx statuses this call expects (e.g. 404 of a HEAD that checks existence). */
  answer?: number[];
}

export interface PartnerCenterAnswer {
  status: number;
  body: unknown;
}

export type PartnerCenterSend = (call: PartnerCenterCall) => Promise<PartnerCenterAnswer>;

const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 8_000;
const MAX_TOTAL_WAIT_MS = 30_000;

const errorBodySchema = z.object({
  code: z.union([z.string(), z.number()]).optional(),
  description: z.string().optional(),
  errorName: z.string().optional(),
});

type Attempt = { ok: true; answer: PartnerCenterAnswer } | { ok: false; throttled: boolean; detail: string; retryAfterMs: number | undefined };

export function partnerCenterHttp(config: PartnerCenterConfig, options: PartnerCenterOptions = {}): PartnerCenterSend {
  const base = new URL(config.PARTNER_CENTER_BASE_URL);
  const getToken = options.getToken ?? clientSecretTokens(config);
  const fetchFn = options.fetch ?? ((input: Parameters<typeof fetch>[0], init?: RequestInit) => fetch(input, init));
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;

  const attempt = async (call: PartnerCenterCall, requestId: string, correlationId: string): Promise<Attempt> => {
    let token: string;
    try {
      token = await getToken();
    } catch {
      throw commerceUnavailable("no Partner Center token for the partner's app; check PARTNER_TENANT_ID, PARTNER_CENTER_CLIENT_ID and PARTNER_CENTER_CLIENT_SECRET");
    }
    const headers: Record<string, string> = {
      Accept: 'application/json',
      Authorization: `Bearer ${token}`,
      'MS-RequestId': requestId,
      'MS-CorrelationId': correlationId,
    };
    if (call.body !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    let text: string;
    try {
      response = await fetchFn(new URL(call.path, base), {
        method: call.method,
        headers,
        ...(call.body !== undefined ? { body: JSON.stringify(call.body) } : {}),
        signal: AbortSignal.timeout(config.PARTNER_CENTER_TIMEOUT_MS),
      });
      text = await response.text();
    } catch (error) {
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      return { ok: false, throttled: false, detail: timedOut ? `no answer within ${config.PARTNER_CENTER_TIMEOUT_MS} ms` : 'network error', retryAfterMs: undefined };
    }
    const { status } = response;
    if ((status >= 200 && status < 300) || call.answer?.includes(status)) return { ok: true, answer: { status, body: text ? safeJson(text) : undefined } };
    const retryAfterMs = retryAfter(response.headers.get('retry-after'));
    if (status === 429) return { ok: false, throttled: true, detail: 'HTTP 429', retryAfterMs };
    if (status === 408 || status >= 500) return { ok: false, throttled: false, detail: `HTTP ${status}`, retryAfterMs };
    const error = errorBodySchema.safeParse(safeJson(text)).data ?? {};
    if (status === 401 || status === 403) {
      throw commerceUnavailable(
        `Partner Center refused the partner's credentials (HTTP ${status}); check PARTNER_CENTER_CLIENT_ID, PARTNER_CENTER_CLIENT_SECRET and the app's Partner Center API access`,
      );
    }
    throw commerceRefused('COMMERCE.REFUSED', error.description ?? `Microsoft refused the request (HTTP ${status}).`, {
      microsoftCode: String(error.code ?? status),
      httpStatus: status,
      ...(error.errorName ? { microsoftErrorName: error.errorName } : {}),
    });
  };

  return async (call) => {
    const requestId = call.requestId ?? randomUUID();
    const correlationId = call.correlationId ?? randomUUID();
    let waitedMs = 0;
    for (let retry = 0; ; retry += 1) {
      const result = await attempt(call, requestId, correlationId);
      if (result.ok) return result.answer;
      const step = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** retry);
      const delayMs = result.retryAfterMs ?? Math.round(step / 2 + random() * (step / 2));
      if (retry >= config.PARTNER_CENTER_MAX_RETRIES || waitedMs + delayMs > MAX_TOTAL_WAIT_MS) {
        const seconds = Math.max(1, Math.ceil(delayMs / 1000));
        throw result.throttled ? commerceThrottled(seconds) : commerceUnavailable(result.detail, result.retryAfterMs === undefined ? undefined : seconds);
      }
      waitedMs += delayMs;
      await sleep(delayMs);
    }
  };
}

/** App-only tokens of the partner's Entra app; @azure/identity is loaded on the first call, not at cold start. */
function clientSecretTokens(config: PartnerCenterConfig): () => Promise<string> {
  let credential: Promise<{ getToken(scope: string): Promise<{ token: string } | null> }> | undefined;
  return async () => {
    credential ??= import('@azure/identity').then(
      ({ ClientSecretCredential }) => new ClientSecretCredential(config.PARTNER_TENANT_ID, config.PARTNER_CENTER_CLIENT_ID, config.PARTNER_CENTER_CLIENT_SECRET),
    );
    const token = await (await credential).getToken(PARTNER_CENTER_SCOPE);
    if (!token) throw new Error('Entra ID returned no token');
    return token.token;
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Retry-After as delay-seconds or an HTTP date. */
function retryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
