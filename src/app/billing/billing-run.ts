import { randomUUID } from 'node:crypto';
import { cycleEndingIn } from '../../domain/billing-cycles.ts';
import { utcDate } from '../../domain/calendar.ts';
import type { Customer } from '../../domain/customer.ts';
import { AppError } from '../errors.ts';
import { allCustomers } from '../customers.ts';
import { runFinished, type BillingRun, type CustomerRunResult } from '../ports/billing.port.ts';
import type { BillCycleMessage } from '../ports/billing-queue.port.ts';
import type { Versioned } from '../ports/customer.repository.port.ts';
import { billCustomerCycle } from './bill-customer-cycle.ts';
import type { RunDeps, RunStartDeps } from './deps.ts';

export type { RunDeps, RunStartDeps };

/**
 * The monthly billing run as a fan-out. `startBillingRun` records the run and its customers (each `queued`, or
 * `notDue` when its cycle ends later in the month) and enqueues one message per customer cycle, in batches, the
 * not-due ones scheduled for their cycle's end. Each message is consumed by `billRunCustomer`, which bills that one
 * customer cycle idempotently and records its result and the run's counts in one transaction; the consumer that
 * records the last result completes the run (`completeBillingRun`: the manifest and the partner's notice, once).
 * Any number of processes may consume one run. `resumeBillingRun` (the daily timer) re-enqueues what has no
 * result yet; `continueBillingRun` works through what is left in the calling process (the CLI, tests, the
 * simulator's clock).
 */

/** A run bills, for one month (`YYYY-MM`), every customer's cycle that ends in that month. */
export const periodPattern = /^(20\d{2})-(0[1-9]|1[0-2])$/;

/** Not-due customers are billed at 01:00 UTC on their cycle's end date, like the daily timer. */
const dueTime = (cycle: string) => new Date(`${cycle}T01:00:00.000Z`);

export async function startBillingRun(
  deps: RunStartDeps,
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
  if (run.value.queuedAt || run.value.status !== 'running') return { run: run.value, created };
  return { run: await enqueueRun(deps, run), created };
}

/** Records the run's customers and enqueues their messages; safe to repeat (same rows, same message ids). */
async function enqueueRun(deps: RunStartDeps, run: Versioned<BillingRun>): Promise<BillingRun> {
  const { period } = run.value;
  const now = deps.clock.now().toISOString();
  const today = utcDate(deps.clock.now()).toString();
  const results: CustomerRunResult[] = [];
  const due: BillCycleMessage[] = [];
  const later = new Map<string, BillCycleMessage[]>();
  for (const customer of await allCustomers(deps)) {
    const cycle = cycleEndingIn(customer.billingDay, period).end.toString();
    const message = { runId: run.value.id, period, customerId: customer.id, customer };
    if (cycle > today) {
      results.push({ customerId: customer.id, status: 'notDue', cycle, at: now });
      later.set(cycle, [...(later.get(cycle) ?? []), { ...message, notBefore: cycle }]);
    } else {
      results.push({ customerId: customer.id, status: 'queued', cycle, at: now });
      due.push(message);
    }
  }
  await deps.billingRuns.initProgress(run.value.id, results);
  if (deps.billingQueue) {
    await deps.billingQueue.enqueue(due);
    for (const [cycle, messages] of later) await deps.billingQueue.enqueue(messages, dueTime(cycle));
  }
  const progress = await deps.billingRuns.progress(run.value.id);
  const next: BillingRun = {
    ...run.value,
    queuedAt: now,
    updatedAt: now,
    customersTotal: progress?.total ?? results.length,
    customersNotDue: progress?.notDue ?? later.size,
  };
  try {
    return (await deps.billingRuns.save(next, run.etag)).value;
  } catch (error) {
    // Started at the same time by another request: its record stands (the rows and messages are the same).
    if (!(error instanceof AppError && error.kind === 'PreconditionFailed')) throw error;
    return (await deps.billingRuns.get(run.value.id))?.value ?? next;
  }
}

/**
 * Bills one customer cycle of a run (one queue message) and records it. An unexpected error is thrown so that the
 * queue tries again later, except on the `finalAttempt`, where it is recorded as the customer's failure (so the run
 * still completes). Completes the run when this was its last customer.
 */
export async function billRunCustomer(
  deps: RunDeps,
  message: BillCycleMessage,
  options: { finalAttempt?: boolean } = {},
): Promise<CustomerRunResult> {
  const customer = message.customer ?? (await deps.customers.get(message.customerId))?.value;
  const at = deps.clock.now().toISOString();
  const result: CustomerRunResult = customer
    ? await billOne(deps, customer, message.period, options.finalAttempt ?? true)
    : { customerId: message.customerId, status: 'failed', reason: 'CUSTOMER.NOT_FOUND: the customer was removed.', at };
  if (result.status === 'notDue') {
    // Delivered before its cycle ended (a clock set back): once more at its time.
    if (result.cycle) await deps.billingQueue?.enqueue([{ ...message, notBefore: at }], dueTime(result.cycle));
    return result;
  }
  const { progress } = await deps.billingRuns.recordResult(message.runId, result);
  if (runFinished(progress)) await completeBillingRun(deps, message.runId);
  return result;
}

/** How long a run may stay `completing` under one consumer before another (the timer) finishes it instead. */
export const COMPLETING_LEASE_MS = 10 * 60_000;

/**
 * Completes a finished run in two recorded steps, so that a crash between them is recovered: the run's row goes
 * `running → completing` (ETag-guarded: one caller wins and finishes it), then `afterRun` writes the manifest and
 * the partner's notice, then `completing → completed`. A run found `completing` past its lease (the finisher
 * died) is finished by whoever finds it — the daily timer, any consumer — again ETag-guarded, and `afterRun` is
 * idempotent (the manifest is replaced by the same listing, the notice is keyed by the outcome): one manifest, one
 * mail. A run already completed with the same counts is left as it is; one completed with other counts (a failed
 * customer billed later) is completed again for its new outcome.
 */
export async function completeBillingRun(
  deps: Pick<RunDeps, 'billingRuns' | 'clock' | 'afterRun'>,
  runId: string,
  known?: Versioned<BillingRun>,
): Promise<BillingRun> {
  let run = known ?? (await deps.billingRuns.get(runId));
  if (!run) throw new AppError('NotFound', 'BILLING_RUN.NOT_FOUND', `No billing run ${runId}.`);
  const now = deps.clock.now();
  if (run.value.status === 'completing') {
    // Its finisher died (or is still at it, within the lease): take it over, ETag-guarded.
    const since = new Date(run.value.completingAt ?? run.value.updatedAt).getTime();
    if (now.getTime() - since < COMPLETING_LEASE_MS) return run.value;
    const taken = await saveIfCurrent(
      deps,
      { ...run.value, updatedAt: now.toISOString(), completingAt: now.toISOString() },
      run.etag,
    );
    if (!taken) return (await deps.billingRuns.get(runId))?.value ?? run.value;
    run = taken;
  } else {
    const progress = await deps.billingRuns.progress(runId);
    if (!progress || !runFinished(progress)) return run.value;
    const same =
      run.value.customersDone === progress.done &&
      run.value.customersFailed === progress.failed &&
      run.value.customersTotal === progress.total;
    if (run.value.status !== 'running' && same) return run.value;
    const completing: BillingRun = {
      ...run.value,
      customersTotal: progress.total,
      customersDone: progress.done,
      customersFailed: progress.failed,
      customersNotDue: progress.notDue,
      status: 'completing',
      updatedAt: now.toISOString(),
      completingAt: now.toISOString(),
    };
    const saved = await saveIfCurrent(deps, completing, run.etag);
    if (!saved) return (await deps.billingRuns.get(runId))?.value ?? completing;
    run = saved;
  }
  // This caller's write won: it alone finishes the run (until its lease ends).
  const { completingAt: _lease, ...rest } = run.value;
  const outcome: BillingRun = {
    ...rest,
    status: run.value.customersFailed ? 'completedWithFailures' : 'completed',
    completedAt: now.toISOString(),
  };
  await deps.afterRun?.(outcome);
  return (
    (await saveIfCurrent(deps, { ...outcome, updatedAt: deps.clock.now().toISOString() }, run.etag))?.value ??
    (await deps.billingRuns.get(runId))?.value ??
    outcome
  );
}

/** Saves the run guarded by `etag`; undefined when another caller changed it first. */
async function saveIfCurrent(
  deps: Pick<RunDeps, 'billingRuns'>,
  run: BillingRun,
  etag: string,
): Promise<Versioned<BillingRun> | undefined> {
  try {
    return await deps.billingRuns.save(run, etag);
  } catch (error) {
    if (error instanceof AppError && error.kind === 'PreconditionFailed') return undefined;
    throw error;
  }
}

/**
 * The daily timer's pass over a run: enqueues again every customer without a `done` result whose cycle has ended
 * (a lost message, a failure to retry), and completes a finished run whose completion was interrupted.
 */
export async function resumeBillingRun(
  deps: Pick<RunDeps, 'billingRuns' | 'clock' | 'afterRun' | 'billingQueue' | 'customers'>,
  runId: string,
): Promise<BillingRun> {
  const run = await deps.billingRuns.get(runId);
  if (!run) throw new AppError('NotFound', 'BILLING_RUN.NOT_FOUND', `No billing run ${runId}.`);
  if (!run.value.queuedAt) return enqueueRun(deps, run);
  const today = utcDate(deps.clock.now()).toString();
  const results = await deps.billingRuns.results(runId);
  const left = results.filter((r) => r.status !== 'done' && (r.status !== 'notDue' || (r.cycle ?? '') <= today));
  await deps.billingQueue?.enqueue(left.map((r) => ({ runId, period: run.value.period, customerId: r.customerId })));
  // A customer still queued or not due: the run is not finished, and its last consumer will complete it.
  if (results.some(unbilled)) return run.value;
  return completeBillingRun(deps, runId);
}

const unbilled = (r: CustomerRunResult) => r.status === 'queued' || r.status === 'notDue';

/**
 * Works through what is left of a run in this process: every customer of the run without a `done` result whose
 * cycle has ended, in parallel up to `concurrency`, each exactly as a queue consumer would bill it. Returns the
 * run as it stands after (completed when this finished it).
 */
export async function continueBillingRun(
  deps: RunDeps,
  runId: string,
  options: { concurrency?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<BillingRun> {
  let found = await deps.billingRuns.get(runId);
  if (!found) throw new AppError('NotFound', 'BILLING_RUN.NOT_FOUND', `No billing run ${runId}.`);
  if (!found.value.queuedAt) {
    await enqueueRun({ ...deps, billingQueue: undefined }, found);
    found = (await deps.billingRuns.get(runId)) ?? found;
  }
  const run = found.value;
  const today = utcDate(deps.clock.now()).toString();
  const results = await deps.billingRuns.results(runId);
  const queue = results.filter((r) => r.status !== 'done' && (r.cycle ?? '') <= today);
  // Nothing due yet and customers still to bill (the simulator's clock asks daily): nothing to do or complete.
  if (!queue.length && results.some(unbilled)) return run;
  let done = results.length - queue.length;
  options.onProgress?.(done, results.length);
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      await billRunCustomer(deps, { runId, period: run.period, customerId: next.customerId }, { finalAttempt: true });
      options.onProgress?.(++done, results.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 8) }, worker));
  return completeBillingRun(deps, runId);
}

async function billOne(
  deps: RunDeps,
  customer: Customer,
  period: string,
  recordUnexpected: boolean,
): Promise<CustomerRunResult> {
  const at = deps.clock.now().toISOString();
  const today = utcDate(deps.clock.now()).toString();
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
    if (!(error instanceof AppError) && !recordUnexpected) throw error;
    const reason = error instanceof AppError ? `${error.code}: ${error.message}` : `Unexpected error (${randomUUID()})`;
    if (!(error instanceof AppError))
      console.error(
        JSON.stringify({ message: 'billing failed', customerId: customer.id, cycle, error: String(error) }),
      );
    return { customerId: customer.id, status: 'failed', cycle, reason, at };
  }
}
