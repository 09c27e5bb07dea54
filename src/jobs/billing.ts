import { continueBillingRun, startBillingRun } from '../app/billing/billing-run.ts';
import { billingDepsOf } from '../app/billing/deps.ts';
import type { TimerJob } from './job.ts';

/**
 * Daily at 01:00 UTC: the month's run is started (or continued) so that each customer is billed on the day its
 * cycle ends; last month's run is continued too while it has customers left (failures are retried).
 */
export const dailyBilling: TimerJob = {
  kind: 'timer',
  name: 'dailyBilling',
  schedule: '0 0 1 * * *',
  async handler({ services, log }) {
    // Each billed customer's reports, then the manifest and the partner's notice (loaded only when the timer runs).
    const { reportWriter } = await import('../app/reports/report-writer.ts');
    const reports = reportWriter(services);
    const today = services.clock.now();
    const thisMonth = today.toISOString().slice(0, 7);
    const lastMonth = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
    for (const period of [lastMonth, thisMonth]) {
      const existing = await services.billingRuns.get(period);
      if (period === lastMonth && (!existing || existing.value.status === 'completed')) continue;
      const { run } = existing ? { run: existing.value } : await startBillingRun(services, period, 'timer');
      const result = await continueBillingRun(billingDepsOf(services, reports), run.id);
      log('info', 'billing run', {
        period,
        status: result.status,
        done: result.customersDone,
        failed: result.customersFailed,
        notDue: result.customersNotDue,
      });
    }
  },
};
