import { snapshotSeats } from '../app/licenses/snapshot-seats.ts';
import type { TimerJob } from './job.ts';

/** F-REPORTS: every day at 23:50 UTC, each customer's purchased and assigned seats of the day. */
export const seatSnapshotsJob: TimerJob = {
  kind: 'timer',
  name: 'seatSnapshots',
  schedule: '0 50 23 * * *',
  async handler({ services, log }) {
    log('info', 'seats snapshotted', { ...(await snapshotSeats(services)) });
  },
};
