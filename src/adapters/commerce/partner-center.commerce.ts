import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  commerceBadAnswer,
  commerceChangedMeanwhile,
  commerceLegacy,
  commerceUpdatePending,
} from '../../app/commerce-errors.ts';
import { notFound, validation } from '../../app/errors.ts';
import type {
  CommercePort,
  CommerceStatus,
  CommerceSubscription,
  LegacySubscription,
  OrderLine,
  ScheduledNextTerm,
  SubscriptionUpdate,
} from '../../app/ports/commerce.port.ts';
import { billingFrequencies, terms, utcDate, type BillingFrequency } from '../../domain/calendar.ts';
import { legacyReasons } from '../../domain/legacy-subscription.ts';
import { httpDependencies, parseRetryAfter } from '../http/retrying-fetch.ts';
import {
  partnerCenterHttp,
  partnerCenterRefusal as refusal,
  type PartnerCenterCall,
  type PartnerCenterConfig,
  type PartnerCenterOptions,
  type PartnerCenterSend,
} from '../partner-center/partner-center-http.ts';

export type { PartnerCenterConfig, PartnerCenterOptions };

/**
 * The commerce port over Partner Center REST v1 (`/v1/customers/{customer-tenant-id}/…`) through the shared
 * Partner Center client (headers, retries and error mapping: partner-center-http.ts). Orders are a cart plus its
 * checkout; changes are a PATCH of the full subscription resource just read, with its ETag as If-Match (a 412 reads
 * it again once). A PATCH Microsoft answers 202 Accepted + Location is asynchronous: the Location is polled (its
 * Retry-After honoured, within a total wait) until it stops answering 202, then the subscription is read again.
 * A write keeps its MS-RequestId across retries, so Microsoft applies it once; one MS-CorrelationId per port call.
 * Microsoft's business refusals, also those in a cart or checkout, surface as COMMERCE.REFUSED with its code and
 * description; an answer that does not have the documented shape is COMMERCE.BAD_ANSWER, never a 500.
 */
export function partnerCenterCommerce(config: PartnerCenterConfig, options: PartnerCenterOptions = {}): CommercePort {
  return new PartnerCenterCommerce(
    new URL(config.PARTNER_CENTER_BASE_URL),
    partnerCenterHttp(config, options),
    httpDependencies(options).sleep,
  );
}

/** Longest total wait for an accepted (202) update before the caller is told it is still pending. */
const MAX_ACCEPTED_WAIT_MS = 30_000;
const ACCEPTED_POLL_MS = 2_000;

// ---- Partner Center's JSON, as read ----

const lowercase = (value: unknown) => (typeof value === 'string' ? value.toLowerCase() : value);
const instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString());
const termSchema = z.enum(terms);
const billingCycleSchema = z.preprocess(lowercase, z.enum(billingFrequencies));
/** `pending` is an order still provisioning; `disabled` is Microsoft's word for a lapsed subscription. */
const statusSchema = z
  .preprocess(lowercase, z.enum(['active', 'suspended', 'expired', 'deleted', 'pending', 'disabled']))
  .transform((s): CommerceStatus => (s === 'pending' ? 'active' : s === 'disabled' ? 'expired' : s));

/** Partner Center writes the next term's billing cycle capitalised (`Annual`), the subscription's in lower case. */
const pcBillingCycle = (cycle: BillingFrequency) => `${cycle.charAt(0).toUpperCase()}${cycle.slice(1)}`;

const scheduledSchema = z.object({
  product: z.object({
    productId: z.string(),
    skuId: z.string(),
    availabilityId: z.string().nullish(),
    termDuration: termSchema,
    billingCycle: billingCycleSchema,
  }),
  quantity: z.number().int().positive(),
});

const subscriptionSchema = z.object({
  id: z.string(),
  orderId: z.string(),
  offerId: z.string(),
  offerName: z.string().nullish(),
  friendlyName: z.string().nullish(),
  quantity: z.number().int().nonnegative(),
  status: statusSchema,
  termDuration: termSchema,
  billingCycle: billingCycleSchema,
  effectiveStartDate: instant,
  commitmentEndDate: instant,
  creationDate: instant,
  autoRenewEnabled: z.boolean(),
  cancellationAllowedUntilDate: instant.nullish(),
  refundableQuantity: z
    .object({
      totalQuantity: z.number().int().nonnegative(),
      details: z.array(z.object({ quantity: z.number().int().positive(), allowedUntilDateTime: instant })).nullish(),
    })
    .nullish(),
  parentSubscriptionId: z.string().nullish(),
  scheduledNextTermInstructions: scheduledSchema.nullish(),
});
type PcSubscription = z.output<typeof subscriptionSchema>;

/** The resource exactly as read, unknown fields included: a PATCH sends it back whole. */
const rawResourceSchema = z.record(z.string(), z.unknown());

/**
 * A documented subscription without a term (`get-a-subscription-by-id`: "Response example for a standard
 * subscription", Azure legacy `MS-AZR-0145P`, and "…for an add-on subscription", a GUID offer id).
 */
const legacySchema = z.object({
  id: z.string(),
  orderId: z.string().nullish(),
  offerId: z.string(),
  offerName: z.string().nullish(),
  friendlyName: z.string().nullish(),
  quantity: z.number().int().nonnegative(),
  status: statusSchema,
  billingType: z.string().nullish(),
  creationDate: instant,
  autoRenewEnabled: z.boolean().nullish(),
  parentSubscriptionId: z.string().nullish(),
});

/** The ETag of a subscription resource (`attributes.etag`), sent back as If-Match. */
const etagOf = (raw: Record<string, unknown>): string | undefined => {
  const attributes = raw.attributes as { etag?: unknown; Etag?: unknown } | undefined;
  const etag = attributes?.etag ?? attributes?.Etag;
  return typeof etag === 'string' && etag ? etag : undefined;
};

/** New-commerce offers are `{productId}:{skuId}:{availabilityId}`; legacy offers are `MS-AZR-…` or a GUID. */
const isLegacy = (raw: Record<string, unknown>) =>
  !raw.termDuration && typeof raw.offerId === 'string' && raw.offerId.split(':').length < 3;

function legacyReason(raw: Record<string, unknown>): string {
  return raw.billingType === 'usage' || (typeof raw.offerId === 'string' && /^MS-AZR-/i.test(raw.offerId))
    ? legacyReasons.azure
    : legacyReasons.license;
}

function toLegacy(raw: Record<string, unknown>): LegacySubscription {
  const s = parse(legacySchema, raw, 'legacy subscription');
  return {
    id: s.id,
    ...(s.orderId ? { orderId: s.orderId } : {}),
    offerId: s.offerId,
    friendlyName: s.friendlyName || s.offerName || s.offerId,
    quantity: s.quantity,
    status: s.status,
    ...(s.billingType ? { billingType: s.billingType } : {}),
    creationDate: s.creationDate,
    autoRenewEnabled: s.autoRenewEnabled ?? false,
    ...(s.parentSubscriptionId ? { parentSubscriptionId: s.parentSubscriptionId } : {}),
    reason: legacyReason(raw),
  };
}

/** What an asynchronous operation's final answer may say; only a failure is acted on. */
const operationSchema = z.looseObject({
  status: z.string().nullish(),
  error: z.object({ code: z.union([z.string(), z.number()]).nullish(), description: z.string().nullish() }).nullish(),
});

const linkSchema = z.object({
  uri: z.string(),
  headers: z.array(z.object({ key: z.string(), value: z.string() })).nullish(),
});
const collectionSchema = z.object({
  items: z.array(rawResourceSchema),
  links: z.object({ next: linkSchema.nullish() }).nullish(),
});

const cartSchema = z.object({
  id: z.string(),
  lineItems: z
    .array(
      z.object({
        error: z.object({ errorCode: z.union([z.string(), z.number()]), errorDescription: z.string() }).nullish(),
      }),
    )
    .nullish(),
});

const checkoutSchema = z.object({
  orders: z
    .array(
      z.object({ id: z.string(), lineItems: z.array(z.object({ subscriptionId: z.string().nullish() })).nullish() }),
    )
    .nullish(),
  orderErrors: z
    .array(
      z.object({
        orderGroupId: z.string().nullish(),
        code: z.union([z.string(), z.number()]),
        description: z.string(),
      }),
    )
    .nullish(),
});

// ---- calls ----

class PartnerCenterCommerce implements CommercePort {
  constructor(
    private readonly base: URL,
    private readonly http: PartnerCenterSend,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {}

  async placeOrder(customerTenantId: string, lines: OrderLine[], requestId: string) {
    if (lines.length === 0)
      throw validation('An order needs at least one line.', [{ path: 'lineItems', message: 'empty' }]);
    const correlationId = randomUUID();
    const customer = customerPath(customerTenantId);
    const orderRequestId = asGuid(requestId);
    const cart = parse(
      cartSchema,
      await this.send({
        method: 'POST',
        path: `${customer}/carts`,
        // Its own id, derived from the order's: a retried order finds the same cart.
        requestId: derivedGuid(orderRequestId, 'cart'),
        body: { lineItems: lines.map(cartLineItem) },
        correlationId,
      }),
      'cart',
    );
    const lineError = cart.lineItems?.find((item) => item.error)?.error;
    if (lineError) throw refusal(lineError.errorCode, lineError.errorDescription);

    const checkout = parse(
      checkoutSchema,
      await this.send({
        method: 'POST',
        path: `${customer}/carts/${encodeURIComponent(cart.id)}/checkout`,
        requestId: orderRequestId,
        correlationId,
      }),
      'checkout result',
    );
    const orders = checkout.orders ?? [];
    const orderError = checkout.orderErrors?.[0];
    if (orderError || orders.length === 0) {
      throw refusal(
        orderError?.code ?? 'NO_ORDER',
        orderError?.description ?? 'Microsoft placed no order for this cart.',
        {
          placedOrderIds: orders.map((o) => o.id),
        },
      );
    }

    const subscriptions: CommerceSubscription[] = [];
    for (const order of orders) {
      subscriptions.push(
        ...(await this.list(customerTenantId, correlationId, `?order_id=${encodeURIComponent(order.id)}`))
          .subscriptions,
      );
    }
    // In the order's line order, whatever order Microsoft lists them in.
    const position = orders.flatMap((o) => o.lineItems ?? []).map((item) => item.subscriptionId);
    subscriptions.sort((a, b) => rank(position, a.id) - rank(position, b.id));
    return { orderId: orders[0]!.id, subscriptions };
  }

  async listSubscriptions(customerTenantId: string): Promise<CommerceSubscription[]> {
    return (await this.list(customerTenantId, randomUUID())).subscriptions;
  }

  listAllSubscriptions(customerTenantId: string) {
    return this.list(customerTenantId, randomUUID());
  }

  async getSubscription(customerTenantId: string, subscriptionId: string): Promise<CommerceSubscription> {
    const raw = await this.readResource(customerTenantId, subscriptionId, randomUUID());
    if (isLegacy(raw)) throw commerceLegacy(subscriptionId, legacyReason(raw));
    return toSubscription(parse(subscriptionSchema, raw, 'subscription'));
  }

  async updateSubscription(
    customerTenantId: string,
    subscriptionId: string,
    update: SubscriptionUpdate,
    requestId: string,
  ): Promise<CommerceSubscription> {
    const correlationId = randomUUID();
    for (let attempt = 0; ; attempt += 1) {
      const raw = await this.readResource(customerTenantId, subscriptionId, correlationId);
      if (isLegacy(raw)) throw commerceLegacy(subscriptionId, legacyReason(raw));
      const current = parse(subscriptionSchema, raw, 'subscription');
      const etag = etagOf(raw);
      const answer = await this.http({
        method: 'PATCH',
        path: subscriptionPath(customerTenantId, subscriptionId),
        // A second attempt after a 412 is another request: the first changed nothing.
        requestId: attempt === 0 ? asGuid(requestId) : derivedGuid(asGuid(requestId), `if-match-${attempt}`),
        body: patchBody(raw, current, update),
        correlationId,
        ...(etag ? { headers: { 'If-Match': etag } } : {}),
        answer: [412],
        notFound: () => subscriptionNotFound(subscriptionId),
      });
      if (answer.status === 412) {
        if (attempt === 0) continue;
        throw commerceChangedMeanwhile(subscriptionId);
      }
      if (answer.status === 202) {
        await this.awaitAccepted(answer.headers, correlationId);
        const done = await this.readResource(customerTenantId, subscriptionId, correlationId);
        return toSubscription(parse(subscriptionSchema, done, 'subscription'));
      }
      return toSubscription(parse(subscriptionSchema, answer.body, 'subscription'));
    }
  }

  /**
   * A 202 Accepted: Microsoft took the change and applies it asynchronously. Polls its Location until it answers
   * anything but 202, waiting Retry-After (else 2 s) in between, at most MAX_ACCEPTED_WAIT_MS in all.
   */
  private async awaitAccepted(headers: Headers, correlationId: string): Promise<void> {
    const location = headers.get('location');
    let delayMs = parseRetryAfter(headers.get('retry-after')) ?? ACCEPTED_POLL_MS;
    if (!location) throw commerceUpdatePending(Math.ceil(delayMs / 1000));
    const path = this.linkPath(location);
    let waitedMs = 0;
    for (;;) {
      if (waitedMs + delayMs > MAX_ACCEPTED_WAIT_MS)
        throw commerceUpdatePending(Math.max(1, Math.ceil(delayMs / 1000)));
      await this.sleep(delayMs);
      waitedMs += delayMs;
      const poll = await this.http({ method: 'GET', path, correlationId });
      if (poll.status !== 202) {
        const operation = operationSchema.safeParse(poll.body ?? {});
        const status = operation.data?.status?.toLowerCase();
        if (status === 'failed' || status === 'error') {
          const error = operation.data?.error;
          throw refusal(
            error?.code ?? 'OPERATION_FAILED',
            error?.description ?? 'Microsoft accepted the change, then could not apply it.',
          );
        }
        return;
      }
      delayMs = parseRetryAfter(poll.headers.get('retry-after')) ?? ACCEPTED_POLL_MS;
    }
  }

  private async readResource(customerTenantId: string, subscriptionId: string, correlationId: string) {
    const body = await this.send({
      method: 'GET',
      path: subscriptionPath(customerTenantId, subscriptionId),
      correlationId,
      notFound: () => subscriptionNotFound(subscriptionId),
    });
    return parse(rawResourceSchema, body, 'subscription');
  }

  private async list(
    customerTenantId: string,
    correlationId: string,
    query = '',
  ): Promise<{ subscriptions: CommerceSubscription[]; legacy: LegacySubscription[] }> {
    const out: CommerceSubscription[] = [];
    const legacy: LegacySubscription[] = [];
    let page: { path: string; headers: Record<string, string> } | undefined = {
      path: `${customerPath(customerTenantId)}/subscriptions${query}`,
      headers: {},
    };
    while (page) {
      const collection: z.output<typeof collectionSchema> = parse(
        collectionSchema,
        await this.send({ method: 'GET', ...page, correlationId }),
        'subscription collection',
      );
      for (const item of collection.items) {
        if (isLegacy(item)) legacy.push(toLegacy(item));
        // Azure plans and trials have no license term: not subscriptions this product manages.
        else if (termSchema.safeParse(item.termDuration).success)
          out.push(toSubscription(parse(subscriptionSchema, item, 'subscription')));
      }
      const next = collection.links?.next;
      page = next
        ? {
            path: this.linkPath(next.uri),
            headers: Object.fromEntries((next.headers ?? []).map((h) => [h.key, h.value])),
          }
        : undefined;
    }
    return { subscriptions: out, legacy };
  }

  /** Link URIs are relative to the API version (`/customers/…`); never follow one off the configured host. */
  private linkPath(uri: string): string {
    const url = new URL(uri.startsWith('/') && !uri.startsWith('/v1/') ? `/v1${uri}` : uri, this.base);
    if (url.origin !== this.base.origin) throw commerceBadAnswer(`a link to another host, ${url.origin}`);
    return `${url.pathname}${url.search}`;
  }

  /** One call with its retries; returns the parsed JSON of the 2xx answer. */
  private async send(call: PartnerCenterCall & { correlationId: string }): Promise<unknown> {
    return (await this.http(call)).body;
  }
}

// ---- mapping ----

function toSubscription(s: PcSubscription): CommerceSubscription {
  const next = s.scheduledNextTermInstructions;
  return {
    id: s.id,
    orderId: s.orderId,
    productSkuId: productSkuIdOf(s.offerId),
    friendlyName: s.friendlyName || s.offerName || productSkuIdOf(s.offerId),
    quantity: s.quantity,
    status: s.status,
    termDuration: s.termDuration,
    billingCycle: s.billingCycle,
    termStartDate: utcDate(new Date(s.effectiveStartDate)).toString(),
    // NOTE: commitmentEndDate is the term's last day; the port's termEndDate is the day the next term starts.
    termEndDate: utcDate(new Date(s.commitmentEndDate)).add({ days: 1 }).toString(),
    creationDate: s.creationDate,
    autoRenewEnabled: s.autoRenewEnabled,
    ...(s.cancellationAllowedUntilDate ? { cancellationAllowedUntilDate: s.cancellationAllowedUntilDate } : {}),
    refundableQuantity: {
      totalQuantity: s.refundableQuantity?.totalQuantity ?? 0,
      details: s.refundableQuantity?.details ?? [],
    },
    ...(s.parentSubscriptionId ? { parentSubscriptionId: s.parentSubscriptionId } : {}),
    ...(next
      ? {
          scheduledNextTermInstructions: {
            productSkuId: `${next.product.productId}:${next.product.skuId}`,
            quantity: next.quantity,
            termDuration: next.product.termDuration,
            billingCycle: next.product.billingCycle,
          },
        }
      : {}),
  };
}

/**
 * The PATCH body: the whole resource as read, with the changed fields (`update-a-subscription-by-id`). Scheduling a
 * next term turns auto-renew on, which Microsoft requires for next-term instructions (`create-scheduled-changes`:
 * "ensure that the AutoRenewEnabled property has been set to true").
 */
function patchBody(raw: Record<string, unknown>, current: PcSubscription, update: SubscriptionUpdate) {
  const body: Record<string, unknown> = { ...raw };
  if (update.quantity !== undefined) body.quantity = update.quantity;
  if (update.status !== undefined) body.status = update.status;
  if (update.autoRenewEnabled !== undefined) body.autoRenewEnabled = update.autoRenewEnabled;
  const next = update.scheduledNextTermInstructions;
  if (next !== undefined) {
    body.scheduledNextTermInstructions = next && toPcScheduled(next, current.offerId);
    if (next) {
      if (update.autoRenewEnabled === false)
        throw validation('A next-term change needs auto-renew on.', [
          { path: 'autoRenewEnabled', message: 'must stay on with scheduledNextTermInstructions' },
        ]);
      body.autoRenewEnabled = true;
    }
  }
  return body;
}

/**
 * Partner Center names the next term's product with its availability (`create-scheduled-changes`, request example):
 * the given catalog item's, else the current offer's when the SKU stays the same. A SKU change without a known
 * availability is refused here rather than sent incomplete.
 */
function toPcScheduled(next: ScheduledNextTerm, currentOfferId: string) {
  const [productId = '', skuId = ''] = next.productSkuId.split(':');
  const given = next.catalogItemId?.split(':');
  const availabilityId =
    given?.length === 3 && `${given[0]}:${given[1]}` === next.productSkuId
      ? given[2]
      : productSkuIdOf(currentOfferId) === next.productSkuId
        ? currentOfferId.split(':')[2]
        : undefined;
  if (!availabilityId) {
    throw validation(`Microsoft needs the availability of ${next.productSkuId} to schedule it for the next term.`, [
      { path: 'scheduledNextTermInstructions.catalogItemId', message: 'productId:skuId:availabilityId required' },
    ]);
  }
  return {
    product: {
      productId,
      skuId,
      availabilityId,
      billingCycle: pcBillingCycle(next.billingCycle),
      termDuration: next.termDuration,
    },
    quantity: next.quantity,
  };
}

function cartLineItem(line: OrderLine, index: number) {
  return {
    id: index,
    catalogItemId: line.catalogItemId,
    quantity: line.quantity,
    termDuration: line.termDuration,
    billingCycle: line.billingCycle,
    // New-commerce add-ons are bought like base offers, pointing at the base subscription.
    ...(line.parentSubscriptionId ? { provisioningContext: { parentSubscriptionId: line.parentSubscriptionId } } : {}),
  };
}

const productSkuIdOf = (offerId: string) => offerId.split(':').slice(0, 2).join(':');
const customerPath = (customerTenantId: string) => `/v1/customers/${encodeURIComponent(customerTenantId)}`;
const subscriptionPath = (customerTenantId: string, subscriptionId: string) =>
  `${customerPath(customerTenantId)}/subscriptions/${encodeURIComponent(subscriptionId)}`;
const subscriptionNotFound = (subscriptionId: string) =>
  notFound('COMMERCE.SUBSCRIPTION_NOT_FOUND', `Microsoft has no subscription ${subscriptionId} for this customer.`);
const rank = (position: (string | null | undefined)[], id: string) => {
  const at = position.indexOf(id);
  return at === -1 ? position.length : at;
};

function parse<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(body)'))].slice(0, 5);
    throw commerceBadAnswer(`a ${what} without the documented ${fields.join(', ')}`);
  }
  return parsed.data;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** MS-RequestId must be a GUID; any other request id maps to one, always the same. */
function asGuid(requestId: string): string {
  return GUID.test(requestId) ? requestId : derivedGuid(requestId, 'request');
}

/** A name-based (v5-style) GUID: stable for the same inputs. */
function derivedGuid(seed: string, purpose: string): string {
  const hex = createHash('sha1').update(`${purpose}:${seed}`).digest('hex');
  const variant = ((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}
