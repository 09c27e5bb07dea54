import { allCustomers } from '../app/customers.ts';
import { syncSubscriptions } from '../app/subscriptions/sync.ts';
import type { TimerJob } from './job.ts';

/**
 * Local only (COMMERCE_MODE=simulator): Microsoft renews subscriptions from 00:00 UTC on their term end date;
 * the simulator does the same shortly after midnight, and the mirror of every customer is refreshed so that
 * My Services and the change log show the renewals.
 */
export const simulatorRenewals: TimerJob = {
  kind: 'timer',
  name: 'simulatorRenewals',
  schedule: '0 5 0 * * *',
  async handler({ services, log }) {
    const simulator = services.simulator;
    if (!simulator) return;
    let renewed = 0;
    for (const tenant of await simulator.tenants()) renewed += (await simulator.processRenewals(tenant)).renewed.length;
    for (const customer of await allCustomers(services)) {
      if (!customer.tenantId) continue;
      await syncSubscriptions(services, customer.id).catch((error: unknown) =>
        log('warn', 'sync failed', { customerId: customer.id, error: String(error) }),
      );
    }
    log('info', 'simulated renewals', { renewed });
  },
};
