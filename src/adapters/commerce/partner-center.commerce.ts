import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { notFound, validation } from '../../app/errors.ts';
import type {
  CommercePort,
  CommerceStatus,
  CommerceSubscription,
  OrderLine,
  ScheduledNextTerm,
  SubscriptionUpdate,
} from '../../app/ports/commerce.port.ts';
import { billingFrequencies, terms, utcDate } from '../../domain/calendar.ts';
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
 * checkout; changes are a PATCH of the full subscription resource. A write keeps its MS-RequestId across retries,
 * so Microsoft applies it once; one MS-CorrelationId per port call. Microsoft's business refusals, also those in a
 * cart or checkout, surface as COMMERCE.REFUSED with its code and description.
 */
export function partnerCenterCommerce(config: PartnerCenterConfig, options: PartnerCenterOptions = {}): CommercePort {
  return new PartnerCenterCommerce(new URL(config.PARTNER_CENTER_BASE_URL), partnerCenterHttp(config, options));
}

// ---- Partner Center's JSON, as read ----

const lowercase = (value: unknown) => (typeof value === 'string' ? value.toLowerCase() : value);
const instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString());
const termSchema = z.enum(terms);
const billingCycleSchema = z.preprocess(lowercase, z.enum(billingFrequencies));
/** `pending` is an order still provisioning; `disabled` is Microsoft's word for a lapsed subscription. */
const statusSchema = z
  .preprocess(lowercase, z.enum(['active', 'suspended', 'expired', 'deleted', 'pending', 'disabled']))
  .transform((s): CommerceStatus => (s === 'pending' ? 'active' : s === 'disabled' ? 'expired' : s));

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
        ...(await this.list(customerTenantId, correlationId, `?order_id=${encodeURIComponent(order.id)}`)),
      );
    }
    // In the order's line order, whatever order Microsoft lists them in.
    const position = orders.flatMap((o) => o.lineItems ?? []).map((item) => item.subscriptionId);
    subscriptions.sort((a, b) => rank(position, a.id) - rank(position, b.id));
    return { orderId: orders[0]!.id, subscriptions };
  }

  listSubscriptions(customerTenantId: string): Promise<CommerceSubscription[]> {
    return this.list(customerTenantId, randomUUID());
  }

  async getSubscription(customerTenantId: string, subscriptionId: string): Promise<CommerceSubscription> {
    const raw = await this.readResource(customerTenantId, subscriptionId, randomUUID());
    return toSubscription(parse(subscriptionSchema, raw, 'subscription'));
  }

  async updateSubscription(
    customerTenantId: string,
    subscriptionId: string,
    update: SubscriptionUpdate,
    requestId: string,
  ): Promise<CommerceSubscription> {
    const correlationId = randomUUID();
    const raw = await this.readResource(customerTenantId, subscriptionId, correlationId);
    const current = parse(subscriptionSchema, raw, 'subscription');
    // Partner Center's PATCH takes the whole resource as read, with the changed fields.
    const body: Record<string, unknown> = { ...raw };
    if (update.quantity !== undefined) body.quantity = update.quantity;
    if (update.status !== undefined) body.status = update.status;
    if (update.autoRenewEnabled !== undefined) body.autoRenewEnabled = update.autoRenewEnabled;
    if (update.scheduledNextTermInstructions !== undefined) {
      body.scheduledNextTermInstructions =
        update.scheduledNextTermInstructions && toPcScheduled(update.scheduledNextTermInstructions, current.offerId);
    }
    const updated = await this.send({
      method: 'PATCH',
      path: subscriptionPath(customerTenantId, subscriptionId),
      requestId: asGuid(requestId),
      body,
      correlationId,
      notFound: () => subscriptionNotFound(subscriptionId),
    });
    return toSubscription(parse(subscriptionSchema, updated, 'subscription'));
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

  private async list(customerTenantId: string, correlationId: string, query = ''): Promise<CommerceSubscription[]> {
    const out: CommerceSubscription[] = [];
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
        // Azure plans and trials have no license term: not subscriptions this product manages.
        if (!termSchema.safeParse(item.termDuration).success) continue;
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
    return out;
  }

  /** Link URIs are relative to the API version (`/customers/…`); never follow one off the configured host. */
  private linkPath(uri: string): string {
    const url = new URL(uri.startsWith('/') && !uri.startsWith('/v1/') ? `/v1${uri}` : uri, this.base);
    if (url.origin !== this.base.origin)
      throw new Error(`Partner Center sent a next link to another host (${url.origin})`);
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
 * Partner Center names the next term's product with its availability. The port knows product and SKU only, so
 * the availability is the current offer's when the SKU stays the same; a SKU change is sent without one.
 */
function toPcScheduled(next: ScheduledNextTerm, currentOfferId: string) {
  const [productId = '', skuId = ''] = next.productSkuId.split(':');
  const [, , availabilityId] = currentOfferId.split(':');
  return {
    product: {
      productId,
      skuId,
      ...(availabilityId && productSkuIdOf(currentOfferId) === next.productSkuId ? { availabilityId } : {}),
      termDuration: next.termDuration,
      billingCycle: next.billingCycle,
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
  if (!parsed.success)
    throw new Error(
      `Partner Center answered with a ${what} this adapter cannot read: ${z.prettifyError(parsed.error)}`,
    );
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
