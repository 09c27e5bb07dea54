import type { Job } from './job.ts';
import { simulatorRenewals } from './simulator-renewals.ts';
import { applyChange, sweepFutureChanges } from './future-changes.ts';
import { billCustomerCycleJob, dailyBilling } from './billing.ts';
import { pullUsageJob } from './pull-usage.ts';
import { seatSnapshotsJob } from './seat-snapshots.ts';

/**
 * The job table: every timer and queue consumer of the app. It drives the Azure Functions registrations
 * (functions/jobs.ts) and the local host's scheduler and in-process queues. Feature issues add their jobs here
 * (the future-change sweep and its Service Bus consumer, the usage pull, the billing run).
 */
export const jobs: readonly Job[] = [
  applyChange,
  sweepFutureChanges,
  simulatorRenewals,
  dailyBilling,
  billCustomerCycleJob,
  pullUsageJob,
  seatSnapshotsJob,
];
