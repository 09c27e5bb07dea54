import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';

/**
 * Partner Center's invoice line items at the wire (REST reference "Get invoice line items", request/response
 * examples 4 and 5: billing provider OneTime, billing line items): `GET /v1/invoices/{id}/lineitems/OneTime/
 * BillingLineItems?size=N&offset=0` answers `{ continuationToken?, totalCount, items, links: { self, next? },
 * attributes: { objectType: "Collection" } }`, where `links.next` carries the `MS-ContinuationToken` header; the
 * next page is `…/BillingLineItems?seekOperation=Next` with that header. An unknown invoice is a 404 with Partner
 * Center's error body. It checks the bearer token and the documented headers, records every request, and can answer
 * the next requests with 429 + Retry-After.
 */
export interface RecordedInvoiceRequest {
  method: string;
  path: string;
  headers: Record<string, string | undefined>;
}

export interface FakePartnerCenterInvoices {
  url: string;
  token: string;
  requests: RecordedInvoiceRequest[];
  /** OneTime billing line items per invoice id. */
  lineItems: Record<string, Record<string, unknown>[]>;
  throttleNext(times: number, retryAfter: string): void;
  close(): Promise<void>;
}

export async function startFakePartnerCenterInvoices(): Promise<FakePartnerCenterInvoices> {
  const token = randomBytes(16).toString('hex');
  /** Continuation token → the invoice and the offset of the page it leads to. */
  const continuations = new Map<string, { invoiceId: string; offset: number; size: number }>();
  let throttles: { times: number; retryAfter: string } = { times: 0, retryAfter: '1' };

  const fake: FakePartnerCenterInvoices = {
    url: '',
    token,
    requests: [],
    lineItems: {},
    throttleNext: (times, retryAfter) => void (throttles = { times, retryAfter }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  };

  const page = (res: ServerResponse, invoiceId: string, offset: number, size: number) => {
    const all = fake.lineItems[invoiceId] ?? [];
    const items = all.slice(offset, offset + size).map((item) => ({
      ...item,
      invoiceLineItemType: 'billing_line_items',
      billingProvider: 'one_time',
      attributes: { objectType: 'OneTimeInvoiceLineItem' },
    }));
    const self = `/invoices/${invoiceId}/lineitems?provider=OneTime&invoicelineitemtype=BillingLineItems&size=${size}`;
    const more = offset + size < all.length;
    let continuationToken: string | undefined;
    if (more) {
      continuationToken = `${randomUUID()},${randomBytes(12).toString('base64')},${randomUUID()}`;
      continuations.set(continuationToken, { invoiceId, offset: offset + size, size });
    }
    send(res, 200, {
      ...(continuationToken ? { continuationToken } : {}),
      totalCount: items.length,
      items,
      links: {
        self: { uri: self, method: 'GET', headers: [] },
        ...(continuationToken
          ? {
              next: {
                uri: `${self}?seekOperation=Next`,
                method: 'GET',
                headers: [{ key: 'MS-ContinuationToken', value: continuationToken }],
              },
            }
          : {}),
      },
      attributes: { objectType: 'Collection' },
    });
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', fake.url);
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(',') : v;
    fake.requests.push({ method: req.method ?? '', path: `${url.pathname}${url.search}`, headers });
    if (throttles.times > 0) {
      throttles.times -= 1;
      return send(
        res,
        429,
        { statusCode: 429, message: `Rate limit is exceeded. Try again in ${throttles.retryAfter} seconds.` },
        { 'retry-after': throttles.retryAfter },
      );
    }
    if (req.headers.authorization !== `Bearer ${token}`)
      return send(res, 401, { code: 900, description: 'Unauthorized', errorName: 'Unauthorized' });
    for (const name of ['ms-requestid', 'ms-correlationid', 'x-locale'])
      if (!req.headers[name]) return send(res, 400, { code: 400, description: `${name} is required` });

    const match = /^\/v1\/invoices\/([^/]+)\/lineitems\/OneTime\/BillingLineItems$/.exec(url.pathname);
    if (req.method !== 'GET' || !match) return send(res, 404, { code: 404, description: 'Not found' });
    const invoiceId = decodeURIComponent(match[1] ?? '');
    if (url.searchParams.get('seekOperation') === 'Next') {
      const next = continuations.get(String(req.headers['ms-continuationtoken'] ?? ''));
      if (!next || next.invoiceId !== invoiceId)
        return send(res, 400, { code: 400, description: 'Invalid continuation token' });
      return page(res, invoiceId, next.offset, next.size);
    }
    if (!fake.lineItems[invoiceId])
      return send(res, 404, { code: 2000, description: `Invoice ${invoiceId} not found.`, errorName: 'NotFound' });
    const size = Number(url.searchParams.get('size') ?? '200');
    const offset = Number(url.searchParams.get('offset') ?? '0');
    return page(res, invoiceId, offset, size);
  };

  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
