import { allCustomers } from '../app/customers.ts';
import { syncSubscriptions } from '../app/subscriptions/sync.ts';
import type { TimerJob } from './job.ts';

/**
 * Local only (COMMERCE_MODE=simulator): Microsoft renews subscriptions from 00:00 UTC on their term end date;
 * the simulator does the same shortly after midnight, and the mirror of each customer whose subscriptions renewed
 * or expired is refreshed so that My Services and the change log show it (a day without renewals costs one query).
 */
export const simulatorRenewals: TimerJob = {
  kind: 'timer',
  name: 'simulatorRenewals',
  schedule: '0 5 0 * * *',
  async handler({ services, log }) {
    const simulator = services.simulator;
    if (!simulator) return;
    let renewed = 0;
    const touched = new Set<string>();
    for (const tenant of await simulator.tenantsWithRenewalsDue()) {
      const result = await simulator.processRenewals(tenant);
      renewed += result.renewed.length;
      if (result.renewed.length || result.expired.length) touched.add(tenant);
    }
    if (!touched.size) return;
    for (const customer of await allCustomers(services)) {
      if (!customer.tenantId || !touched.has(customer.tenantId)) continue;
      await syncSubscriptions(services, customer.id).catch((error: unknown) =>
        log('warn', 'sync failed', { customerId: customer.id, error: String(error) }),
      );
    }
    log('info', 'simulated renewals', { renewed });
  },
};
