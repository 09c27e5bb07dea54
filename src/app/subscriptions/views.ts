import { refundableNow } from '../../domain/change-rules.ts';
import { dec, money, type Money } from '../../domain/money.ts';
import { monthlyCost } from '../../domain/proration.ts';
import {
  billingContractLabel,
  billingContractOf,
  type FutureChange,
  type SubscriptionRecord,
} from '../../domain/subscription.ts';

/** A subscription as My Services shows it (F-SERVICES). */
export interface SubscriptionView {
  id: string;
  offerId: string;
  productId: string;
  name: string;
  parentSubscriptionId?: string;
  billingContract: string;
  unitPrice: Money;
  priceSource: 'customer' | 'global';
  monthlyCost: Money;
  quantity: number;
  assignedQuantity: number;
  term: SubscriptionRecord['term'];
  billingFrequency: SubscriptionRecord['billingFrequency'];
  startDate: string;
  termStartDate: string;
  renewalDate: string;
  autoRenew: boolean;
  isNce: boolean;
  status: SubscriptionRecord['status'];
  cancellationAllowedUntil?: string;
  refundableQuantity: number;
  refundableUntil?: string;
  scheduledRenewalQuantity?: number;
  pendingChanges: FutureChangeView[];
  etag: string;
}

export interface FutureChangeView {
  id: string;
  subscriptionId: string;
  kind: string;
  change: Record<string, unknown>;
  effective: 'onRenewal' | 'custom';
  effectiveDate: string;
  status: FutureChange['status'];
  failureReason?: string;
  requestedBy: string;
  requestedAt: string;
  etag: string;
}

export function futureChangeView(change: FutureChange, etag: string): FutureChangeView {
  const {
    kind,
    effective: _e,
    effectiveDate: _d,
    confirmBillingChange: _c,
    ...rest
  } = change.change as Record<string, unknown> & { kind: string };
  return {
    id: change.id,
    subscriptionId: change.subscriptionId,
    kind,
    change: rest,
    effective: change.effective,
    effectiveDate: change.effectiveDate,
    status: change.status,
    ...(change.failureReason ? { failureReason: change.failureReason } : {}),
    requestedBy: change.requestedBy,
    requestedAt: change.requestedAt,
    etag,
  };
}

/** The parts of a view that depend on the stored record alone, kept per record object (stored rows are reused frozen). */
const priced = new WeakMap<SubscriptionRecord, { unitPrice: Money; monthlyCost: Money; billingContract: string }>();

function pricing(record: SubscriptionRecord) {
  let found = priced.get(record);
  if (!found) {
    const price = dec(record.unitPrice);
    found = {
      unitPrice: money(price, record.currency),
      monthlyCost: money(
        monthlyCost(record.quantity, price, record.billingFrequency, record.currency),
        record.currency,
      ),
      billingContract: billingContractOf(record),
    };
    priced.set(record, found);
  }
  return found;
}

export function subscriptionView(
  record: SubscriptionRecord,
  etag: string,
  pending: FutureChangeView[],
  now: Date,
): SubscriptionView {
  const refundable = record.status === 'active' ? refundableNow(record, now) : { quantity: 0 };
  const { unitPrice, monthlyCost: cost, billingContract } = pricing(record);
  return {
    id: record.id,
    offerId: record.catalogItemId,
    productId: record.productId,
    name: record.productName,
    ...(record.parentSubscriptionId ? { parentSubscriptionId: record.parentSubscriptionId } : {}),
    billingContract,
    unitPrice,
    priceSource: record.priceSource,
    monthlyCost: cost,
    quantity: record.quantity,
    assignedQuantity: record.assignedQuantity,
    term: record.term,
    billingFrequency: record.billingFrequency,
    startDate: record.startDate,
    termStartDate: record.termStartDate,
    renewalDate: record.termEndDate,
    autoRenew: record.autoRenew,
    isNce: record.isNce,
    status: record.status,
    ...(record.cancellationAllowedUntil ? { cancellationAllowedUntil: record.cancellationAllowedUntil } : {}),
    refundableQuantity: refundable.quantity,
    ...('windowEnd' in refundable && refundable.windowEnd ? { refundableUntil: refundable.windowEnd } : {}),
    ...(record.scheduledQuantity ? { scheduledRenewalQuantity: record.scheduledQuantity } : {}),
    pendingChanges: pending,
    etag,
  };
}

/** My Services: grouped by billing contract, add-ons nested under their base subscription. */
export function myServicesView(subscriptions: SubscriptionView[]) {
  const byId = new Map(subscriptions.map((s) => [s.id, { ...s, addOns: [] as SubscriptionView[] }]));
  const roots: (SubscriptionView & { addOns: SubscriptionView[] })[] = [];
  for (const s of byId.values()) {
    const parent = s.parentSubscriptionId ? byId.get(s.parentSubscriptionId) : undefined;
    if (parent) parent.addOns.push(s);
    else roots.push(s);
  }
  const contracts = new Map<string, { billingContract: string; label: string; subscriptions: typeof roots }>();
  for (const s of roots.sort((a, b) => a.name.localeCompare(b.name))) {
    const group = contracts.get(s.billingContract) ?? {
      billingContract: s.billingContract,
      label: billingContractLabel(s),
      subscriptions: [],
    };
    group.subscriptions.push(s);
    contracts.set(s.billingContract, group);
  }
  return [...contracts.values()].sort((a, b) => a.billingContract.localeCompare(b.billingContract));
}
