import { pullRecentUsage } from '../app/usage/pull-usage.ts';
import type { TimerJob } from './job.ts';

/** F-USAGE: every night at 00:30 UTC (before the billing run at 01:00), yesterday's rated Azure usage (and the three days before it again, as it settles late). */
export const pullUsageJob: TimerJob = {
  kind: 'timer',
  name: 'pullUsage',
  schedule: '0 30 0 * * *',
  async handler({ services, log }) {
    log('info', 'usage pulled', { ...(await pullRecentUsage(services)) });
  },
};
