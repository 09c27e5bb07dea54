import { randomUUID } from 'node:crypto';
import { cycleEndingIn } from '../../domain/billing-cycles.ts';
import { utcDate } from '../../domain/calendar.ts';
import type { Customer } from '../../domain/customer.ts';
import { AppError } from '../errors.ts';
import { allCustomers } from '../customers.ts';
import type { BillingRun, CustomerRunResult } from '../ports/billing.port.ts';
import type { Versioned } from '../ports/customer.repository.port.ts';
import { billCustomerCycle } from './bill-customer-cycle.ts';
import type { RunDeps } from './deps.ts';

export type { RunDeps };

/** A run bills, for one month (`YYYY-MM`), every customer's cycle that ends in that month. */
export const periodPattern = /^(20\d{2})-(0[1-9]|1[0-2])$/;

export async function startBillingRun(
  deps: Pick<RunDeps, 'billingRuns' | 'clock'>,
  period: string,
  requestedBy: string,
): Promise<{ run: BillingRun; created: boolean }> {
  if (!periodPattern.test(period))
    throw new AppError('Validation', 'REQUEST.INVALID', 'The period is a month: YYYY-MM.', {
      errors: [{ path: 'body.period', message: 'YYYY-MM' }],
    });
  const now = deps.clock.now().toISOString();
  const { run, created } = await deps.billingRuns.createOrGet({
    id: period,
    period,
    status: 'running',
    requestedBy,
    startedAt: now,
    updatedAt: now,
    customersTotal: 0,
    customersDone: 0,
    customersFailed: 0,
    customersNotDue: 0,
  });
  return { run: run.value, created };
}

/**
 * Works through a run: every customer not done yet, in parallel batches of bounded size. Each customer's
 * result is saved as it finishes, so a run interrupted by a crash continues where it stopped. A customer whose
 * cycle has not ended yet is `notDue` and is billed by a later pass (the daily timer continues open runs).
 */
export async function continueBillingRun(
  deps: RunDeps,
  runId: string,
  options: { concurrency?: number; onProgress?: (run: BillingRun) => void } = {},
): Promise<BillingRun> {
  const found = await deps.billingRuns.get(runId);
  if (!found) throw new AppError('NotFound', 'BILLING_RUN.NOT_FOUND', `No billing run ${runId}.`);
  const today = utcDate(deps.clock.now()).toString();
  const previous = new Map((await deps.billingRuns.results(runId)).map((r) => [r.customerId, r]));
  const results = new Map(previous);

  const customers = await allCustomers(deps);
  const pending = customers.filter((c) => previous.get(c.id)?.status !== 'done');
  let run = found;
  const progress = async () => {
    run = await saveProgress(deps, run, customers.length, results);
    options.onProgress?.(run.value);
  };
  const queue = [...pending];
  let sinceSave = 0;
  let billed = 0;
  const worker = async () => {
    for (let customer = queue.shift(); customer; customer = queue.shift()) {
      const result = await billOne(deps, customer, found.value.period, today);
      if (result.status === 'done') billed += 1;
      results.set(customer.id, result);
      await deps.billingRuns.saveResult(runId, result);
      if (++sinceSave >= 50) {
        sinceSave = 0;
        await progress();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 8) }, worker));
  await progress();
  if (run.value.status !== 'running' && (found.value.status === 'running' || billed > 0))
    await deps.afterRun?.(run.value);
  return run.value;
}

async function billOne(deps: RunDeps, customer: Customer, period: string, today: string): Promise<CustomerRunResult> {
  const at = deps.clock.now().toISOString();
  const cycle = cycleEndingIn(customer.billingDay, period).end.toString();
  if (cycle > today) return { customerId: customer.id, status: 'notDue', cycle, at };
  try {
    const bill = await billCustomerCycle(deps, customer, cycle);
    await deps.afterCustomer?.(customer, bill);
    return {
      customerId: customer.id,
      status: 'done',
      cycle,
      lines: bill.invoice.lineCount,
      total: bill.invoice.total,
      currency: bill.invoice.currency,
      at,
    };
  } catch (error) {
    const reason = error instanceof AppError ? `${error.code}: ${error.message}` : `Unexpected error (${randomUUID()})`;
    if (!(error instanceof AppError))
      console.error(
        JSON.stringify({ message: 'billing failed', customerId: customer.id, cycle, error: String(error) }),
      );
    return { customerId: customer.id, status: 'failed', cycle, reason, at };
  }
}

async function saveProgress(
  deps: RunDeps,
  run: Versioned<BillingRun>,
  total: number,
  results: Map<string, CustomerRunResult>,
): Promise<Versioned<BillingRun>> {
  const values = [...results.values()];
  const done = values.filter((r) => r.status === 'done').length;
  const failed = values.filter((r) => r.status === 'failed').length;
  const notDue = values.filter((r) => r.status === 'notDue').length;
  const finished = done + failed === total;
  const now = deps.clock.now().toISOString();
  const next: BillingRun = {
    ...run.value,
    customersTotal: total,
    customersDone: done,
    customersFailed: failed,
    customersNotDue: notDue,
    updatedAt: now,
    status: finished ? (failed ? 'completedWithFailures' : 'completed') : 'running',
    ...(finished ? { completedAt: now } : {}),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await deps.billingRuns.save(next, run.etag);
    } catch (error) {
      if (!(error instanceof AppError && error.kind === 'PreconditionFailed')) throw error;
      const fresh = await deps.billingRuns.get(run.value.id);
      if (!fresh) throw error;
      run = fresh;
    }
  }
  return run;
}
