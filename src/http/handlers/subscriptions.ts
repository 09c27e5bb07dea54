import { z } from 'zod';
import { notFound, validation } from '../../app/errors.ts';
import { canActFor, type Principal } from '../../app/principal.ts';
import { buyAddOn, buySubscription } from '../../app/subscriptions/buy.ts';
import { changeSubscription } from '../../app/subscriptions/change-subscription.ts';
import type { Actor } from '../../app/subscriptions/deps.ts';
import { cancelFutureChange, listFutureChanges } from '../../app/subscriptions/future-changes.ts';
import { syncSubscriptions } from '../../app/subscriptions/sync.ts';
import { refreshStaleAssignedLicenses } from '../../app/subscriptions/assigned-licenses.ts';
import { futureChangeView, myServicesView, subscriptionView } from '../../app/subscriptions/views.ts';
import { billingFrequencies, terms } from '../../domain/calendar.ts';
import { checkChange, previewChange } from '../../domain/change-rules.ts';
import { moneySchema } from '../../domain/money.ts';
import { upcomingInvoiceMove } from '../../app/billing/upcoming-invoice.ts';
import { billingDepsOf } from '../../app/billing/deps.ts';
import { addOnChangeSchema, idempotencyKeySchema, purchaseRequestSchema } from '../../domain/purchase.ts';
import {
  changeRequestSchema,
  changeVariants,
  checkEffectiveDate,
  subscriptionStatuses,
} from '../../domain/subscription.ts';
import { defineRoute, type RequestHeaders } from '../route.ts';
import { customerIdParams, requireIfMatch } from '../schemas.ts';

const subscriptionParams = z.strictObject({
  customerId: z.uuid(),
  subscriptionId: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'a subscription id'),
});

const futureChangeSchema = z
  .object({
    id: z.string(),
    subscriptionId: z.string(),
    kind: z.string(),
    change: z.record(z.string(), z.unknown()),
    effective: z.enum(['onRenewal', 'custom']),
    effectiveDate: z.iso.date(),
    status: z.enum(['pending', 'applying', 'applied', 'failed', 'cancelled']),
    failureReason: z.string().optional(),
    requestedBy: z.string(),
    requestedAt: z.string(),
    etag: z.string(),
  })
  .meta({ id: 'FutureChange' });

const subscriptionFields = {
  id: z.string(),
  offerId: z.string(),
  productId: z.string(),
  name: z.string(),
  parentSubscriptionId: z.string().optional(),
  billingContract: z.string(),
  unitPrice: moneySchema,
  priceSource: z.enum(['customer', 'global']),
  monthlyCost: moneySchema,
  quantity: z.number().int(),
  assignedQuantity: z.number().int(),
  term: z.enum(terms),
  billingFrequency: z.enum(billingFrequencies),
  startDate: z.iso.date(),
  termStartDate: z.iso.date(),
  renewalDate: z.iso.date().describe('End of the term and of the price lock'),
  autoRenew: z.boolean(),
  isNce: z.boolean(),
  status: z.enum(subscriptionStatuses),
  cancellationAllowedUntil: z.string().optional(),
  refundableQuantity: z.number().int().describe('Seats that can still be removed with a refund'),
  refundableUntil: z.string().optional(),
  scheduledRenewalQuantity: z.number().int().optional(),
  pendingChanges: z.array(futureChangeSchema),
  etag: z.string().describe('Send as If-Match to change this subscription'),
};
const subscriptionSchema = z.object(subscriptionFields).meta({ id: 'Subscription' });
const subscriptionWithAddOns = z
  .object({ ...subscriptionFields, addOns: z.array(subscriptionSchema) })
  .meta({ id: 'SubscriptionWithAddOns' });

/** A legacy subscription (Azure legacy, legacy add-on): shown, never changed here, with the reason. */
const legacySubscriptionSchema = z
  .object({
    id: z.string(),
    offerId: z.string(),
    name: z.string(),
    quantity: z.number().int(),
    status: z.enum(['active', 'suspended', 'expired', 'deleted']),
    billingType: z.string().optional(),
    parentSubscriptionId: z.string().optional(),
    autoRenew: z.boolean(),
    startDate: z.iso.date(),
    readOnly: z.literal(true),
    reason: z.string(),
  })
  .meta({ id: 'LegacySubscription' });

const myServicesSchema = z
  .object({
    customerId: z.uuid(),
    contracts: z.array(
      z.object({ billingContract: z.string(), label: z.string(), subscriptions: z.array(subscriptionWithAddOns) }),
    ),
    /** Subscriptions from before new commerce, read-only here. */
    legacySubscriptions: z.array(legacySubscriptionSchema),
  })
  .meta({ id: 'MyServices' });

const previewSchema = z
  .object({
    effectiveDate: z.iso.date(),
    currentMonthlyCost: moneySchema,
    newMonthlyCost: moneySchema,
    monthlyDifference: moneySchema,
    proratedAmount: moneySchema.describe(
      'Charged (positive) or credited (negative) for the rest of the billing period',
    ),
    period: z.object({ start: z.iso.date(), end: z.iso.date() }).optional(),
  })
  .meta({ id: 'ChangePreview' });

const chargeSchema = z.object({
  currency: z.string(),
  unitPrice: moneySchema,
  priceSource: z.enum(['customer', 'global']),
  firstPeriodCharge: moneySchema,
  monthlyCost: moneySchema,
});

const purchaseResultSchema = z
  .object({ orderId: z.string(), subscriptions: z.array(subscriptionSchema), charge: chargeSchema })
  .meta({ id: 'PurchaseResult' });
const scheduledPurchaseSchema = z
  .object({ futureChange: futureChangeSchema, charge: chargeSchema })
  .meta({ id: 'ScheduledPurchase' });

export function actorOf(principal: Principal): Actor {
  const who = principal.identity.email ?? principal.identity.objectId;
  return { id: principal.identity.objectId, label: principal.isPartnerAdmin ? `partner:${who}` : who };
}

const headersOf = (headers: RequestHeaders) => headers.get('accept-language');

export const listSubscriptionsRoute = defineRoute({
  name: 'listSubscriptions',
  method: 'GET',
  path: '/customers/{customerId}/subscriptions',
  access: { customer: 'View' },
  summary: 'My Services: subscriptions by billing contract, add-ons under their base, with pending changes',
  tags: ['subscriptions'],
  params: customerIdParams,
  responses: { 200: { description: 'My Services', schema: myServicesSchema } },
  async handler({ params, services }) {
    const now = services.clock.now();
    let stored = await services.customerData.services(params.customerId);
    // Licenses assigned outside the portal show now, not at the next sync (a quick read, only when stale).
    if (await refreshStaleAssignedLicenses(services, params.customerId, stored.subscriptions))
      stored = await services.customerData.services(params.customerId);
    const { subscriptions, futureChanges, legacy } = stored;
    const pending = futureChanges.filter((c) => ['pending', 'applying', 'failed'].includes(c.value.status));
    const views = subscriptions.map((s) =>
      subscriptionView(
        s.value,
        s.etag,
        pending.filter((c) => c.value.subscriptionId === s.value.id).map((c) => futureChangeView(c.value, c.etag)),
        now,
      ),
    );
    const legacySubscriptions = legacy
      .map(({ value: l }) => ({
        id: l.id,
        offerId: l.offerId,
        name: l.name,
        quantity: l.quantity,
        status: l.status,
        ...(l.billingType ? { billingType: l.billingType } : {}),
        ...(l.parentSubscriptionId ? { parentSubscriptionId: l.parentSubscriptionId } : {}),
        autoRenew: l.autoRenew,
        startDate: l.creationDate.slice(0, 10),
        readOnly: true as const,
        reason: l.reason,
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
    return {
      status: 200,
      body: { customerId: params.customerId, contracts: myServicesView(views), legacySubscriptions },
    };
  },
});

export const getSubscriptionRoute = defineRoute({
  name: 'getSubscription',
  method: 'GET',
  path: '/customers/{customerId}/subscriptions/{subscriptionId}',
  access: { customer: 'View' },
  summary: 'One subscription',
  tags: ['subscriptions'],
  params: subscriptionParams,
  responses: {
    200: {
      description: 'The subscription',
      schema: subscriptionSchema,
      headers: { ETag: 'Send as If-Match to change it' },
    },
  },
  async handler({ params, services }) {
    const found = await services.customerData.subscription(params.customerId, params.subscriptionId);
    if (!found) throw notFound('SUBSCRIPTION.NOT_FOUND', `No subscription ${params.subscriptionId} for this customer.`);
    const pending = (await listFutureChanges(services, params.customerId)).filter(
      (c) => c.subscriptionId === found.value.id && c.status !== 'applied' && c.status !== 'cancelled',
    );
    return {
      status: 200,
      body: subscriptionView(found.value, found.etag, pending, services.clock.now()),
      headers: { etag: found.etag },
    };
  },
});

export const buySubscriptionRoute = defineRoute({
  name: 'buySubscription',
  method: 'POST',
  path: '/customers/{customerId}/subscriptions',
  access: { customer: 'Admin' },
  summary: 'Buy from the catalog (now, or from a future start date)',
  tags: ['subscriptions'],
  params: customerIdParams,
  body: purchaseRequestSchema,
  requestHeaders: {
    'Idempotency-Key': {
      description:
        'A new random key per order (8-64 of A-Z a-z 0-9 - _); a retry with the same key returns the first answer.',
      required: true,
    },
    'Accept-Language': { description: 'Language of a billing-change confirmation message' },
  },
  responses: {
    201: { description: 'Ordered from Microsoft', schema: purchaseResultSchema },
    202: { description: 'Stored to be ordered on its start date', schema: scheduledPurchaseSchema },
    409: { description: 'Needs a billing-change confirmation, or a rule refused it (problem+json)' },
    422: { description: 'The Idempotency-Key was used for another request' },
  },
  async handler({ params, body, headers, principal, services }) {
    const key = idempotencyKeySchema.safeParse(headers.get('idempotency-key'));
    if (!key.success)
      throw validation('Send an Idempotency-Key header with a new random key for each order.', [
        { path: 'headers.Idempotency-Key', message: key.error.issues[0]?.message ?? 'required' },
      ]);
    const result = await buySubscription(services, {
      customerId: params.customerId,
      idempotencyKey: key.data,
      request: body,
      actor: actorOf(principal),
      acceptLanguage: headersOf(headers),
    });
    return { status: result.status, body: result.body };
  },
});

export const changeSubscriptionRoute = defineRoute({
  name: 'changeSubscription',
  method: 'POST',
  path: '/customers/{customerId}/subscriptions/{subscriptionId}/changes',
  access: { customer: 'Modify' },
  summary:
    'Change quantity, add an add-on, suspend, reactivate, cancel or auto-renew: immediately, on renewal or on a date',
  tags: ['subscriptions'],
  params: subscriptionParams,
  body: z
    .discriminatedUnion('kind', [...changeVariants, addOnChangeSchema])
    .superRefine(checkEffectiveDate)
    .meta({
      id: 'ChangeRequest',
      examples: [
        { kind: 'quantity', quantity: 15, effective: 'immediately' },
        { kind: 'quantity', quantity: 8, effective: 'custom', effectiveDate: '2026-11-01' },
        { kind: 'autoRenew', enabled: false, effective: 'immediately' },
      ],
    }),
  requestHeaders: {
    'If-Match': { description: 'The subscription’s ETag from your last read', required: true },
    'Accept-Language': { description: 'Language of a confirmation message' },
  },
  responses: {
    200: {
      description: 'Applied now',
      schema: z.object({ subscription: subscriptionSchema, preview: previewSchema }).meta({ id: 'AppliedChange' }),
    },
    201: { description: 'An add-on ordered from Microsoft under this subscription', schema: purchaseResultSchema },
    202: {
      description: 'Stored as a future change',
      headers: { ETag: 'The future change’s ETag: send it as If-Match to cancel the change' },
      schema: z.union([
        z.object({ futureChange: futureChangeSchema, preview: previewSchema }).meta({ id: 'ScheduledChange' }),
        scheduledPurchaseSchema,
      ]),
    },
    409: { description: 'Refused by a rule (named in `code`), or needs a billing-change confirmation' },
  },
  async handler({ params, body, headers, principal, services }) {
    if (body.kind === 'addOn') {
      const result = await buyAddOn(services, {
        customerId: params.customerId,
        subscriptionId: params.subscriptionId,
        ifMatch: requireIfMatch(headers),
        change: body,
        actor: actorOf(principal),
        isAdmin: canActFor(principal, params.customerId, 'Admin'),
        acceptLanguage: headersOf(headers),
      });
      return { status: result.status, body: result.body };
    }
    const result = await changeSubscription(services, {
      customerId: params.customerId,
      subscriptionId: params.subscriptionId,
      ifMatch: requireIfMatch(headers),
      change: body,
      actor: actorOf(principal),
      isAdmin: canActFor(principal, params.customerId, 'Admin'),
      acceptLanguage: headersOf(headers),
    });
    return result.applied
      ? {
          status: 200,
          body: { subscription: result.subscription, preview: result.preview },
          headers: { etag: result.subscription.etag },
        }
      : {
          status: 202,
          body: { futureChange: result.futureChange, preview: result.preview },
          headers: { etag: result.futureChange.etag },
        };
  },
});

export const previewChangeRoute = defineRoute({
  name: 'previewSubscriptionChange',
  method: 'POST',
  path: '/customers/{customerId}/subscriptions/{subscriptionId}/changes/preview',
  access: { customer: 'View' },
  summary:
    'What a change would cost (new monthly cost, prorated charge or credit) and whether it is allowed; changes nothing',
  tags: ['subscriptions'],
  params: subscriptionParams,
  body: changeRequestSchema,
  responses: {
    200: {
      description: 'The preview',
      schema: z
        .object({
          allowed: z.boolean(),
          refusal: z.object({ code: z.string(), message: z.string() }).catchall(z.unknown()).optional(),
          preview: previewSchema,
          upcomingInvoice: z
            .object({
              cycle: z.iso.date().describe('The open cycle (its end date)'),
              before: moneySchema,
              after: moneySchema,
              difference: moneySchema,
            })
            .describe(
              "How the change moves the upcoming invoice's total, in the customer's currency (same computation as the upcoming invoice)",
            )
            .meta({ id: 'UpcomingInvoiceMove' }),
        })
        .meta({ id: 'ChangePreviewResult' }),
    },
  },
  async handler({ params, body, services }) {
    const found = await services.customerData.subscription(params.customerId, params.subscriptionId);
    if (!found) throw notFound('SUBSCRIPTION.NOT_FOUND', `No subscription ${params.subscriptionId} for this customer.`);
    const now = services.clock.now();
    const refusal = checkChange(found.value, body, { now, windowHours: services.config.NCE_WINDOW_HOURS });
    const preview = previewChange(found.value, body, now);
    const upcomingInvoice = await upcomingInvoiceMove(billingDepsOf(services), params.customerId, found.value, body);
    return {
      status: 200,
      body: {
        allowed: !refusal,
        ...(refusal ? { refusal: { code: refusal.code, message: refusal.message, ...refusal.extra } } : {}),
        preview,
        upcomingInvoice,
      },
    };
  },
});

export const syncSubscriptionsRoute = defineRoute({
  name: 'syncSubscriptions',
  method: 'POST',
  path: '/customers/{customerId}/subscriptions/sync',
  access: { customer: 'Admin' },
  summary: 'Refresh the subscriptions from Microsoft (the system of record)',
  tags: ['subscriptions'],
  params: customerIdParams,
  responses: {
    200: {
      description: 'What changed',
      schema: z
        .object({
          subscriptions: z.number().int(),
          legacy: z.number().int(),
          changed: z.number().int(),
          renewed: z.number().int(),
          appliedFutureChanges: z.number().int(),
        })
        .meta({ id: 'SyncResult' }),
    },
  },
  async handler({ params, services }) {
    return { status: 200, body: await syncSubscriptions(services, params.customerId) };
  },
});

export const listFutureChangesRoute = defineRoute({
  name: 'listFutureChanges',
  method: 'GET',
  path: '/customers/{customerId}/future-changes',
  access: { customer: 'View' },
  summary: 'Future Changes: stored custom-date and on-renewal changes, with failures and their reasons',
  tags: ['subscriptions'],
  params: customerIdParams,
  query: z.strictObject({ status: z.enum(['pending', 'applying', 'applied', 'failed', 'cancelled']).optional() }),
  responses: {
    200: {
      description: 'The changes',
      schema: z.object({ items: z.array(futureChangeSchema) }).meta({ id: 'FutureChangeList' }),
    },
  },
  async handler({ params, query, services }) {
    return { status: 200, body: { items: await listFutureChanges(services, params.customerId, query.status) } };
  },
});

export const cancelFutureChangeRoute = defineRoute({
  name: 'cancelFutureChange',
  method: 'DELETE',
  path: '/customers/{customerId}/future-changes/{changeId}',
  access: { customer: 'Modify' },
  summary: 'Cancel a pending future change',
  tags: ['subscriptions'],
  params: z.strictObject({ customerId: z.uuid(), changeId: z.uuid() }),
  requestHeaders: { 'If-Match': { description: 'Optional: the change’s ETag; refused with 412 if it changed since' } },
  responses: { 204: { description: 'Cancelled' } },
  async handler({ params, headers, principal, services }) {
    await cancelFutureChange(services, {
      customerId: params.customerId,
      changeId: params.changeId,
      ifMatch: headers.get('if-match'),
      actor: actorOf(principal),
      isAdmin: canActFor(principal, params.customerId, 'Admin'),
    });
    return { status: 204 };
  },
});
