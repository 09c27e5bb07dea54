import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { AppError } from '../../app/errors.ts';
import {
  commerceBadAnswer,
  commerceThrottled,
  commerceUnavailable,
  microsoftRefusal,
} from '../../app/commerce-errors.ts';
import type { Config } from '../../config.ts';
import {
  bearer,
  clientSecretTokens,
  httpDependencies,
  jsonOrUndefined,
  retryingFetch,
  type HttpDependencies,
  type RetryPolicy,
} from '../http/retrying-fetch.ts';

/**
 * One Partner Center REST call, for every adapter over Partner Center: a bearer token of the partner's app,
 * MS-RequestId (kept across retries of a write, so Microsoft applies it once) and MS-CorrelationId; 429 honours
 * Retry-After, 5xx and timeouts back off exponentially with jitter, bounded by PARTNER_CENTER_MAX_RETRIES and a
 * total wait, then COMMERCE.THROTTLED / COMMERCE.UNAVAILABLE (503); refused credentials are COMMERCE.UNAVAILABLE
 * at once, other refusals COMMERCE.REFUSED (409) with Microsoft's code and description. Every request carries
 * `X-Locale` (Partner Center's documented headers); a write carries `Content-Type: application/json` even with an
 * empty body (the documented checkout request does). An answer that is not JSON is COMMERCE.BAD_ANSWER (503), never
 * an unexplained 500.
 */
export type PartnerCenterConfig = Pick<
  Config,
  | 'PARTNER_CENTER_BASE_URL'
  | 'PARTNER_CENTER_CLIENT_ID'
  | 'PARTNER_CENTER_CLIENT_SECRET'
  | 'PARTNER_CENTER_TIMEOUT_MS'
  | 'PARTNER_CENTER_MAX_RETRIES'
  | 'PARTNER_TENANT_ID'
>;

export interface PartnerCenterOptions extends Partial<HttpDependencies> {
  /** Bearer token for Partner Center; by default an app-only token of the partner's Entra app. */
  getToken?: () => Promise<string>;
}

export interface PartnerCenterCall {
  method: 'GET' | 'HEAD' | 'POST' | 'PATCH';
  /** Path and query under the base URL, from `/v1/`. */
  path: string;
  /** One per port call; a fresh one by default. */
  correlationId?: string;
  /** MS-RequestId of a write, kept across retries; a read gets a fresh one. */
  requestId?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Non-2xx statuses this call expects (e.g. 404 of a HEAD that checks existence, 412 of an If-Match). */
  answer?: number[];
  /** What a 404 means for this call. */
  notFound?: () => AppError;
}

export interface PartnerCenterAnswer {
  status: number;
  /** The parsed JSON; undefined for an empty body. */
  body: unknown;
  /** The answer's headers (Location of a 202, Retry-After). */
  headers: Headers;
}

export type PartnerCenterSend = (call: PartnerCenterCall) => Promise<PartnerCenterAnswer>;

const PARTNER_CENTER_SCOPE = 'https://api.partnercenter.microsoft.com/.default';
/** The locale of Microsoft's descriptions in refusals, shown to users as they are. */
export const PARTNER_CENTER_LOCALE = 'en-US';
/** Longest total wait between attempts of one call: past it the caller gets the 429/503 and retries later. */
const MAX_TOTAL_WAIT_MS = 30_000;

const errorBodySchema = z.object({
  code: z.union([z.string(), z.number()]).optional(),
  description: z.string().optional(),
  errorName: z.string().optional(),
});

export function partnerCenterHttp(config: PartnerCenterConfig, options: PartnerCenterOptions = {}): PartnerCenterSend {
  const base = new URL(config.PARTNER_CENTER_BASE_URL);
  const getToken =
    options.getToken ??
    clientSecretTokens(
      config.PARTNER_TENANT_ID,
      config.PARTNER_CENTER_CLIENT_ID,
      config.PARTNER_CENTER_CLIENT_SECRET,
      PARTNER_CENTER_SCOPE,
    );
  const deps = httpDependencies(options);
  const policy: RetryPolicy = {
    timeoutMs: config.PARTNER_CENTER_TIMEOUT_MS,
    maxRetries: config.PARTNER_CENTER_MAX_RETRIES,
    maxTotalWaitMs: MAX_TOTAL_WAIT_MS,
    readText: true,
  };

  return async (call) => {
    const requestId = call.requestId ?? randomUUID();
    const correlationId = call.correlationId ?? randomUUID();
    const init = async (): Promise<RequestInit> => {
      const headers: Record<string, string> = {
        Accept: 'application/json',
        Authorization: await bearer(getToken, noToken),
        'MS-RequestId': requestId,
        'MS-CorrelationId': correlationId,
        'X-Locale': PARTNER_CENTER_LOCALE,
        ...call.headers,
      };
      if (call.body !== undefined || call.method === 'POST' || call.method === 'PATCH')
        headers['Content-Type'] = 'application/json';
      return { method: call.method, headers, ...(call.body !== undefined ? { body: JSON.stringify(call.body) } : {}) };
    };

    const result = await retryingFetch(new URL(call.path, base), init, policy, deps);
    if (!result.ok) {
      throw result.throttled
        ? commerceThrottled(result.retryAfterSeconds)
        : commerceUnavailable(result.detail, result.retryAfterMs === undefined ? undefined : result.retryAfterSeconds);
    }
    const { status } = result.response;
    if ((status >= 200 && status < 300) || call.answer?.includes(status))
      return { status, body: result.text ? json(result.text, status) : undefined, headers: result.response.headers };

    const error = errorBodySchema.safeParse(jsonOrUndefined(result.text)).data ?? {};
    if (status === 401 || status === 403) {
      throw commerceUnavailable(
        `Partner Center refused the partner's credentials (HTTP ${status}${status === 403 && error.description ? `: ${error.description.slice(0, 200)}` : ''}); ` +
          "check PARTNER_CENTER_CLIENT_ID, PARTNER_CENTER_CLIENT_SECRET and the app's Partner Center API access",
      );
    }
    if (status === 404 && call.notFound) throw call.notFound();
    throw partnerCenterRefusal(
      error.code ?? status,
      error.description ?? `Microsoft refused the request (HTTP ${status}).`,
      {
        httpStatus: status,
        ...(error.errorName ? { microsoftErrorName: error.errorName } : {}),
      },
    );
  };
}

const noToken = () =>
  commerceUnavailable(
    "no Partner Center token for the partner's app; check PARTNER_TENANT_ID, PARTNER_CENTER_CLIENT_ID and PARTNER_CENTER_CLIENT_SECRET",
  );

/** Microsoft's business refusal, as every adapter surfaces it (`microsoftRefusal`). */
export const partnerCenterRefusal = microsoftRefusal;

function json(text: string, status: number): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw commerceBadAnswer(`HTTP ${status} with a body that is not JSON`);
  }
}
