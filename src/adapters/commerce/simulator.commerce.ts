import { randomIds, type IdGenerator } from '../../app/ports/ids.port.ts';
import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { z } from 'zod';
import { notFound, validation } from '../../app/errors.ts';
import {
  commerceLegacy,
  commerceRefused,
  commerceThrottled,
  commerceUnavailable,
  microsoftRefusal,
} from '../../app/commerce-errors.ts';
import type { Clock } from '../../app/ports/clock.port.ts';
import type { CatalogPort } from '../../app/ports/catalog.port.ts';
import type {
  CommercePort,
  CommerceSubscription,
  LegacySubscription,
  OrderLine,
  ScheduledNextTerm,
  SubscriptionUpdate,
} from '../../app/ports/commerce.port.ts';
import {
  billingFrequencies,
  compareDates,
  date,
  isValidTermFrequency,
  startOfDayUtc,
  termEnd,
  terms,
  utcDate,
} from '../../domain/calendar.ts';
import {
  addSeats,
  cancellationAllowedUntil,
  refundableLots,
  removeSeats,
  renewLots,
  totalSeats,
} from '../../domain/nce.ts';
import { corruptRow, guarded, storageStatus } from '../tables/table-errors.ts';

/**
 * Microsoft's side, simulated on Table Storage with Microsoft's rules: seats in lots with a cancellation
 * window each (NCE_WINDOW_HOURS), increases any time, decreases and cancellation only inside the window,
 * suspended subscriptions still billed and expiring at term end, renewals on the term end date applying the
 * scheduled next-term instructions, any immediate change wiping those instructions, orders idempotent by
 * request id, and 429s on demand. Partition per customer tenant; one row per subscription. It can also hold legacy
 * subscriptions (no term, no billing cycle), which it lists and refuses to change, as the real adapter does.
 */
export interface SimulatorOptions {
  windowHours: number;
  throttlePercent: number;
  clock: Clock;
  catalog: Pick<CatalogPort, 'getProduct'>;
  random?: () => number;
  /** Ids of orders, subscriptions and ledger rows (random unless given). */
  ids?: IdGenerator;
}

export interface FaultPlan {
  status: 429 | 500 | 'timeout';
  retryAfterSeconds?: number;
}

const lotSchema = z.object({
  quantity: z.number().int().positive(),
  addedAt: z.iso.datetime(),
  reason: z.enum(['purchase', 'renewal', 'increase']),
});
const scheduledSchema = z.object({
  productSkuId: z.string(),
  quantity: z.number().int().positive(),
  termDuration: z.enum(terms),
  billingCycle: z.enum(billingFrequencies),
});

const rowSchema = z.object({
  partitionKey: z.string(),
  rowKey: z.string(),
  etag: z.string(),
  orderId: z.string(),
  productSkuId: z.string(),
  friendlyName: z.string(),
  status: z.enum(['active', 'suspended', 'expired', 'deleted']),
  termDuration: z.enum(terms),
  billingCycle: z.enum(billingFrequencies),
  termStartDate: z.iso.date(),
  termEndDate: z.iso.date(),
  creationDate: z.iso.datetime(),
  autoRenewEnabled: z.boolean(),
  lots: z.string().transform((s) => z.array(lotSchema).parse(JSON.parse(s))),
  parentSubscriptionId: z.string().optional(),
  scheduled: z
    .string()
    .optional()
    .transform((s) => (s ? scheduledSchema.parse(JSON.parse(s)) : undefined)),
});

type SimRow = z.output<typeof rowSchema>;
type SimState = Omit<SimRow, 'partitionKey' | 'rowKey' | 'etag'> & { id: string; tenantId: string; quantity: number };

const ORDER_PREFIX = 'order|';
const LEGACY_PREFIX = 'legacy|';
const legacyRowSchema = z.object({ data: z.string() });
const legacySchema = z.object({
  id: z.string(),
  orderId: z.string().optional(),
  offerId: z.string(),
  friendlyName: z.string(),
  quantity: z.number().int().nonnegative(),
  status: z.enum(['active', 'suspended', 'expired', 'deleted']),
  billingType: z.string().optional(),
  creationDate: z.iso.datetime(),
  parentSubscriptionId: z.string().optional(),
  autoRenewEnabled: z.boolean(),
  reason: z.string(),
});
/**
 * Microsoft's billing ledger: one row per change of a subscription's billable state (purchase, seat change,
 * suspension, cancellation, renewal, expiry), written in the same transaction as the change. It is what Microsoft's
 * side of the invoice reconciliation is computed from (F-RECON), so it holds what Microsoft did, whoever asked.
 */
export const LEDGER_PREFIX = 'ledger|';

export const ledgerStateSchema = z.object({
  productId: z.string(),
  productName: z.string(),
  quantity: z.number().int().min(0),
  status: z.enum(['active', 'suspended', 'expired', 'deleted']),
  autoRenew: z.boolean(),
  term: z.enum(terms),
  billingFrequency: z.enum(billingFrequencies),
  termStartDate: z.iso.date(),
  termEndDate: z.iso.date(),
});
export type LedgerState = z.infer<typeof ledgerStateSchema>;

const isOwnRow = (rowKey: unknown) => {
  const key = String(rowKey);
  return !key.startsWith(ORDER_PREFIX) && !key.startsWith(LEGACY_PREFIX) && !key.startsWith(LEDGER_PREFIX);
};

export class CommerceSimulator implements CommercePort {
  private readonly faults: FaultPlan[] = [];
  private readonly random: () => number;
  private readonly ids: IdGenerator;

  constructor(
    private readonly table: TableClient,
    private readonly options: SimulatorOptions,
  ) {
    this.random = options.random ?? Math.random;
    this.ids = options.ids ?? randomIds;
  }

  /** Test hook: the next calls fail as planned, one fault per call, before touching any state. */
  failNext(...faults: FaultPlan[]): void {
    this.faults.push(...faults);
  }

  async placeOrder(customerTenantId: string, lines: OrderLine[], requestId: string) {
    this.maybeFail();
    const previous = await this.readOrder(customerTenantId, requestId);
    if (previous) return previous;
    if (lines.length === 0)
      throw validation('An order needs at least one line.', [{ path: 'lineItems', message: 'empty' }]);
    const now = this.options.clock.now();
    const today = utcDate(now);
    const orderId = this.ids.next();
    const created: SimState[] = [];
    for (const [index, line] of lines.entries()) {
      if (!Number.isInteger(line.quantity) || line.quantity < 1) {
        throw validation('Each line needs a quantity of at least 1.', [
          { path: `lineItems.${index}.quantity`, message: 'at least 1' },
        ]);
      }
      if (!isValidTermFrequency(line.termDuration, line.billingCycle)) {
        throw microsoftRefusal(
          'TERM_NOT_OFFERED',
          `${line.termDuration} is not offered with ${line.billingCycle} billing.`,
        );
      }
      const productSkuId = line.catalogItemId.split(':').slice(0, 2).join(':');
      const product = await this.options.catalog.getProduct(productSkuId);
      if (line.parentSubscriptionId) {
        const parent = await this.readState(customerTenantId, line.parentSubscriptionId);
        if (!parent || parent.status !== 'active') {
          throw commerceRefused('COMMERCE.PARENT_NOT_ACTIVE', 'An add-on needs an active base subscription.');
        }
      }
      created.push({
        id: this.ids.next(),
        tenantId: customerTenantId,
        orderId,
        productSkuId,
        friendlyName: product?.name ?? productSkuId,
        status: 'active',
        termDuration: line.termDuration,
        billingCycle: line.billingCycle,
        termStartDate: today.toString(),
        termEndDate: termEnd(today, line.termDuration).toString(),
        creationDate: now.toISOString(),
        autoRenewEnabled: true,
        lots: [{ quantity: line.quantity, addedAt: now.toISOString(), reason: 'purchase' }],
        quantity: line.quantity,
        scheduled: undefined,
        ...(line.parentSubscriptionId ? { parentSubscriptionId: line.parentSubscriptionId } : {}),
      });
    }
    const actions: TransactionAction[] = created.map((s) => ['create', this.toEntity(s)]);
    actions.push(...created.map((s): TransactionAction => ['create', ledgerEntity(s, now, this.ids)]));
    actions.push([
      'create',
      {
        partitionKey: customerTenantId,
        rowKey: `${ORDER_PREFIX}${requestId}`,
        orderId,
        subscriptionIds: JSON.stringify(created.map((s) => s.id)),
      },
    ]);
    try {
      await this.table.submitTransaction(actions);
    } catch (error) {
      // The same request placed concurrently: answer with the order that won.
      const raced = await this.readOrder(customerTenantId, requestId);
      if (raced) return raced;
      throw error;
    }
    return { orderId, subscriptions: created.map((s) => this.toSubscription(s, now)) };
  }

  async listSubscriptions(customerTenantId: string): Promise<CommerceSubscription[]> {
    return (await this.listAllSubscriptions(customerTenantId)).subscriptions;
  }

  async listAllSubscriptions(customerTenantId: string) {
    this.maybeFail();
    const now = this.options.clock.now();
    const subscriptions: CommerceSubscription[] = [];
    const legacy: LegacySubscription[] = [];
    const rows = this.table.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${customerTenantId}` } });
    for await (const entity of rows) {
      if (String(entity.rowKey).startsWith(LEGACY_PREFIX)) legacy.push(parseLegacy(entity));
      else if (isOwnRow(entity.rowKey)) subscriptions.push(this.toSubscription(this.parse(entity).state, now));
    }
    subscriptions.sort((a, b) => a.creationDate.localeCompare(b.creationDate));
    return { subscriptions, legacy };
  }

  /** Seeds a legacy subscription, as real partners still have them (Azure legacy, legacy add-ons). */
  async addLegacySubscription(customerTenantId: string, subscription: LegacySubscription): Promise<void> {
    await this.table.upsertEntity(
      {
        partitionKey: customerTenantId,
        rowKey: `${LEGACY_PREFIX}${subscription.id}`,
        data: JSON.stringify(legacySchema.parse(subscription)),
      },
      'Replace',
    );
  }

  async getSubscription(customerTenantId: string, subscriptionId: string): Promise<CommerceSubscription> {
    this.maybeFail();
    const state = await this.readState(customerTenantId, subscriptionId);
    if (!state) throw await this.missing(customerTenantId, subscriptionId);
    return this.toSubscription(state, this.options.clock.now());
  }

  /** Not a subscription this simulator changes: a legacy one (409 with its reason), else none (404). */
  private async missing(tenantId: string, subscriptionId: string) {
    try {
      const legacy = parseLegacy(await this.table.getEntity(tenantId, `${LEGACY_PREFIX}${subscriptionId}`));
      return commerceLegacy(subscriptionId, legacy.reason);
    } catch (error) {
      if (storageStatus(error) !== 404) throw error;
      return notFound(
        'COMMERCE.SUBSCRIPTION_NOT_FOUND',
        `Microsoft has no subscription ${subscriptionId} for this customer.`,
      );
    }
  }

  async updateSubscription(
    customerTenantId: string,
    subscriptionId: string,
    update: SubscriptionUpdate,
  ): Promise<CommerceSubscription> {
    this.maybeFail();
    const found = await this.read(customerTenantId, subscriptionId);
    if (!found) throw await this.missing(customerTenantId, subscriptionId);
    const now = this.options.clock.now();
    const next = applyUpdate(found.state, update, now, this.options.windowHours);
    const actions: TransactionAction[] = [['update', this.toEntity(next), 'Replace', { etag: found.etag }]];
    if (billableChanged(found.state, next)) actions.push(['create', ledgerEntity(next, now, this.ids)]);
    await guarded(() => this.table.submitTransaction(actions));
    return this.toSubscription(next, now);
  }

  /**
   * Microsoft's renewal processing, from 00:00 UTC on the term end date: renews auto-renewing active
   * subscriptions (applying scheduled next-term instructions, one new lot for all seats), expires suspended
   * ones and those with auto-renew off. Returns the ids it renewed or expired.
   */
  async processRenewals(customerTenantId: string): Promise<{ renewed: string[]; expired: string[] }> {
    const now = this.options.clock.now();
    const today = utcDate(now);
    const renewed: string[] = [];
    const expired: string[] = [];
    const rows = this.table.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${customerTenantId}` } });
    for await (const entity of rows) {
      if (!isOwnRow(entity.rowKey)) continue;
      const { state, etag } = this.parse(entity);
      if (state.status !== 'active' && state.status !== 'suspended') continue;
      if (compareDates(date(state.termEndDate), today) > 0) continue;
      let next: SimState;
      if (state.status === 'suspended' || !state.autoRenewEnabled) {
        next = { ...state, status: 'expired', scheduled: undefined };
        expired.push(state.id);
      } else {
        next = { ...state };
        while (compareDates(date(next.termEndDate), today) <= 0) {
          const start = date(next.termEndDate);
          const instructions = next.scheduled;
          const termDuration = instructions?.termDuration ?? next.termDuration;
          const quantity = instructions?.quantity ?? next.quantity;
          next = {
            ...next,
            productSkuId: instructions?.productSkuId ?? next.productSkuId,
            termDuration,
            billingCycle: instructions?.billingCycle ?? next.billingCycle,
            termStartDate: start.toString(),
            termEndDate: termEnd(start, termDuration).toString(),
            lots: renewLots(quantity, startOfDayUtc(start)),
            quantity,
            scheduled: undefined,
          };
        }
        renewed.push(state.id);
      }
      // Microsoft renews (or expires) from 00:00 UTC on the term end date, whenever it gets round to it.
      const at = startOfDayUtc(date(next.status === 'expired' ? state.termEndDate : next.termStartDate));
      await guarded(() =>
        this.table.submitTransaction([
          ['update', this.toEntity(next), 'Replace', { etag }],
          ['create', ledgerEntity(next, at, this.ids)],
        ]),
      );
    }
    return { renewed, expired };
  }

  /**
   * Tenants holding an active or suspended subscription whose term has ended by today: one query, answered by
   * the table (a superset: other rows with those columns only cost a `processRenewals` that finds nothing).
   */
  async tenantsWithRenewalsDue(): Promise<string[]> {
    const today = utcDate(this.options.clock.now()).toString();
    const seen = new Set<string>();
    const rows = this.table.listEntities({
      queryOptions: {
        filter: odata`termEndDate le ${today} and (status eq 'active' or status eq 'suspended')`,
        select: ['PartitionKey'],
      },
    });
    for await (const entity of rows) seen.add(String(entity.partitionKey));
    return [...seen];
  }

  /** Every customer tenant the simulator knows (for the renewal timer). */
  async tenants(): Promise<string[]> {
    const seen = new Set<string>();
    for await (const entity of this.table.listEntities({ queryOptions: { select: ['PartitionKey'] } }))
      seen.add(String(entity.partitionKey));
    return [...seen];
  }

  private maybeFail(): void {
    const fault = this.faults.shift();
    if (fault) {
      if (fault.status === 429) throw commerceThrottled(fault.retryAfterSeconds ?? 1);
      throw commerceUnavailable(fault.status === 'timeout' ? 'timeout' : `HTTP ${fault.status}`);
    }
    if (this.options.throttlePercent > 0 && this.random() * 100 < this.options.throttlePercent)
      throw commerceThrottled(2);
  }

  private async readOrder(tenantId: string, requestId: string) {
    try {
      const entity = await this.table.getEntity<{ orderId: string; subscriptionIds: string }>(
        tenantId,
        `${ORDER_PREFIX}${requestId}`,
      );
      const ids = z.array(z.string()).parse(JSON.parse(entity.subscriptionIds));
      const now = this.options.clock.now();
      const subscriptions: CommerceSubscription[] = [];
      for (const id of ids) {
        const state = await this.readState(tenantId, id);
        if (state) subscriptions.push(this.toSubscription(state, now));
      }
      return { orderId: entity.orderId, subscriptions };
    } catch (error) {
      if (storageStatus(error) === 404) return undefined;
      throw error;
    }
  }

  private async readState(tenantId: string, subscriptionId: string): Promise<SimState | undefined> {
    return (await this.read(tenantId, subscriptionId))?.state;
  }

  private async read(tenantId: string, subscriptionId: string): Promise<{ state: SimState; etag: string } | undefined> {
    if (subscriptionId.startsWith(ORDER_PREFIX) || !/^[0-9a-f-]{36}$/i.test(subscriptionId)) return undefined;
    try {
      return this.parse(await this.table.getEntity(tenantId, subscriptionId));
    } catch (error) {
      if (storageStatus(error) === 404) return undefined;
      throw error;
    }
  }

  private parse(entity: unknown): { state: SimState; etag: string } {
    const parsed = rowSchema.safeParse(entity);
    if (!parsed.success)
      throw corruptRow('commerce simulator', String((entity as { rowKey?: unknown }).rowKey), parsed.error);
    const { partitionKey, rowKey, etag, ...rest } = parsed.data;
    return { state: { ...rest, id: rowKey, tenantId: partitionKey, quantity: totalSeats(rest.lots) }, etag };
  }

  private toEntity(state: SimState) {
    return {
      partitionKey: state.tenantId,
      rowKey: state.id,
      orderId: state.orderId,
      productSkuId: state.productSkuId,
      friendlyName: state.friendlyName,
      status: state.status,
      termDuration: state.termDuration,
      billingCycle: state.billingCycle,
      termStartDate: state.termStartDate,
      termEndDate: state.termEndDate,
      creationDate: state.creationDate,
      autoRenewEnabled: state.autoRenewEnabled,
      lots: JSON.stringify(state.lots),
      ...(state.parentSubscriptionId ? { parentSubscriptionId: state.parentSubscriptionId } : {}),
      scheduled: state.scheduled ? JSON.stringify(state.scheduled) : '',
    };
  }

  private toSubscription(state: SimState, now: Date): CommerceSubscription {
    const window = this.options.windowHours;
    const open = state.status === 'active' ? refundableLots(state.lots, now, window) : [];
    const cancelUntil = cancellationAllowedUntil(state.lots, window);
    return {
      id: state.id,
      orderId: state.orderId,
      productSkuId: state.productSkuId,
      friendlyName: state.friendlyName,
      quantity: state.quantity,
      status: state.status,
      termDuration: state.termDuration,
      billingCycle: state.billingCycle,
      termStartDate: state.termStartDate,
      termEndDate: state.termEndDate,
      creationDate: state.creationDate,
      autoRenewEnabled: state.autoRenewEnabled,
      ...(cancelUntil ? { cancellationAllowedUntilDate: cancelUntil.toISOString() } : {}),
      refundableQuantity: {
        totalQuantity: open.reduce((n, { lot }) => n + lot.quantity, 0),
        details: open.map(({ lot, until }) => ({ quantity: lot.quantity, allowedUntilDateTime: until.toISOString() })),
      },
      ...(state.parentSubscriptionId ? { parentSubscriptionId: state.parentSubscriptionId } : {}),
      ...(state.scheduled ? { scheduledNextTermInstructions: state.scheduled } : {}),
    };
  }
}

function parseLegacy(entity: unknown): LegacySubscription {
  const row = legacyRowSchema.safeParse(entity);
  const parsed = row.success ? legacySchema.safeParse(JSON.parse(row.data.data)) : row;
  if (!parsed.success)
    throw corruptRow('commerce simulator', String((entity as { rowKey?: unknown }).rowKey), parsed.error);
  return parsed.data as LegacySubscription;
}

/** Microsoft's rules for one PATCH, as a pure function of the stored state. */
function applyUpdate(state: SimState, update: SubscriptionUpdate, now: Date, windowHours: number): SimState {
  if (state.status === 'expired' || state.status === 'deleted') {
    throw commerceRefused(
      'COMMERCE.SUBSCRIPTION_INACTIVE',
      `The subscription is ${state.status}; it can no longer be changed.`,
    );
  }
  let next: SimState = { ...state };
  let immediate = false;

  if (update.status !== undefined && update.status !== state.status) {
    immediate = true;
    if (update.status === 'deleted') {
      const until = cancellationAllowedUntil(state.lots, windowHours);
      if (!until || now.getTime() >= until.getTime()) {
        throw microsoftRefusal(
          'CANCELLATION_WINDOW_CLOSED',
          `The subscription may be cancelled only until ${until?.toISOString() ?? 'its window end'}.`,
          {
            windowEnd: until?.toISOString(),
          },
        );
      }
      next = { ...next, status: 'deleted', lots: [], quantity: 0 };
    } else {
      next = { ...next, status: update.status };
    }
  }

  if (update.quantity !== undefined && update.quantity !== state.quantity) {
    if (next.status !== 'active') {
      throw commerceRefused('COMMERCE.SUBSCRIPTION_NOT_ACTIVE', 'Only an active subscription can change its quantity.');
    }
    if (!Number.isInteger(update.quantity) || update.quantity < 1) {
      throw validation('The quantity must be at least 1.', [{ path: 'quantity', message: 'at least 1' }]);
    }
    immediate = true;
    const delta = update.quantity - state.quantity;
    if (delta > 0) {
      next = { ...next, lots: addSeats(next.lots, delta, now) };
    } else {
      const removed = removeSeats(next.lots, -delta, now, windowHours);
      if (!removed.ok) {
        throw microsoftRefusal(
          'DECREASE_WINDOW_CLOSED',
          `Only ${removed.refundable} seat(s) can still be removed; seats can be removed within ${windowHours} hours of being added.`,
          {
            refundableQuantity: removed.refundable,
            ...(removed.nextWindowEnd ? { windowEnd: removed.nextWindowEnd.toISOString() } : {}),
          },
        );
      }
      next = { ...next, lots: removed.lots };
    }
    next.quantity = update.quantity;
  }

  if (update.autoRenewEnabled !== undefined) next = { ...next, autoRenewEnabled: update.autoRenewEnabled };

  if (update.scheduledNextTermInstructions !== undefined) {
    const instructions = update.scheduledNextTermInstructions;
    if (instructions && update.autoRenewEnabled === false)
      throw validation('A next-term change needs auto-renew on.', [
        { path: 'autoRenewEnabled', message: 'must stay on with scheduledNextTermInstructions' },
      ]);
    next = {
      ...next,
      // Microsoft schedules a next term only with auto-renew on; the real adapter turns it on with the instructions.
      ...(instructions ? { autoRenewEnabled: true } : {}),
      scheduled: instructions ? checkScheduled(instructions) : undefined,
    };
  } else if (immediate) {
    // Microsoft: any immediate mid-term change wipes the scheduled next-term instructions.
    next = { ...next, scheduled: undefined };
  }
  return next;
}

function checkScheduled(instructions: ScheduledNextTerm): ScheduledNextTerm {
  if (!Number.isInteger(instructions.quantity) || instructions.quantity < 1) {
    throw validation('The next-term quantity must be at least 1.', [
      { path: 'scheduledNextTermInstructions.quantity', message: 'at least 1' },
    ]);
  }
  if (!isValidTermFrequency(instructions.termDuration, instructions.billingCycle)) {
    throw microsoftRefusal(
      'TERM_NOT_OFFERED',
      `${instructions.termDuration} is not offered with ${instructions.billingCycle} billing.`,
    );
  }
  const { productSkuId, quantity, termDuration, billingCycle } = instructions;
  return { productSkuId, quantity, termDuration, billingCycle };
}

function billableChanged(before: SimState, after: SimState): boolean {
  return (
    before.quantity !== after.quantity ||
    before.status !== after.status ||
    before.termStartDate !== after.termStartDate ||
    before.productSkuId !== after.productSkuId
  );
}

/** A ledger row: the subscription's billable state from `at` on. Row keys sort by subscription, then time. */
function ledgerEntity(state: SimState, at: Date, ids: IdGenerator) {
  const ledger: LedgerState = {
    productId: state.productSkuId,
    productName: state.friendlyName,
    quantity: state.status === 'deleted' ? 0 : state.quantity,
    status: state.status,
    autoRenew: state.autoRenewEnabled,
    term: state.termDuration,
    billingFrequency: state.billingCycle,
    termStartDate: state.termStartDate,
    termEndDate: state.termEndDate,
  };
  return {
    partitionKey: state.tenantId,
    rowKey: `${LEDGER_PREFIX}${state.id}|${at.toISOString()}|${ids.next().slice(0, 8)}`,
    subscriptionId: state.id,
    at: at.toISOString(),
    state: JSON.stringify(ledger),
  };
}
