import { cycleContaining } from '../../domain/billing-cycles.ts';
import type { BillingLine, Invoice } from '../../domain/billing.ts';
import { utcDate } from '../../domain/calendar.ts';
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
