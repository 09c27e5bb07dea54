import { allCustomers } from '../customers.ts';
import type { SeatSnapshot } from '../../domain/seat-snapshot.ts';
import { monthEnd, type ManualLicenseCount } from '../../domain/license-counts.ts';
import type { Reseller } from '../../domain/reseller.ts';
import type { CustomerDataStore } from '../ports/customer-data.port.ts';
import type { CustomerRepository } from '../ports/customer.repository.port.ts';
import type { SeatSnapshotStore } from '../ports/seat-snapshot.port.ts';
import type { CustomerMonth, ProductCount, ProductMonth, ResellerGroup } from '../ports/report-renderers.port.ts';
import { histories } from '../billing/bill-customer-cycle.ts';

/**
 * Licenses per customer, product and month, computed from what the portal keeps:
 * - allocated (seats held) at the end of a month: each subscription's state replayed from the change log, as
 *   the billing engine does (active and suspended subscriptions hold seats; Microsoft bills both);
 * - used ("in use"): licenses assigned to users, from the month's latest daily seat snapshot; for a month with
 *   no snapshot, today's assignments from the subscriptions mirror if it is the latest month asked for, else
 *   unknown (null).
 */
export interface UsageDeps {
  customers: CustomerRepository;
  customerData: CustomerDataStore;
  seatSnapshots: SeatSnapshotStore;
}

export type { CustomerMonth, ProductCount, ProductMonth, ResellerGroup };

/** Every customer's product counts for each month (oldest first); `used` for the last month only. */
export async function customerMonths(
  deps: UsageDeps,
  months: string[],
  options: { concurrency?: number } = {},
): Promise<CustomerMonth[]> {
  const customers = await allCustomers(deps);
  const latest = months.at(-1);
  const out = new Map<string, CustomerMonth[]>();
  const queue = [...customers];
  const worker = async () => {
    for (let customer = queue.shift(); customer; customer = queue.shift()) {
      const [subscriptionHistories, mirror, snapshots] = await Promise.all([
        histories(deps, customer.id),
        deps.customerData.services(customer.id),
        months.length
          ? deps.seatSnapshots.monthly(customer.id, months[0] ?? '', latest ?? '')
          : new Map<string, SeatSnapshot>(),
      ]);
      const today = new Map(mirror.subscriptions.map(({ value }) => [value.id, value.assignedQuantity]));
      const seen = new Set(subscriptionHistories.map((h) => h.subscriptionId));
      const rows: CustomerMonth[] = [];
      for (const month of months) {
        const end = monthEnd(month);
        const snapshot = snapshots.get(month);
        const assigned: Map<string, number> | undefined = snapshot
          ? new Map(snapshot.subscriptions.map((s) => [s.subscriptionId, s.assigned]))
          : month === latest
            ? today
            : undefined;
        const products = new Map<string, ProductCount>();
        const add = (productId: string, productName: string, seats: number, subscriptionId: string) => {
          const product = products.get(productId) ?? {
            productId,
            productName,
            subscriptions: 0,
            allocated: 0,
            used: assigned ? 0 : null,
          };
          product.subscriptions += 1;
          product.allocated += seats;
          if (product.used !== null) product.used += Math.min(seats, assigned?.get(subscriptionId) ?? 0);
          products.set(productId, product);
        };
        for (const history of subscriptionHistories) {
          const state = history.events.filter((e) => e.at < end).at(-1)?.state;
          if (!state || (state.status !== 'active' && state.status !== 'suspended') || state.quantity === 0) continue;
          add(state.productId, history.productName, state.quantity, history.subscriptionId);
        }
        // Subscriptions the mirror holds without a logged state (e.g. found by a sync): today's quantity, latest month only.
        if (month === latest) {
          for (const { value } of mirror.subscriptions) {
            if (
              seen.has(value.id) ||
              (value.status !== 'active' && value.status !== 'suspended') ||
              `${value.startDate}T00:00:00.000Z` >= end
            )
              continue;
            add(value.productId, value.productName, value.quantity, value.id);
          }
        }
        rows.push({
          customer,
          month,
          products: [...products.values()].sort(
            (a, b) => a.productName.localeCompare(b.productName, 'en') || a.productId.localeCompare(b.productId),
          ),
        });
      }
      out.set(customer.id, rows);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  return customers.flatMap((c) => out.get(c.id) ?? []);
}

/** Per month and product: computed totals over customers beside the partner's manual counts of that month. */
export function productMonths(
  rows: CustomerMonth[],
  manual: ReadonlyMap<string, ManualLicenseCount[]>,
  months: string[],
): ProductMonth[] {
  const out: ProductMonth[] = [];
  for (const month of months) {
    const products = new Map<string, ProductMonth>();
    for (const row of rows) {
      if (row.month !== month) continue;
      for (const p of row.products) {
        const total = products.get(p.productId) ?? {
          month,
          productId: p.productId,
          productName: p.productName,
          customers: 0,
          subscriptions: 0,
          seatsHeld: 0,
          inUse: p.used === null ? null : 0,
          manualCount: null,
        };
        total.customers += 1;
        total.subscriptions += p.subscriptions;
        total.seatsHeld += p.allocated;
        if (total.inUse !== null && p.used !== null) total.inUse += p.used;
        products.set(p.productId, total);
      }
    }
    for (const count of manual.get(month) ?? []) {
      const total = products.get(count.productId) ?? {
        month,
        productId: count.productId,
        productName: count.name ?? count.productId,
        customers: 0,
        subscriptions: 0,
        seatsHeld: 0,
        inUse: null,
        manualCount: null,
      };
      total.manualCount = count.manualCount;
      if (count.note) total.note = count.note;
      products.set(count.productId, total);
    }
    out.push(
      ...[...products.values()].sort(
        (a, b) => a.productName.localeCompare(b.productName, 'en') || a.productId.localeCompare(b.productId),
      ),
    );
  }
  return out;
}

/** Customers of one month grouped by reseller (resellers by name, then the partner's direct customers). */
export function byReseller(rows: CustomerMonth[], resellers: Reseller[]): ResellerGroup[] {
  const groups: ResellerGroup[] = resellers.map((reseller) => ({
    reseller,
    customers: rows.filter((r) => r.customer.resellerId === reseller.id),
  }));
  const known = new Set(resellers.map((r) => r.id));
  groups.push({
    reseller: null,
    customers: rows.filter((r) => !r.customer.resellerId || !known.has(r.customer.resellerId)),
  });
  return groups;
}
