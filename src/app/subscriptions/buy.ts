import { createHash } from 'node:crypto';
import { compareDates, date, isoDateSchema, utcDate } from '../../domain/calendar.ts';
import type { Customer } from '../../domain/customer.ts';
import { guidFrom } from '../../domain/ids.ts';
import { dec, money } from '../../domain/money.ts';
import { monthlyCost } from '../../domain/proration.ts';
import type { AddOnChange, PurchaseRequest } from '../../domain/purchase.ts';
import { stateOf, type ChangeLogEntry, type FutureChange, type SubscriptionRecord } from '../../domain/subscription.ts';
import { AppError, notFound, preconditionFailed, validation } from '../errors.ts';
import type { Product } from '../ports/catalog.port.ts';
import type { IdempotencyRecord } from '../ports/customer-data.port.ts';
import type { Versioned } from '../ports/customer.repository.port.ts';
import { requireBillingConfirmation } from './confirmation.ts';
import type { Actor, SubscriptionDeps } from './deps.ts';
import { priceOf, toRecord } from './mirror.ts';
import { commitWithOutbox, schedulingOf } from '../future/outbox.ts';
import { futureChangeView, subscriptionView } from './views.ts';

export interface BuyInput {
  customerId: string;
  idempotencyKey: string;
  request: PurchaseRequest;
  actor: Actor;
  acceptLanguage: string | null;
}

export interface BuyResult {
  status: 201 | 202;
  body: unknown;
}

/** A pending record older than this is taken to belong to a crashed attempt, and the order is retried. */
const PENDING_STALE_MS = 2 * 60 * 1000;

/**
 * F-BUY: validates the order against the catalog (sale profile, term, limits, add-on base), prices it from the
 * customer's list else the global one, asks for confirmation where the partner wants it, and places it with
 * Microsoft — or stores it as a future change when it starts later. Idempotent by Idempotency-Key: a replay
 * gets the first answer; the same key with another body is refused; a crashed attempt is retried with the
 * same Microsoft request id, so Microsoft places the order once.
 */
export async function buySubscription(deps: SubscriptionDeps, input: BuyInput): Promise<BuyResult> {
  const now = deps.clock.now();
  const requestHash = createHash('sha256')
    .update(JSON.stringify(canonical(input.request)))
    .digest('hex');
  const previous = await deps.customerData.idempotency(input.customerId, input.idempotencyKey);
  if (previous) {
    if (previous.value.requestHash !== requestHash) {
      throw new AppError(
        'Unprocessable',
        'IDEMPOTENCY.KEY_REUSED',
        'This Idempotency-Key was used for a different request; use a new key for a new order.',
        {
          errors: [{ path: 'headers.Idempotency-Key', message: 'used for a different request' }],
        },
      );
    }
    if (previous.value.status === 'completed' && previous.value.response)
      return withCurrentEtags(deps, input.customerId, previous.value.response as BuyResult);
    if (now.getTime() - new Date(previous.value.createdAt).getTime() < PENDING_STALE_MS) {
      throw new AppError(
        'Conflict',
        'IDEMPOTENCY.IN_PROGRESS',
        'This order is still being placed; retry in a moment.',
        { retryAfterSeconds: 5 },
      );
    }
  }

  const customer = await requireCustomer(deps, input.customerId);
  const { product, parent } = await checkOrder(deps, customer, input.request);
  const today = utcDate(now);
  const startDate = input.request.startDate ? date(input.request.startDate) : today;
  if (compareDates(startDate, today) < 0)
    throw validation('The start date is in the past.', [{ path: 'body.startDate', message: 'today or later (UTC)' }]);
  const price = await priceOf(
    deps,
    customer,
    { productSkuId: product.id, termDuration: input.request.term, billingCycle: input.request.billingFrequency },
    startDate.toString(),
  );
  const unitPrice = dec(price.unitPrice);
  const charge = {
    currency: price.currency,
    unitPrice: money(unitPrice, price.currency),
    priceSource: price.source,
    firstPeriodCharge: money(unitPrice.times(input.request.quantity), price.currency),
    monthlyCost: money(
      monthlyCost(input.request.quantity, unitPrice, input.request.billingFrequency, price.currency),
      price.currency,
    ),
  };
  await requireBillingConfirmation(deps, {
    customer,
    action: parent ? 'addOn' : 'buy',
    confirmed: input.request.confirmBillingChange === true,
    acceptLanguage: input.acceptLanguage,
    costDifference: { monthly: charge.monthlyCost, firstPeriod: charge.firstPeriodCharge },
  });

  const idempotency = (response?: BuyResult): IdempotencyRecord => ({
    key: input.idempotencyKey,
    requestHash,
    status: response ? 'completed' : 'pending',
    ...(response ? { response } : {}),
    createdAt: now.toISOString(),
  });

  if (compareDates(startDate, today) > 0) {
    const futureChange: FutureChange = {
      id: deps.ids.next(),
      customerId: customer.id,
      subscriptionId: parent?.value.id ?? '',
      change: { ...input.request, kind: 'purchase' },
      effective: 'custom',
      effectiveDate: startDate.toString(),
      status: 'pending',
      requestedBy: input.actor.label,
      requestedAt: now.toISOString(),
      updatedAt: now.toISOString(),
      attempts: 0,
    };
    const response: BuyResult = { status: 202, body: { futureChange: futureChangeView(futureChange, ''), charge } };
    const { due, message } = schedulingOf(futureChange, deps.ids.next());
    await commitWithOutbox(
      deps,
      customer.id,
      {
        futureChanges: [{ value: futureChange }],
        log: [
          logEntry(
            deps.ids,
            customer.id,
            input.actor,
            `schedule:purchase`,
            product,
            undefined,
            { quantity: input.request.quantity, startDate: startDate.toString() },
            now,
          ),
        ],
        idempotency: previous
          ? { value: idempotency(response), etag: previous.etag }
          : { value: idempotency(response) },
        outbox: [message],
      },
      [due],
    );
    return response;
  }

  const idempotencyEtag =
    previous?.etag ??
    (await deps.customerData.commit(customer.id, { idempotency: { value: idempotency() } })).idempotencyEtag;
  const order = await deps.commerce.placeOrder(
    customer.tenantId as string,
    [
      {
        catalogItemId: product.catalogItemId,
        quantity: input.request.quantity,
        termDuration: input.request.term,
        billingCycle: input.request.billingFrequency,
        ...(parent ? { parentSubscriptionId: parent.value.id } : {}),
      },
    ],
    guidFrom(`order:${customer.id}:${input.idempotencyKey}`),
  );
  const records: SubscriptionRecord[] = order.subscriptions.map((s) =>
    toRecord({ id: customer.id, tenantId: customer.tenantId as string }, s, product, price, undefined, now),
  );
  const views = records.map((r) => subscriptionView(r, '', [], now));
  const response: BuyResult = { status: 201, body: { orderId: order.orderId, subscriptions: views, charge } };
  const { subscriptionEtags } = await deps.customerData.commit(customer.id, {
    subscriptions: records.map((value) => ({ value })),
    log: records.map((r) => logEntry(deps.ids, customer.id, input.actor, 'purchase', product, r.id, stateOf(r), now)),
    idempotency: { value: idempotency(response), ...(idempotencyEtag ? { etag: idempotencyEtag } : {}) },
  });
  for (const view of views) view.etag = subscriptionEtags.get(view.id) ?? '';
  return response;
}

/** A replayed answer, with the ETags its subscriptions have now (the stored answer was written with theirs unknown). */
async function withCurrentEtags(deps: SubscriptionDeps, customerId: string, response: BuyResult): Promise<BuyResult> {
  const body = response.body as { subscriptions?: { id: string; etag: string }[] };
  if (!body.subscriptions) return response;
  const subscriptions = await Promise.all(
    body.subscriptions.map(async (s) => ({
      ...s,
      etag: (await deps.customerData.subscription(customerId, s.id))?.etag ?? '',
    })),
  );
  return { status: response.status, body: { ...body, subscriptions } };
}

/**
 * An add-on bought through the change route of its base subscription. The base's ETag (If-Match) makes the
 * request idempotent: the same change sent again against the same version is the same order. A caller with its own
 * idempotency key (the demo seed: ETags differ from run to run) may give it instead.
 */
export async function buyAddOn(
  deps: SubscriptionDeps,
  input: {
    customerId: string;
    subscriptionId: string;
    ifMatch: string;
    change: AddOnChange;
    actor: Actor;
    isAdmin: boolean;
    acceptLanguage: string | null;
    idempotencyKey?: string;
  },
): Promise<BuyResult> {
  if (!input.isAdmin)
    throw new AppError(
      'Forbidden',
      'AUTH.ROLE_TOO_LOW',
      'Only an Admin may buy an add-on; Modify may change quantities.',
    );
  const base = await deps.customerData.subscription(input.customerId, input.subscriptionId);
  if (!base) throw notFound('SUBSCRIPTION.NOT_FOUND', `No subscription ${input.subscriptionId} for this customer.`);
  if (base.etag !== input.ifMatch) throw preconditionFailed();
  const { change } = input;
  if (change.effective === 'custom' && !change.effectiveDate)
    throw validation('A custom add-on needs its date.', [
      { path: 'body.effectiveDate', message: 'required when effective is custom' },
    ]);
  const key = createHash('sha256')
    .update(`${input.subscriptionId}|${input.ifMatch}|${JSON.stringify(change)}`)
    .digest('base64url')
    .slice(0, 43);
  return buySubscription(deps, {
    customerId: input.customerId,
    idempotencyKey: input.idempotencyKey ?? `addon-${key}`.slice(0, 64),
    request: {
      productId: change.productId,
      term: change.term ?? base.value.term,
      billingFrequency: change.billingFrequency ?? base.value.billingFrequency,
      quantity: change.quantity,
      parentSubscriptionId: base.value.id,
      ...(change.effective === 'custom' && change.effectiveDate ? { startDate: change.effectiveDate } : {}),
      ...(change.confirmBillingChange !== undefined ? { confirmBillingChange: change.confirmBillingChange } : {}),
    },
    actor: input.actor,
    acceptLanguage: input.acceptLanguage,
  });
}

async function requireCustomer(deps: SubscriptionDeps, customerId: string): Promise<Customer & { tenantId: string }> {
  const customer = (await deps.customers.get(customerId))?.value;
  if (!customer) throw notFound('CUSTOMER.NOT_FOUND', `No customer ${customerId}.`);
  if (!customer.tenantId) {
    throw new AppError(
      'Conflict',
      'CUSTOMER.NO_TENANT',
      'This customer has no Microsoft tenant yet: create one or link the existing tenant first.',
    );
  }
  return { ...customer, tenantId: customer.tenantId };
}

async function checkOrder(
  deps: SubscriptionDeps,
  customer: Customer,
  request: PurchaseRequest,
): Promise<{ product: Product; parent?: Versioned<SubscriptionRecord> }> {
  const product = await deps.catalog.getProduct(request.productId);
  if (!product)
    throw validation('No such product in the catalog.', [{ path: 'body.productId', message: 'not in the catalog' }]);
  if (!(await deps.catalog.mayBuy(customer.id, product.id))) {
    throw new AppError('Forbidden', 'PRODUCT.NOT_FOR_SALE', `${product.name} is not offered to this customer.`, {
      errors: [{ path: 'body.productId', message: 'not for sale to this customer' }],
    });
  }
  const offered = product.terms.find((t) => t.term === request.term);
  if (!offered?.frequencies.includes(request.billingFrequency)) {
    const options = product.terms.map((t) => `${t.term} (${t.frequencies.join(', ')})`).join('; ');
    throw validation(
      `${product.name} is not sold with a ${request.term} term billed ${request.billingFrequency}; it is sold as ${options}.`,
      [{ path: 'body.billingFrequency', message: 'not offered for this product and term' }],
    );
  }
  if (request.quantity < product.minQuantity || request.quantity > product.maxQuantity) {
    throw validation(`${product.name} is sold in quantities from ${product.minQuantity} to ${product.maxQuantity}.`, [
      { path: 'body.quantity', message: `between ${product.minQuantity} and ${product.maxQuantity}` },
    ]);
  }
  if (product.addOnOf.length === 0) {
    if (request.parentSubscriptionId)
      throw validation(`${product.name} is not an add-on.`, [
        { path: 'body.parentSubscriptionId', message: 'only for add-ons' },
      ]);
    return { product };
  }
  if (!request.parentSubscriptionId)
    throw validation(`${product.name} is an add-on: name the base subscription.`, [
      { path: 'body.parentSubscriptionId', message: 'required for an add-on' },
    ]);
  const parent = await deps.customerData.subscription(customer.id, request.parentSubscriptionId);
  if (!parent || parent.value.status !== 'active') {
    throw validation('The base subscription does not exist or is not active.', [
      { path: 'body.parentSubscriptionId', message: 'no active subscription with this id' },
    ]);
  }
  if (!product.addOnOf.includes(parent.value.productId)) {
    throw validation(`${product.name} cannot be added to ${parent.value.productName}.`, [
      { path: 'body.parentSubscriptionId', message: 'this add-on does not attach to that product' },
    ]);
  }
  return { product, parent };
}

function canonical(request: PurchaseRequest): Record<string, unknown> {
  return Object.fromEntries(Object.entries(request).sort(([a], [b]) => a.localeCompare(b)));
}

function logEntry(
  ids: SubscriptionDeps['ids'],
  customerId: string,
  actor: Actor,
  action: string,
  product: Product,
  subscriptionId: string | undefined,
  after: Record<string, unknown>,
  now: Date,
): ChangeLogEntry {
  return {
    id: ids.next(),
    customerId,
    at: now.toISOString(),
    actor: actor.label,
    source: 'portal',
    action,
    ...(subscriptionId ? { subscriptionId } : {}),
    productName: product.name,
    after,
    effective: action.startsWith('schedule:') ? 'custom' : 'immediately',
    ...(typeof after.startDate === 'string' && isoDateSchema.safeParse(after.startDate).success
      ? { effectiveDate: after.startDate }
      : {}),
  };
}
