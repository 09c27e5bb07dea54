import { createHash } from 'node:crypto';
import type { Clock } from '../../app/ports/clock.port.ts';
import type { CustomerDataStore } from '../../app/ports/customer-data.port.ts';
import type { CustomerRepository } from '../../app/ports/customer.repository.port.ts';
import type { UsageSource } from '../../app/ports/usage.port.ts';
import type { UsageRecord } from '../../domain/billing.ts';
import { date, utcDate } from '../../domain/calendar.ts';
import { dec } from '../../domain/money.ts';
import { isAzurePlan, usageDecimal } from '../../domain/usage.ts';

/**
 * Local stand-in for Microsoft's rated usage (COMMERCE_MODE=simulator): every active or suspended Azure plan
 * subscription of the portal's customers uses a few meters every day from its start until yesterday. Quantities
 * and costs are drawn from a hash of (subscription, meter, date), so pulling a day again gives the same records.
 */
export interface SimulatedMeter {
  id: string;
  name: string;
  category: string;
  unit: string;
  /** Price per unit in USD; other currencies by a fixed rate. */
  unitPriceUsd: string;
  /** Quantity of one day from two numbers in [0, 1): per subscription (its size) and per day (its activity). */
  quantity(size: number, activity: number, daysInMonth: number): number;
  /** Share of subscriptions that use the meter at all. */
  share: number;
}

// Microsoft's meter ids are GUIDs; these are illustrative, and stable.
export const simulatedMeters: readonly SimulatedMeter[] = [
  {
    id: '5e1f9c0a-9d2b-4c55-8a31-1d2b3c4d5e01',
    name: 'D2s v5',
    category: 'Virtual Machines',
    unit: '1 Hour',
    unitPriceUsd: '0.096',
    share: 1,
    quantity: (size, activity) => (1 + Math.floor(size * 3)) * 24 * (0.55 + 0.45 * activity),
  },
  {
    id: '5e1f9c0a-9d2b-4c55-8a31-1d2b3c4d5e02',
    name: 'Hot LRS Data Stored',
    category: 'Storage',
    unit: '1 GB/Month',
    unitPriceUsd: '0.0208',
    share: 1,
    quantity: (size, activity, daysInMonth) => ((200 + size * 1800) * (0.98 + 0.04 * activity)) / daysInMonth,
  },
  {
    id: '5e1f9c0a-9d2b-4c55-8a31-1d2b3c4d5e03',
    name: 'Standard Data Transfer Out',
    category: 'Bandwidth',
    unit: '1 GB',
    unitPriceUsd: '0.087',
    share: 0.8,
    quantity: (size, activity) => (1 + size * 20) * activity * 2,
  },
  {
    id: '5e1f9c0a-9d2b-4c55-8a31-1d2b3c4d5e04',
    name: 'S1 DTUs',
    category: 'SQL Database',
    unit: '1/Day',
    unitPriceUsd: '0.9677',
    share: 0.6,
    quantity: (size) => 1 + Math.floor(size * 2),
  },
];

const rates: Record<string, string> = { USD: '1', EUR: '0.92', GBP: '0.79' };

/** Two numbers in [0, 1) from a text, the same every time. */
function draw(text: string): [number, number] {
  const hash = createHash('sha256').update(text).digest();
  return [hash.readUInt32BE(0) / 2 ** 32, hash.readUInt32BE(4) / 2 ** 32];
}

export interface SimulatorUsageDeps {
  customers: Pick<CustomerRepository, 'list'>;
  customerData: Pick<CustomerDataStore, 'services'>;
  clock: Clock;
}

export function simulatorUsageSource(deps: SimulatorUsageDeps): UsageSource {
  return {
    async *pull(from, to) {
      // Nothing for today or later: a day is rated once it is over.
      const today = utcDate(deps.clock.now()).toString();
      const end = to < today ? to : today;
      if (from >= end) return;
      let token: string | undefined;
      do {
        const page = await deps.customers.list(100, token);
        for (const customer of page.items) {
          const { subscriptions } = await deps.customerData.services(customer.id);
          for (const { value: subscription } of subscriptions) {
            if (
              !isAzurePlan(subscription.productId) ||
              (subscription.status !== 'active' && subscription.status !== 'suspended')
            )
              continue;
            const first = subscription.startDate > from ? subscription.startDate : from;
            for (let day = date(first); day.toString() < end; day = day.add({ days: 1 })) {
              yield* simulatedDay(customer.id, subscription.id, subscription.currency, day.toString(), day.daysInMonth);
            }
          }
        }
        token = page.continuationToken;
      } while (token);
    },
  };
}

export function* simulatedDay(
  customerId: string,
  subscriptionId: string,
  currency: string,
  day: string,
  daysInMonth: number,
): Generator<UsageRecord> {
  const rate = rates[currency] ?? '1';
  for (const meter of simulatedMeters) {
    const [size, uses] = draw(`${subscriptionId}|${meter.id}`);
    if (uses >= meter.share) continue;
    const [activity] = draw(`${subscriptionId}|${meter.id}|${day}`);
    const quantity = dec(meter.quantity(size, activity, daysInMonth).toFixed(4));
    yield {
      customerId,
      subscriptionId,
      meterId: meter.id,
      meterName: meter.name,
      meterCategory: meter.category,
      unitOfMeasure: meter.unit,
      date: day,
      quantity: usageDecimal(quantity),
      cost: usageDecimal(quantity.times(meter.unitPriceUsd).times(rate)),
      currency,
      source: 'simulator',
    };
  }
}
