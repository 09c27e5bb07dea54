import { cycleContaining } from '../../domain/billing-cycles.ts';
import type { BillingLine, Invoice } from '../../domain/billing.ts';
import { utcDate } from '../../domain/calendar.ts';
import { effectiveDateOf, stateAfterChange } from '../../domain/change-rules.ts';
import { dec, money, type Money } from '../../domain/money.ts';
import type { ChangeRequest, SubscriptionRecord } from '../../domain/subscription.ts';
import { notFound } from '../errors.ts';
import type { CustomerRepository } from '../ports/customer.repository.port.ts';
import { draftCycleBill, type BillingDeps } from './bill-customer-cycle.ts';

export type UpcomingInvoiceDeps = BillingDeps & { customers: Pick<CustomerRepository, 'get'> };

/**
 * F-UPCOMING: the invoice of the customer's open cycle (the one containing today) as the billing run would write
 * it if it ran now — the same computation (draftCycleBill), nothing written. Lines known by now only: usage still
 * to come and changes still to happen are not in it.
 */
export async function upcomingInvoice(
  deps: UpcomingInvoiceDeps,
  customerId: string,
): Promise<{ invoice: Invoice; lines: BillingLine[] }> {
  const customer = await deps.customers.get(customerId);
  if (!customer) throw notFound('CUSTOMER.NOT_FOUND', `No customer ${customerId}.`);
  const cycle = cycleContaining(customer.value.billingDay, utcDate(deps.clock.now()));
  const draft = await draftCycleBill(deps, customer.value, cycle.end.toString());
  return { invoice: draft.invoice, lines: draft.lines };
}

export interface UpcomingInvoiceMove {
  /** The open cycle (its end date), as in the upcoming invoice. */
  cycle: string;
  before: Money;
  after: Money;
  difference: Money;
}

/**
 * How a change would move the upcoming invoice's total: the upcoming invoice as it is, and as it would be with the
 * change's change-log entry written at the moment the change takes effect (now, or the start of its date), both
 * by the same computation. Nothing is written. A change taking effect after the open cycle moves nothing.
 */
export async function upcomingInvoiceMove(
  deps: UpcomingInvoiceDeps,
  customerId: string,
  subscription: SubscriptionRecord,
  change: ChangeRequest,
): Promise<UpcomingInvoiceMove> {
  const customer = await deps.customers.get(customerId);
  if (!customer) throw notFound('CUSTOMER.NOT_FOUND', `No customer ${customerId}.`);
  const now = deps.clock.now();
  const cycle = cycleContaining(customer.value.billingDay, utcDate(now)).end.toString();
  const invoices = await deps.billing.invoices(customerId);
  const at =
    change.effective === 'immediately'
      ? now.toISOString()
      : `${effectiveDateOf(subscription, change, now).toString()}T00:00:00.000Z`;
  const assumed = {
    id: 'preview',
    customerId,
    at,
    actor: 'preview',
    source: 'portal' as const,
    action: change.kind,
    subscriptionId: subscription.id,
    productName: subscription.productName,
    after: stateAfterChange(subscription, change),
  };
  const [before, after] = await Promise.all([
    draftCycleBill(deps, customer.value, cycle, invoices),
    draftCycleBill(deps, customer.value, cycle, invoices, { assume: [assumed] }),
  ]);
  const currency = customer.value.currency;
  return {
    cycle,
    before: money(dec(before.invoice.total), currency),
    after: money(dec(after.invoice.total), currency),
    difference: money(dec(after.invoice.total).minus(dec(before.invoice.total)), currency),
  };
}
