import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import { z } from 'zod';
import { AppError } from '../../src/app/errors.ts';
import type {
  CommerceSubscription,
  OrderLine,
  ScheduledNextTerm,
  SubscriptionUpdate,
} from '../../src/app/ports/commerce.port.ts';
import type { Clock } from '../../src/app/ports/clock.port.ts';
import { CommerceSimulator } from '../../src/adapters/commerce/simulator.commerce.ts';
import { billingFrequencies, date, terms } from '../../src/domain/calendar.ts';

/**
 * Partner Center at the wire, for the real adapter's tests: the documented routes and JSON shapes of carts,
 * checkout and subscriptions, with the business delegated to a real CommerceSimulator on Azurite. It checks the
 * bearer token and the MS-RequestId / MS-CorrelationId / Accept / Content-Type / X-Locale headers, records every
 * request, and can answer the next requests with 429 + Retry-After, 5xx, or no answer at all.
 *
 * Each answer names the documented example it reproduces (Partner Center REST reference, learn.microsoft.com/
 * partner-center/developer/…, as mirrored in MicrosoftDocs' partner-center-pr / partner-center-sdk repositories),
 * so that it follows Microsoft rather than the adapter:
 * - headers: `headers` (request headers) and every request example: X-Locale, and Content-Type: application/json on
 *   a POST even without a body (`checkout-a-cart`, "Request example": `Content-Type: application/json`,
 *   `Content-Length: 0`);
 * - a subscription: `get-a-subscription-by-id`, "Response example for a standard subscription" (etag in
 *   `attributes.etag`);
 * - a legacy subscription: the same page's Azure legacy (`MS-AZR-0145P`) and add-on examples, served verbatim by
 *   `addLegacy` (no termDuration, no billingCycle);
 * - a PATCH: `create-scheduled-changes`, "Request example": `If-Match: <etag>`, the full resource, auto-renew on and
 *   `scheduledNextTermInstructions.product` with productId, skuId, availabilityId, `"billingCycle": "Annual"` and
 *   termDuration; "Response example": 200 with the updated resource (the next term's cycle capitalised as sent);
 * - an asynchronous PATCH (`asyncUpdates`): 202 Accepted with a Location to poll, as the issue reports Partner
 *   Center answering; no documented example of the operation resource was found, so the fake's operation body is
 *   minimal (`{ id, status }`) and the adapter relies only on the status codes (202 = still running);
 * - a 429: `api-throttling-guidance`, "Error code response": `Retry-After: 57` and
 *   `{ "statusCode": 429, "message": "Rate limit is exceeded. Try again in 57 seconds." }`.
 */
export interface RecordedRequest {
  method: string;
  /** Path and query. */
  path: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: unknown;
}

export interface FaultPlan {
  times: number;
  /** `notJson` and `unexpectedShape`: a 200 whose body is not JSON, or JSON of no documented shape. */
  answer: 429 | 500 | 503 | 'hang' | 'notJson' | 'unexpectedShape';
  retryAfter?: string;
  method?: string;
  path?: RegExp;
}

export interface FakePartnerCenter {
  url: string;
  token: string;
  simulator: CommerceSimulator;
  requests: RecordedRequest[];
  /** Pages subscription lists by this many items (links.next + MS-ContinuationToken); unlimited when undefined. */
  pageSize: number | undefined;
  /**
   * Answers PATCHes with 202 Accepted + Location; the operation answers 202 (with `retryAfter`) `polls` times, then
   * applies the change and answers 200. Synchronous (200 with the resource) when undefined.
   */
  asyncUpdates: { polls: number; retryAfter?: string; location?: 'relative' | 'absolute' | 'none' } | undefined;
  /** Serves a documented legacy subscription body as it is, in lists and by id. */
  addLegacy(tenantId: string, resource: Record<string, unknown> & { id: string }): void;
  /** Changes the subscription at Microsoft behind the adapter's back once, just before the next PATCH arrives. */
  changeBeforeNextPatch(times?: number): void;
  failNext(plan: FaultPlan): void;
  /** Forgets recorded requests and pending faults. */
  reset(): void;
  close(): Promise<void>;
}

/** A simulator on its own table in the run's Azurite. */
export async function createTableSimulator(
  connectionString: string,
  clock: Clock,
  windowHours = 168,
): Promise<CommerceSimulator> {
  const table = TableClient.fromConnectionString(connectionString, `pcfake${randomBytes(6).toString('hex')}`, {
    allowInsecureConnection: true,
  });
  await table.createTable();
  return new CommerceSimulator(table, {
    windowHours,
    throttlePercent: 0,
    clock,
    catalog: { getProduct: async () => undefined },
  });
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const lowercase = (value: unknown) => (typeof value === 'string' ? value.toLowerCase() : value);

const cartSchema = z.object({
  lineItems: z
    .array(
      z.object({
        id: z.number().int().nonnegative(),
        catalogItemId: z.string().regex(/^[^:]+:[^:]+:[^:]+$/, 'productId:skuId:availabilityId'),
        quantity: z.number().int(),
        termDuration: z.enum(terms),
        billingCycle: z.preprocess(lowercase, z.enum(billingFrequencies)),
        provisioningContext: z.record(z.string(), z.string()).optional(),
      }),
    )
    .min(1),
});

/** `create-scheduled-changes`, "Request example": all five product fields, the billing cycle as `Annual`. */
const documentedCycles = { Monthly: 'monthly', Annual: 'annual', Triennial: 'triennial' } as const;
const scheduledSchema = z.object({
  product: z.object({
    productId: z.string(),
    skuId: z.string(),
    availabilityId: z.string().min(1),
    termDuration: z.enum(terms),
    billingCycle: z.enum(['Monthly', 'Annual', 'Triennial']).transform((c) => documentedCycles[c]),
  }),
  quantity: z.number().int(),
});
const capitalised = (cycle: string) => `${cycle.charAt(0).toUpperCase()}${cycle.slice(1)}`;

/** A PATCH must carry the whole resource, as Partner Center requires. */
const fullResourceSchema = z.looseObject({
  id: z.string(),
  orderId: z.string(),
  offerId: z.string(),
  friendlyName: z.string(),
  quantity: z.number().int(),
  status: z.preprocess(lowercase, z.enum(['active', 'suspended', 'deleted'])),
  termDuration: z.enum(terms),
  billingCycle: z.string(),
  creationDate: z.string(),
  effectiveStartDate: z.string(),
  commitmentEndDate: z.string(),
  autoRenewEnabled: z.boolean(),
  scheduledNextTermInstructions: scheduledSchema.nullable(),
  attributes: z.object({ etag: z.string(), objectType: z.literal('Subscription') }),
});

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    description: string,
  ) {
    super(description);
  }
}

interface Cart {
  id: string;
  lines: OrderLine[];
  /** MS-RequestId of the checkout that ordered it. */
  orderedBy?: string;
}

export async function startFakePartnerCenter(options: {
  connectionString: string;
  clock: Clock;
  windowHours?: number;
}): Promise<FakePartnerCenter> {
  const simulator = await createTableSimulator(options.connectionString, options.clock, options.windowHours);
  const token = `fake-pc-token-${randomBytes(8).toString('hex')}`;
  const requests: RecordedRequest[] = [];
  const faults: FaultPlan[] = [];
  const carts = new Map<string, Cart>();
  const cartsByRequest = new Map<string, string>();
  /** Availability ids seen in carts and PATCHes, per `productId:skuId`. */
  const availability = new Map<string, string>();
  /** Documented legacy bodies, per tenant and id. */
  const legacy = new Map<string, Map<string, Record<string, unknown>>>();
  /** Accepted (202) updates still running, by operation id. */
  const operations = new Map<
    string,
    { tenantId: string; subscriptionId: string; update: SubscriptionUpdate; pollsLeft: number; retryAfter?: string }
  >();
  let interferences = 0;

  /** Writes through this fake per subscription: with the content, the version in the etag. */
  const versions = new Map<string, number>();
  const bump = (id: string) => versions.set(id, (versions.get(id) ?? 0) + 1);
  /** The resource's version, as Partner Center's opaque etag: it changes whenever the resource is written. */
  const etagOf = (id: string, body: unknown) =>
    Buffer.from(
      createHash('sha256')
        .update(`${versions.get(id) ?? 0}:${JSON.stringify(body)}`)
        .digest('hex')
        .slice(0, 24),
    ).toString('base64');

  const toPc = (tenantId: string, s: CommerceSubscription) => {
    const body = resourceOf(tenantId, s);
    return { ...body, attributes: { etag: etagOf(s.id, body), objectType: 'Subscription' } };
  };

  const resourceOf = (tenantId: string, s: CommerceSubscription) => {
    const next = s.scheduledNextTermInstructions;
    const [productId, skuId] = s.productSkuId.split(':');
    return {
      id: s.id,
      offerId: `${s.productSkuId}:${availability.get(s.productSkuId) ?? 'UNKNOWN'}`,
      offerName: s.friendlyName,
      friendlyName: s.friendlyName,
      productType: { id: 'OnlineServicesNCE', displayName: 'OnlineServicesNCE' },
      quantity: s.quantity,
      unitType: 'Licenses',
      creationDate: s.creationDate,
      effectiveStartDate: `${s.termStartDate}T00:00:00Z`,
      // Partner Center's commitment end is the term's last day.
      commitmentEndDate: `${date(s.termEndDate).subtract({ days: 1 }).toString()}T00:00:00Z`,
      cancellationAllowedUntilDate: s.cancellationAllowedUntilDate ?? null,
      refundableQuantity: s.refundableQuantity,
      status: s.status,
      autoRenewEnabled: s.autoRenewEnabled,
      isTrial: false,
      billingType: 'license',
      billingCycle: s.billingCycle,
      termDuration: s.termDuration,
      parentSubscriptionId: s.parentSubscriptionId ?? null,
      scheduledNextTermInstructions: next
        ? {
            product: {
              productId: next.productSkuId.split(':')[0],
              skuId: next.productSkuId.split(':')[1],
              availabilityId: availability.get(next.productSkuId) ?? null,
              billingCycle: capitalised(next.billingCycle),
              termDuration: next.termDuration,
            },
            quantity: next.quantity,
          }
        : null,
      contractType: 'subscription',
      orderId: s.orderId,
      links: {
        product: { uri: `/products/${productId}?country=US`, method: 'GET', headers: [] },
        sku: { uri: `/products/${productId}/skus/${skuId}?country=US`, method: 'GET', headers: [] },
        self: { uri: `/customers/${tenantId}/subscriptions/${s.id}`, method: 'GET', headers: [] },
      },
    };
  };

  const parseBody = <T>(schema: z.ZodType<T>, body: unknown): T => {
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new HttpError(400, '400056', `Invalid input: ${z.prettifyError(parsed.error)}`);
    return parsed.data;
  };

  async function handle(
    method: string,
    url: URL,
    headers: Record<string, string>,
    body: unknown,
  ): Promise<{ status: number; body: unknown; headers?: Record<string, string> }> {
    const requestId = headers['ms-requestid'] ?? '';
    let m: RegExpMatchArray | null;

    if (method === 'POST' && (m = url.pathname.match(/^\/v1\/customers\/([^/]+)\/carts$/))) {
      const tenantId = decodeURIComponent(m[1]!);
      const known = cartsByRequest.get(`${tenantId}|${requestId}`);
      const cart = known ? carts.get(known)! : { id: randomUUID(), lines: [] as OrderLine[] };
      const input = parseBody(cartSchema, body);
      if (!known) {
        cart.lines = input.lineItems.map((item) => {
          const [productId, skuId, availabilityId] = item.catalogItemId.split(':');
          availability.set(`${productId}:${skuId}`, availabilityId!);
          const parent = item.provisioningContext?.parentSubscriptionId;
          return {
            catalogItemId: item.catalogItemId,
            quantity: item.quantity,
            termDuration: item.termDuration,
            billingCycle: item.billingCycle,
            ...(parent ? { parentSubscriptionId: parent } : {}),
          };
        });
        carts.set(cart.id, cart);
        cartsByRequest.set(`${tenantId}|${requestId}`, cart.id);
      }
      return {
        status: 201,
        body: {
          id: cart.id,
          creationTimestamp: options.clock.now().toISOString(),
          lineItems: input.lineItems,
          status: 'Active',
          attributes: { objectType: 'Cart' },
        },
      };
    }

    if (method === 'POST' && (m = url.pathname.match(/^\/v1\/customers\/([^/]+)\/carts\/([^/]+)\/checkout$/))) {
      const tenantId = decodeURIComponent(m[1]!);
      const cart = carts.get(decodeURIComponent(m[2]!));
      if (!cart) throw new HttpError(404, '800002', 'Cart not found.');
      if (cart.orderedBy && cart.orderedBy !== requestId)
        throw new HttpError(400, '800002', 'The cart has already been ordered.');
      try {
        const order = await simulator.placeOrder(tenantId, cart.lines, requestId);
        cart.orderedBy = requestId;
        const lineItems = order.subscriptions.map((s, index) => ({
          lineItemNumber: index,
          offerId: cart.lines[index]?.catalogItemId,
          subscriptionId: s.id,
          parentSubscriptionId: s.parentSubscriptionId ?? null,
          termDuration: s.termDuration,
          quantity: s.quantity,
          friendlyName: s.friendlyName,
        }));
        return {
          status: 200,
          body: {
            orders: [
              {
                id: order.orderId,
                referenceCustomerId: tenantId,
                lineItems,
                status: 'completed',
                creationDate: options.clock.now().toISOString(),
                attributes: { objectType: 'Order' },
              },
            ],
            orderErrors: [],
            attributes: { objectType: 'CartCheckoutResult' },
          },
        };
      } catch (error) {
        if (!(error instanceof AppError) || error.kind !== 'Conflict') throw error;
        return {
          status: 200,
          body: {
            orders: [],
            orderErrors: [{ orderGroupId: '0', code: microsoftCodeOf(error), description: error.message }],
          },
        };
      }
    }

    if (method === 'GET' && (m = url.pathname.match(/^\/v1\/customers\/([^/]+)\/subscriptions$/))) {
      const tenantId = decodeURIComponent(m[1]!);
      const orderId = url.searchParams.get('order_id');
      const all: Record<string, unknown>[] = [
        ...(await simulator.listSubscriptions(tenantId))
          .filter((s) => !orderId || s.orderId === orderId)
          .map((s) => toPc(tenantId, s)),
        ...(orderId ? [] : [...(legacy.get(tenantId)?.values() ?? [])]),
      ];
      const offset = Number(headers['ms-continuationtoken'] ?? 0);
      const size = fake.pageSize ?? all.length;
      const items = all.slice(offset, offset + size);
      const more = offset + size < all.length;
      return {
        status: 200,
        body: {
          totalCount: items.length,
          items,
          links: {
            self: { uri: `/customers/${tenantId}/subscriptions${url.search}`, method: 'GET', headers: [] },
            ...(more
              ? {
                  next: {
                    uri: `/customers/${tenantId}/subscriptions${url.search}`,
                    method: 'GET',
                    headers: [{ key: 'MS-ContinuationToken', value: String(offset + size) }],
                  },
                }
              : {}),
          },
          attributes: { objectType: 'Collection' },
        },
      };
    }

    if (
      method === 'GET' &&
      (m = url.pathname.match(/^\/v1\/customers\/([^/]+)\/subscriptions\/([^/]+)\/operations\/([^/]+)$/))
    ) {
      const operation = operations.get(decodeURIComponent(m[3]!));
      if (!operation) throw new HttpError(404, '404', 'No such operation.');
      if (operation.pollsLeft > 0) {
        operation.pollsLeft -= 1;
        return {
          status: 202,
          body: { id: m[3], status: 'inProgress' },
          ...(operation.retryAfter ? { headers: { 'retry-after': operation.retryAfter } } : {}),
        };
      }
      operations.delete(decodeURIComponent(m[3]!));
      try {
        await simulator.updateSubscription(operation.tenantId, operation.subscriptionId, operation.update);
        bump(operation.subscriptionId);
        return { status: 200, body: { id: m[3], status: 'succeeded' } };
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        return {
          status: 200,
          body: { id: m[3], status: 'failed', error: { code: microsoftCodeOf(error), description: error.message } },
        };
      }
    }

    if ((m = url.pathname.match(/^\/v1\/customers\/([^/]+)\/subscriptions\/([^/]+)$/))) {
      const tenantId = decodeURIComponent(m[1]!);
      const subscriptionId = decodeURIComponent(m[2]!);
      const documented = legacy.get(tenantId)?.get(subscriptionId);
      if (documented && method === 'GET') return { status: 200, body: documented };
      if (documented) throw new HttpError(400, '400', 'This subscription cannot be updated.');
      if (method === 'PATCH' && interferences > 0) {
        interferences -= 1;
        const now = await simulator.getSubscription(tenantId, subscriptionId);
        await simulator.updateSubscription(tenantId, subscriptionId, { autoRenewEnabled: !now.autoRenewEnabled });
        bump(subscriptionId);
      }
      const current = await simulator.getSubscription(tenantId, subscriptionId);
      if (method === 'GET') return { status: 200, body: toPc(tenantId, current) };
      if (method === 'PATCH') {
        // `headers`: If-Match carries the resource's ETag for concurrency control.
        const ifMatch = headers['if-match'];
        if (!ifMatch) throw new HttpError(428, '428', 'The If-Match header with the resource ETag is required.');
        if (ifMatch !== toPc(tenantId, current).attributes.etag)
          throw new HttpError(412, '412', 'The resource has been modified; get it again and retry.');
        const resource = parseBody(fullResourceSchema, body);
        if (resource.id !== subscriptionId)
          throw new HttpError(400, '400056', 'The subscription id in the body does not match the URI.');
        if (resource.scheduledNextTermInstructions && !resource.autoRenewEnabled)
          throw new HttpError(400, '400', 'Auto-renew must be enabled to schedule changes for the next term.');
        const update = diff(current, resource);
        if (update.scheduledNextTermInstructions) {
          const availabilityId = resource.scheduledNextTermInstructions?.product.availabilityId;
          if (availabilityId) availability.set(update.scheduledNextTermInstructions.productSkuId, availabilityId);
        }
        if (fake.asyncUpdates) {
          const id = randomUUID();
          operations.set(id, {
            tenantId,
            subscriptionId,
            update,
            pollsLeft: fake.asyncUpdates.polls,
            ...(fake.asyncUpdates.retryAfter ? { retryAfter: fake.asyncUpdates.retryAfter } : {}),
          });
          const path = `/customers/${tenantId}/subscriptions/${subscriptionId}/operations/${id}`;
          const where = fake.asyncUpdates.location ?? 'relative';
          return {
            status: 202,
            body: undefined,
            headers: {
              ...(where === 'none' ? {} : { location: where === 'absolute' ? `${fake.url}/v1${path}` : path }),
              ...(fake.asyncUpdates.retryAfter ? { 'retry-after': fake.asyncUpdates.retryAfter } : {}),
            },
          };
        }
        const updated = await simulator.updateSubscription(tenantId, subscriptionId, update);
        bump(subscriptionId);
        return { status: 200, body: toPc(tenantId, updated) };
      }
    }

    throw new HttpError(404, '404', `No route for ${method} ${url.pathname}`);
  }

  function checkHeaders(method: string, headers: Record<string, string>, body: unknown): void {
    if (headers.authorization !== `Bearer ${token}`)
      throw new HttpError(401, '401', 'Access denied: the token is missing, expired or not valid.');
    if (!/application\/json/.test(headers.accept ?? ''))
      throw new HttpError(406, '406', 'Accept must be application/json.');
    for (const name of ['ms-requestid', 'ms-correlationid']) {
      if (!GUID.test(headers[name] ?? '')) throw new HttpError(400, '400', `${name} must be a GUID.`);
    }
    if (
      (body !== undefined || method === 'POST' || method === 'PATCH') &&
      !/^application\/json/.test(headers['content-type'] ?? '')
    )
      throw new HttpError(415, '415', 'Content-Type must be application/json.');
    if (!headers['x-locale']) throw new HttpError(400, '400', 'X-Locale is required (en-US).');
  }

  function takeFault(method: string, path: string): FaultPlan | undefined {
    const plan = faults.find(
      (f) => f.times > 0 && (!f.method || f.method === method) && (!f.path || f.path.test(path)),
    );
    if (plan) plan.times -= 1;
    return plan;
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const text = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://fake');
      const method = req.method ?? 'GET';
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]),
      );
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
      requests.push({ method, path: `${url.pathname}${url.search}`, headers, body });

      const send = (status: number, payload: unknown, extra: Record<string, string> = {}) => {
        res.writeHead(status, {
          'content-type': 'application/json; charset=utf-8',
          'ms-requestid': headers['ms-requestid'] ?? '',
          ...extra,
        });
        res.end(payload === undefined ? '' : JSON.stringify(payload));
      };

      const fault = takeFault(method, url.pathname);
      if (fault?.answer === 'hang') return;
      if (fault?.answer === 'notJson') {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html><body>Service Unavailable</body></html>');
        return;
      }
      if (fault?.answer === 'unexpectedShape') {
        send(200, { items: 'not a list', quantity: 'five' });
        return;
      }
      if (fault) {
        send(
          fault.answer,
          fault.answer === 429
            ? // api-throttling-guidance, "Error code response".
              {
                statusCode: 429,
                message: `Rate limit is exceeded. Try again in ${fault.retryAfter ?? 57} seconds.`,
              }
            : { code: String(fault.answer), description: 'Service error.' },
          fault.retryAfter ? { 'retry-after': fault.retryAfter } : {},
        );
        return;
      }
      try {
        checkHeaders(method, headers, body);
        const answer = await handle(method, url, headers, body);
        send(answer.status, answer.body, answer.headers);
      } catch (error) {
        if (error instanceof HttpError)
          send(error.status, { code: error.code, description: error.message, data: [], source: 'PartnerFakeApi' });
        else if (error instanceof AppError)
          send(statusOf(error), {
            code: microsoftCodeOf(error),
            description: error.message,
            data: [],
            source: 'PartnerFakeApi',
          });
        else send(500, { code: '500', description: String(error) });
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const fake: FakePartnerCenter = {
    url: `http://127.0.0.1:${port}`,
    token,
    simulator,
    requests,
    pageSize: undefined,
    asyncUpdates: undefined,
    addLegacy(tenantId, resource) {
      const forTenant = legacy.get(tenantId) ?? new Map<string, Record<string, unknown>>();
      forTenant.set(resource.id, resource);
      legacy.set(tenantId, forTenant);
    },
    changeBeforeNextPatch: (times = 1) => void (interferences = times),
    failNext: (plan) => void faults.push({ ...plan }),
    reset() {
      requests.length = 0;
      faults.length = 0;
      operations.clear();
      interferences = 0;
      fake.pageSize = undefined;
      fake.asyncUpdates = undefined;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
  return fake;
}

/** What the PATCHed resource changes, the way Partner Center reads a PATCH: fields that differ from the stored ones. */
function diff(current: CommerceSubscription, resource: z.output<typeof fullResourceSchema>): SubscriptionUpdate {
  const update: SubscriptionUpdate = {};
  if (resource.quantity !== current.quantity) update.quantity = resource.quantity;
  if (resource.status !== current.status) update.status = resource.status;
  if (resource.autoRenewEnabled !== current.autoRenewEnabled) update.autoRenewEnabled = resource.autoRenewEnabled;
  const sent = resource.scheduledNextTermInstructions;
  const next: ScheduledNextTerm | null = sent
    ? {
        productSkuId: `${sent.product.productId}:${sent.product.skuId}`,
        quantity: sent.quantity,
        termDuration: sent.product.termDuration,
        billingCycle: sent.product.billingCycle,
      }
    : null;
  if (!sameScheduled(next, current.scheduledNextTermInstructions ?? null)) update.scheduledNextTermInstructions = next;
  return update;
}

function sameScheduled(a: ScheduledNextTerm | null, b: ScheduledNextTerm | null): boolean {
  if (!a || !b) return a === b;
  return (
    a.productSkuId === b.productSkuId &&
    a.quantity === b.quantity &&
    a.termDuration === b.termDuration &&
    a.billingCycle === b.billingCycle
  );
}

function statusOf(error: AppError): number {
  switch (error.kind) {
    case 'NotFound':
      return 404;
    case 'Validation':
      return 400;
    case 'Conflict':
      return 409;
    case 'PreconditionFailed':
      return 412;
    default:
      return 500;
  }
}

/** The code Microsoft answers for the simulator's refusal: the one it names (COMMERCE.REFUSED carries it), else its own. */
function microsoftCodeOf(error: AppError): string {
  return typeof error.extra.microsoftCode === 'string' ? error.extra.microsoftCode : error.code;
}
