import { z } from 'zod';
import { billRunCustomer, resumeBillingRun, startBillingRun } from '../app/billing/billing-run.ts';
import { billingDepsOf } from '../app/billing/deps.ts';
import { BILLING_QUEUE } from '../app/ports/billing-queue.port.ts';
import { customerSchema } from '../domain/customer.ts';
import { defineQueueJob, type TimerJob } from './job.ts';

/** Deliveries of a billing message before an unexpected error is recorded as the customer's failure. */
export const BILLING_DELIVERIES = 5;

/**
 * Daily at 01:00 UTC: the month's run is started if it is not (its customers are enqueued, each billed on the day
 * its cycle ends); this and last month's runs are resumed while they have customers left (lost messages, failures
 * to retry). Only messages are sent here: the billing happens in `billCustomerCycle` consumers.
 */
export const dailyBilling: TimerJob = {
  kind: 'timer',
  name: 'dailyBilling',
  schedule: '0 0 1 * * *',
  async handler({ services, log }) {
    const { reportWriter } = await import('../app/reports/report-writer.ts');
    const deps = billingDepsOf(services, reportWriter(services));
    const today = services.clock.now();
    const thisMonth = today.toISOString().slice(0, 7);
    const lastMonth = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
    for (const period of [lastMonth, thisMonth]) {
      const existing = await services.billingRuns.get(period);
      if (period === lastMonth && (!existing || existing.value.status === 'completed')) continue;
      const result = existing
        ? await resumeBillingRun(deps, period)
        : (await startBillingRun(deps, period, 'timer')).run;
      log('info', 'billing run', {
        period,
        status: result.status,
        total: result.customersTotal,
        done: result.customersDone,
        failed: result.customersFailed,
        notDue: result.customersNotDue,
      });
    }
  },
};

export const billCycleMessageSchema = z.strictObject({
  runId: z.string().regex(/^\d{4}-\d{2}$/),
  period: z.string().regex(/^\d{4}-\d{2}$/),
  customerId: z.string().max(64),
  customer: customerSchema.optional(),
  notBefore: z.string().max(40).optional(),
});

/** One customer cycle of a billing run; the consumer of the last one completes the run. */
export const billCustomerCycleJob = defineQueueJob({
  kind: 'queue',
  name: 'billCustomerCycle',
  queue: BILLING_QUEUE,
  schema: billCycleMessageSchema,
  maxAttempts: () => BILLING_DELIVERIES,
  async handler(message, { services, deliveryCount, log }) {
    const { reportWriter } = await import('../app/reports/report-writer.ts');
    const result = await billRunCustomer(billingDepsOf(services, reportWriter(services)), message, {
      finalAttempt: deliveryCount >= BILLING_DELIVERIES,
    });
    log('info', 'billed customer cycle', {
      runId: message.runId,
      customerId: message.customerId,
      status: result.status,
      deliveryCount,
    });
  },
});
