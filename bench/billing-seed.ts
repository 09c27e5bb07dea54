import { guidFrom } from '../src/adapters/auth/local-keys.ts';
import type { UsageRecord } from '../src/domain/billing.ts';
import type { ChangeLogEntry, SubscriptionRecord } from '../src/domain/subscription.ts';
import { stateOf } from '../src/domain/subscription.ts';
import type { Services } from '../src/main.ts';

/** The billing benchmark's data (also the multi-process test's): one Azure plan and Microsoft 365 seats per customer. */
export const PREMIUM = 'CFQ7TTC0LCHC:0002';
export const BASIC = 'CFQ7TTC0LH18:0001';

export interface Size {
  customers: number;
  subscriptions: number;
  usageRows: number;
}

export const benchCustomerId = (c: number) => guidFrom(`bench-customer-${c}`);

/** Writes customers, subscription records with their change-log entries and usage rows straight through the stores. */
export async function seed(services: Services, size: Size): Promise<void> {
  const at = '2026-09-01T00:00:00.000Z';
  const perCustomer = Math.round(size.subscriptions / size.customers);
  const usagePerCustomer = Math.round(size.usageRows / size.customers);
  const meters = 4;
  const jobs = Array.from({ length: size.customers }, (_, c) => c);
  const worker = async () => {
    for (let c = jobs.shift(); c !== undefined; c = jobs.shift()) {
      const customerId = benchCustomerId(c);
      const tenantId = guidFrom(`bench-tenant-${c}`);
      await services.customers.create({
        id: customerId,
        name: `Bench customer ${String(c).padStart(5, '0')}`,
        billingDay: 1,
        currency: 'USD',
        country: 'US',
        company: {},
        billingChangeConfirmation: false,
        tenantId,
        createdAt: at,
        updatedAt: at,
      });
      const records: SubscriptionRecord[] = [];
      const log: ChangeLogEntry[] = [];
      for (let s = 0; s < perCustomer - 1; s++) {
        const productId = s % 2 ? BASIC : PREMIUM;
        const record: SubscriptionRecord = {
          id: guidFrom(`bench-sub-${c}-${s}`),
          customerId,
          customerTenantId: tenantId,
          orderId: `order-${c}`,
          productId,
          productName: s % 2 ? 'Microsoft 365 Business Basic' : 'Microsoft 365 Business Premium',
          catalogItemId: `${productId}:0001`,
          isNce: true,
          quantity: 5 + (s % 7),
          assignedQuantity: 3 + (s % 3),
          minQuantity: 1,
          maxQuantity: 300,
          status: 'active',
          term: 'P1Y',
          billingFrequency: 'monthly',
          startDate: '2026-09-01',
          termStartDate: '2026-09-01',
          termEndDate: '2027-09-01',
          autoRenew: true,
          refundable: [],
          unitPrice: s % 2 ? '6.00' : '22.00',
          currency: 'USD',
          priceListId: 'global',
          priceSource: 'global',
          syncedAt: at,
        };
        records.push(record);
        log.push({
          id: guidFrom(`bench-log-${c}-${s}`),
          customerId,
          at,
          actor: 'bench',
          source: 'portal',
          action: 'purchase',
          subscriptionId: record.id,
          productName: record.productName,
          after: stateOf(record),
        });
      }
      await services.customerData.commit(customerId, { subscriptions: records.map((value) => ({ value })), log });
      // One Azure plan per customer: its usage, `meters` meters a day.
      const azure = guidFrom(`bench-azure-${c}`);
      const usage: UsageRecord[] = Array.from({ length: usagePerCustomer }, (_, u) => ({
        customerId,
        subscriptionId: azure,
        meterId: `meter-${u % meters}`,
        meterName: `Meter ${u % meters}`,
        meterCategory: 'Virtual Machines',
        unitOfMeasure: '1 Hour',
        date: `2026-09-${String(1 + (Math.floor(u / meters) % 30)).padStart(2, '0')}`,
        quantity: '24',
        cost: `${(1 + (u % 13) / 10).toFixed(2)}`,
        currency: 'USD',
        source: 'simulator',
      }));
      await services.usageStore.save(usage);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}
