import { z } from 'zod';
import { AppError } from '../../app/errors.ts';
import type { MicrosoftBilledSource } from '../../app/ports/reconciliation.port.ts';
import { monthRange } from '../../domain/reconciliation.ts';
import type { UsageLog } from '../usage/graph.usage.ts';
import type { PartnerCenterSend } from '../partner-center/partner-center-http.ts';
import { billedLine, noneSkipped } from './billed-row.ts';

/**
 * Microsoft's billed line items from Partner Center's invoice line items, the fallback when Microsoft Graph's billed
 * reconciliation export cannot serve an invoice (Partner Center REST, "Get invoice line items", billing provider
 * OneTime, which holds new-commerce license charges): `GET /v1/invoices/{invoiceId}/lineitems/OneTime/BillingLineItems
 * ?size=…&offset=0` answers a collection `{ totalCount, items, links: { next } }`; while `links.next` is present,
 * the next page is `GET …/BillingLineItems?seekOperation=Next` with the `MS-ContinuationToken` header that
 * `links.next.headers` carries. Items are `OneTimeInvoiceLineItem`s, mapped like the Graph export's rows.
 */
const PAGE_SIZE = 2000;

const pageSchema = z.object({
  totalCount: z.number().int().nonnegative().optional(),
  items: z.array(z.unknown()),
  continuationToken: z.string().optional(),
  links: z
    .object({
      next: z
        .object({
          uri: z.string().optional(),
          headers: z.array(z.object({ key: z.string(), value: z.string() })).optional(),
        })
        .optional(),
    })
    .optional(),
});

export function partnerCenterBilledSource(
  send: PartnerCenterSend,
  log: UsageLog = () => undefined,
): MicrosoftBilledSource {
  return {
    async *pull(month, options) {
      const invoiceId = options?.invoiceId;
      if (!invoiceId) {
        throw new AppError(
          'Validation',
          'REQUEST.INVALID',
          "Partner Center's invoice line items are read per invoice: give Microsoft's invoice id.",
          { errors: [{ path: 'invoiceId', message: 'required with COMMERCE_MODE=partnerCenter' }] },
        );
      }
      const base = `/v1/invoices/${encodeURIComponent(invoiceId)}/lineitems/OneTime/BillingLineItems`;
      const notFound = () =>
        new AppError('Validation', 'REQUEST.INVALID', `Partner Center has no invoice ${invoiceId}.`, {
          errors: [{ path: 'invoiceId', message: 'not an invoice of this partner' }],
        });
      const window = monthRange(month);
      const skipped = noneSkipped();
      let call: { path: string; headers?: Record<string, string> } | undefined = {
        path: `${base}?size=${PAGE_SIZE}&offset=0`,
      };
      let pages = 0;
      while (call) {
        const answer = await send({ method: 'GET', ...call, notFound });
        const page = pageSchema.safeParse(answer.body);
        if (!page.success) {
          throw new AppError(
            'Unavailable',
            'COMMERCE.BAD_ANSWER',
            `Partner Center answered the invoice line items of ${invoiceId} with an unreadable page.`,
          );
        }
        pages += 1;
        for (const item of page.data.items) {
          const out = billedLine(item, window, 'partnerCenter', invoiceId);
          if (typeof out === 'string') {
            skipped[out] += 1;
            continue;
          }
          yield out;
        }
        const next = page.data.links?.next;
        const token =
          next?.headers?.find((h) => h.key.toLowerCase() === 'ms-continuationtoken')?.value ??
          (next ? page.data.continuationToken : undefined);
        call = token ? { path: `${base}?seekOperation=Next`, headers: { 'MS-ContinuationToken': token } } : undefined;
      }
      log('info', 'partner center invoice line items read', { invoiceId, pages, ...skipped });
    },
  };
}

/**
 * Graph's export first; when it fails before giving a single line (an invoice it does not serve, a permission the
 * app lacks, Graph unavailable), the same invoice from the fallback. A failure after lines were given is not
 * retried elsewhere: the two sources' lines would mix.
 */
export function withFallback(
  primary: MicrosoftBilledSource,
  fallback: MicrosoftBilledSource,
  log: UsageLog = () => undefined,
): MicrosoftBilledSource {
  return {
    async *pull(month, options) {
      let given = 0;
      try {
        for await (const line of primary.pull(month, options)) {
          given += 1;
          yield line;
        }
        return;
      } catch (error) {
        if (given > 0 || (error instanceof AppError && error.kind === 'Validation')) throw error;
        log('warn', 'billed reconciliation export failed; reading the invoice line items instead', {
          month,
          error: error instanceof AppError ? `${error.code}: ${error.message}` : String(error),
        });
      }
      yield* fallback.pull(month, options);
    },
  };
}
