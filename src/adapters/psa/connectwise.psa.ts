import { z } from 'zod';
import { AppError } from '../../app/errors.ts';
import type { AgreementAdditionsApi } from '../../app/ports/psa.port.ts';
import type { Config } from '../../config.ts';
import { httpDependencies, jsonOrUndefined, retryingFetch, type HttpDependencies } from '../http/retrying-fetch.ts';

/**
 * ConnectWise Manage's REST API (v4_6_release, API 3.0): `POST {site}/v4_6_release/apis/3.0/finance/agreements/
 * {agreementId}/additions` creates an agreement addition. Authentication is an API member's keys as Basic
 * `{companyId}+{publicKey}:{privateKey}` with the integrator's `clientId` header; the body references the product by
 * its catalog `identifier` and carries quantity, unitPrice, unitCost, billCustomer, effectiveDate and, for a
 * removal, cancelledDate (ISO 8601 with the `Z` suffix, as ConnectWise writes them). 201 answers the addition with
 * its `id`. A 400 names the field in `errors[]` (e.g. an unknown product); 401/403 mean the keys or the member's
 * security role. A POST is not retried after a 5xx or a timeout (it may have been created); 429s are.
 */
export type ConnectWiseConfig = Pick<
  Config,
  | 'CONNECTWISE_BASE_URL'
  | 'CONNECTWISE_COMPANY_ID'
  | 'CONNECTWISE_PUBLIC_KEY'
  | 'CONNECTWISE_PRIVATE_KEY'
  | 'CONNECTWISE_CLIENT_ID'
>;

const API = '/v4_6_release/apis/3.0';

const createdSchema = z.object({ id: z.number().int() });
const errorSchema = z.object({
  code: z.string().optional(),
  message: z.string().optional(),
  errors: z
    .array(z.object({ code: z.string().optional(), message: z.string().optional(), field: z.string().optional() }))
    .optional(),
});

export function connectWiseAdditions(
  config: ConnectWiseConfig,
  options: Partial<HttpDependencies> & { timeoutMs?: number; maxRetries?: number } = {},
): AgreementAdditionsApi {
  if (!config.CONNECTWISE_BASE_URL) {
    throw new AppError(
      'Unavailable',
      'PSA.NOT_CONFIGURED',
      'ConnectWise Manage is not configured: set CONNECTWISE_BASE_URL and the API member keys.',
    );
  }
  const deps = httpDependencies(options);
  const auth = Buffer.from(
    `${config.CONNECTWISE_COMPANY_ID}+${config.CONNECTWISE_PUBLIC_KEY}:${config.CONNECTWISE_PRIVATE_KEY}`,
  ).toString('base64');
  const base = config.CONNECTWISE_BASE_URL.replace(/\/+$/, '');
  return {
    async create(addition) {
      const url = new URL(`${base}${API}/finance/agreements/${encodeURIComponent(addition.agreementId)}/additions`);
      const negative = addition.quantity.startsWith('-');
      const body = {
        product: { identifier: addition.psaProductId },
        quantity: Number(addition.quantity),
        unitPrice: Number(addition.unitPrice),
        unitCost: Number(addition.unitCost),
        billCustomer: 'Billable',
        effectiveDate: `${addition.effectiveDate}T00:00:00Z`,
        ...(negative ? { cancelledDate: `${addition.effectiveDate}T00:00:00Z` } : {}),
        description: addition.description.slice(0, 6000),
        invoiceDescription: addition.description.slice(0, 6000),
        taxableFlag: true,
      };
      const result = await retryingFetch(
        url,
        {
          method: 'POST',
          headers: {
            Authorization: `Basic ${auth}`,
            clientId: config.CONNECTWISE_CLIENT_ID,
            'Content-Type': 'application/json',
            Accept: 'application/vnd.connectwise.com+json; version=2022.1',
          },
          body: JSON.stringify(body),
        },
        {
          timeoutMs: options.timeoutMs ?? 30_000,
          maxRetries: options.maxRetries ?? 3,
          maxTotalWaitMs: 60_000,
          retryServerErrors: false,
          readText: true,
        },
        deps,
      );
      if (!result.ok) {
        throw new AppError(
          'Unavailable',
          result.throttled ? 'PSA.THROTTLED' : 'PSA.UNAVAILABLE',
          `ConnectWise Manage did not take the addition (${result.detail}); nothing is marked sent, so pushing again retries it.`,
          { retryAfterSeconds: result.retryAfterSeconds },
        );
      }
      const { response, text } = result;
      if (response.status === 201 || response.status === 200) {
        const created = createdSchema.safeParse(jsonOrUndefined(text));
        if (!created.success)
          throw new AppError(
            'Unavailable',
            'PSA.UNAVAILABLE',
            'ConnectWise Manage answered without the addition’s id.',
          );
        return { id: String(created.data.id) };
      }
      const error = errorSchema.safeParse(jsonOrUndefined(text)).data;
      const detail = [error?.message, ...(error?.errors ?? []).map((e) => `${e.field ?? ''} ${e.message ?? ''}`.trim())]
        .filter(Boolean)
        .join('; ');
      if (response.status === 401 || response.status === 403) {
        throw new AppError(
          'Unavailable',
          'PSA.REFUSED',
          `ConnectWise Manage refused the API member's keys (HTTP ${response.status}); check CONNECTWISE_* settings and the member's Finance > Agreements security.`,
        );
      }
      throw new AppError(
        'Unprocessable',
        'PSA.ADDITION_REFUSED',
        `ConnectWise Manage refused the addition for agreement ${addition.agreementId} (HTTP ${response.status})${detail ? `: ${detail}` : ''}.`,
        { errors: [{ path: `additions.${addition.id}`, message: detail || `HTTP ${response.status}` }] },
      );
    },
  };
}
