import { randomUUID } from 'node:crypto';
import { Cron } from 'croner';
import type { Services } from '../app/services.ts';
import { advanceClock, type AdvanceResult } from '../app/simulator-clock/advance-clock.ts';
import type { TimedWork } from '../app/simulator-clock/deps.ts';
import type { SimulatedClock, SimulatorClockStore } from '../app/ports/simulator-clock.port.ts';
import type { Logger } from '../app/ports/logger.port.ts';
import type { Job } from './job.ts';
import { continueBillingRun } from '../app/billing/billing-run.ts';
import { billingDepsOf } from '../app/billing/deps.ts';
import { jobs as appJobs } from './jobs.ts';

/**
 * F-CLOCK: advances the simulator clock through the job table's timers (their NCRONTAB schedules, UTC). Scheduled
 * queue messages need no firing of their own: each is a due future change, applied by the sweep at the first of
 * its firings at or after the change's due time (the message itself may come too; applying twice is harmless).
 */
export async function advanceSimulatorClock(
  services: Services,
  control: { clock: SimulatedClock; clockStore: SimulatorClockStore },
  to: Date,
  options: { jobs?: readonly Job[]; log?: Logger } = {},
): Promise<AdvanceResult> {
  const log: Logger = options.log ?? (() => undefined);
  const work: TimedWork[] = [];
  for (const job of options.jobs ?? appJobs) {
    if (job.kind !== 'timer') continue;
    const cron = new Cron(job.schedule, { timezone: 'UTC', paused: true });
    work.push({
      name: job.name,
      next: (after) => cron.nextRun(after) ?? new Date(8.64e15),
      ...(job.whenChangesDue ? { whenChangesDue: true } : {}),
      run: async () => {
        const context = { services, invocationId: randomUUID(), log, deliveryCount: 1 };
        // The billing timer only starts the month's run and enqueues one message per customer cycle; the clock
        // delivers what is due now, in this process and in time order, as it does every scheduled message (a
        // consumer's copy of one is harmless). Billing in-process leaves nothing for the timer's resume pass to do.
        if (job.name === 'dailyBilling') await billDueCustomers(services, () => job.handler(context));
        else await job.handler(context);
      },
    });
  }
  return advanceClock({ clock: control.clock, clockStore: control.clockStore, dueIndex: services.dueIndex, work }, to);
}

/**
 * The daily billing timer's firing on the simulator clock: the timer itself (`startRun`) when this month's run has
 * not started, then every customer cycle of this and last month's runs that is due at the clock's time, billed here.
 */
async function billDueCustomers(services: Services, startRun: () => Promise<void>): Promise<void> {
  const { reportWriter } = await import('../app/reports/report-writer.ts');
  const deps = billingDepsOf(services, reportWriter(services));
  const today = services.clock.now();
  const thisMonth = today.toISOString().slice(0, 7);
  const lastMonth = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
  const last = await services.billingRuns.get(lastMonth);
  if (last && (last.value.status === 'running' || last.value.status === 'completing'))
    await continueBillingRun(deps, lastMonth);
  if (!(await services.billingRuns.get(thisMonth))) await startRun();
  await continueBillingRun(deps, thisMonth);
}
