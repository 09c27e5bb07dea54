import { PassThrough } from 'node:stream';
import { cycleContaining } from '../../domain/billing-cycles.ts';
import { date, utcDate } from '../../domain/calendar.ts';
import type { Customer } from '../../domain/customer.ts';
import { dec, money, type Dec } from '../../domain/money.ts';
import {
  monthRange,
  reconcileCustomer,
  type CustomerReconciliation,
  type MicrosoftBilledLine,
} from '../../domain/reconciliation.ts';
import { AppError } from '../errors.ts';
import { partnerProfile } from '../partner-profile/partner-profile.ts';
import { partnerMail } from '../../domain/partner-mail.ts';
import type { SourceLine } from '../ports/reconciliation.port.ts';
import type { ReconciliationDeps } from './deps.ts';

/**
 * F-RECON: Microsoft's billed line items for a month against what each customer was billed. `importMicrosoftLines`
 * pulls Microsoft's side into storage (per customer tenant and month, idempotently); `reconcileMonth` then goes
 * customer by customer (one customer's lines in memory at a time, so memory stays flat whatever the partner's
 * size), stores each result, writes the month's workbook beside the month's reports and, when margin leaked,
 * mails the partner.
 */
const PAGE = 100;
const FLUSH_AT = 100;

export const reconciliationReportName = (month: string) => `${month}/reconciliation/reconciliation-${month}.xlsx`;

export function checkMonth(deps: Pick<ReconciliationDeps, 'clock'>, month: string): void {
  const current = utcDate(deps.clock.now()).toString().slice(0, 7);
  if (month > current) {
    throw new AppError(
      'Unprocessable',
      'RECONCILIATION.MONTH_IN_FUTURE',
      `${month} has not started yet; Microsoft bills a month after it begins.`,
      { errors: [{ path: 'month', message: `at most ${current}` }] },
    );
  }
}

/** Pulls Microsoft's lines of the month and stores them per customer tenant; returns how many were stored. */
export async function importMicrosoftLines(
  deps: ReconciliationDeps,
  month: string,
  by: string,
  options: { invoiceId?: string } = {},
): Promise<{ month: string; lines: number; importedAt: string }> {
  checkMonth(deps, month);
  const buffers = new Map<string, MicrosoftBilledLine[]>();
  let count = 0;
  let source = 'unknown';
  const flush = async (tenant: string) => {
    const lines = buffers.get(tenant);
    if (!lines?.length) return;
    await deps.reconciliation.saveMicrosoftLines(month, tenant, lines);
    buffers.set(tenant, []);
  };
  for await (const line of deps.microsoftBilled.pull(month, options)) {
    const stored: MicrosoftBilledLine = { ...(line as SourceLine), month };
    source = stored.source;
    const tenant = stored.customerTenantId.toLowerCase();
    const lines = buffers.get(tenant) ?? [];
    lines.push(stored);
    buffers.set(tenant, lines);
    count += 1;
    if (lines.length >= FLUSH_AT) await flush(tenant);
  }
  for (const tenant of buffers.keys()) await flush(tenant);
  const importedAt = deps.clock.now().toISOString();
  await deps.reconciliation.recordImport(month, { importedAt, importedBy: by, lines: count, source });
  return { month, lines: count, importedAt };
}

export interface MonthReconciliation {
  month: string;
  customers: number;
  /** Per currency: Microsoft's cost, billed, margin and leakage. */
  totals: { currency: string; microsoftCost: string; billed: string; margin: string; leakage: string }[];
  mismatches: number;
  report: string;
  importedAt: string;
}

/** Reconciles every customer with a Microsoft tenant for the month (Microsoft's lines must have been imported). */
export async function reconcileMonth(deps: ReconciliationDeps, month: string): Promise<MonthReconciliation> {
  checkMonth(deps, month);
  const imported = await deps.reconciliation.importOf(month);
  if (!imported) {
    throw new AppError(
      'Conflict',
      'RECONCILIATION.NOT_IMPORTED',
      `Microsoft's billed line items for ${month} have not been imported; import them first (POST /api/reconciliation/${month}/imports).`,
    );
  }
  const totals = new Map<string, { cost: Dec; billed: Dec; leakage: Dec }>();
  let customers = 0;
  let mismatches = 0;
  let token: string | undefined;
  do {
    const page = await deps.customers.list(PAGE, token);
    for (const customer of page.items) {
      if (!customer.tenantId) continue;
      const result = await reconcileOne(deps, customer, month);
      await deps.reconciliation.saveResult(result);
      customers += 1;
      mismatches += result.mismatchCount;
      const t = totals.get(result.currency) ?? { cost: dec(0), billed: dec(0), leakage: dec(0) };
      totals.set(result.currency, {
        cost: t.cost.plus(dec(result.microsoftCost)),
        billed: t.billed.plus(dec(result.billed)),
        leakage: t.leakage.plus(dec(result.leakage)),
      });
    }
    token = page.continuationToken;
  } while (token);

  const report = reconciliationReportName(month);
  const profile = (await partnerProfile({ settings: deps.settings, config: deps.config })).value;
  const stream = new PassThrough();
  const writing = deps.reconciliationReport.write(
    { month, partnerName: profile.legalName, customers: deps.reconciliation.results(month) },
    stream,
  );
  writing.catch((error: unknown) => stream.destroy(error as Error));
  await Promise.all([
    deps.reports.replace(report, stream, {
      contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      metadata: { month, report: 'reconciliation' },
    }),
    writing,
  ]);

  const summary = [...totals.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, t]) => ({
      currency,
      microsoftCost: money(t.cost, currency).amount,
      billed: money(t.billed, currency).amount,
      margin: money(t.billed.minus(t.cost), currency).amount,
      leakage: money(t.leakage, currency).amount,
    }));
  const leaking = summary.filter((s) => dec(s.leakage).greaterThan(0));
  if (leaking.length) {
    const { text, html } = partnerMail(profile, {
      heading: `Billing leakage in ${month}`,
      paragraphs: [
        `Reconciling Microsoft's billed line items for ${month} against your customers' bills found charges that were not passed on.`,
        `${mismatches} mismatch(es) in all; every one is named in the workbook ${report} and at GET /api/reconciliation/${month}.`,
      ],
      facts: leaking.map((s): [string, string] => [
        `${s.currency} margin lost`,
        `${s.leakage} (Microsoft ${s.microsoftCost}, billed ${s.billed})`,
      ]),
    });
    await deps.notifier.send({
      id: `reconciliation-leakage-${month}-${leaking.map((s) => `${s.currency}${s.leakage}`).join('-')}`,
      to: deps.config.PARTNER_NOTIFY_EMAIL,
      kind: 'reconciliation-leakage',
      subject: `Billing leakage in ${month}: ${leaking.map((s) => `${s.leakage} ${s.currency}`).join(', ')}`,
      text,
      html,
    });
  }
  return { month, customers, totals: summary, mismatches, report, importedAt: imported.importedAt };
}

/** One customer's month: its Microsoft lines (one query), its billing lines (one query) and invoices (one query). */
export async function reconcileOne(
  deps: ReconciliationDeps,
  customer: Customer,
  month: string,
): Promise<CustomerReconciliation> {
  const { from, to } = monthRange(month);
  const firstCycle = cycleContaining(customer.billingDay, date(from));
  const lastDay = date(to).subtract({ days: 1 });
  const lastCycle = cycleContaining(customer.billingDay, lastDay);
  // Lines that became known late are billed as corrections up to two cycles later, keeping their charge dates.
  const lookAhead = cycleContaining(customer.billingDay, lastCycle.end.add({ months: 2 }));
  const [microsoft, lines, invoices, services] = await Promise.all([
    deps.reconciliation.microsoftLines(month, customer.tenantId ?? ''),
    deps.billing.lines(customer.id, firstCycle.end.toString(), lookAhead.end.toString()),
    deps.billing.invoices(customer.id),
    deps.customerData.services(customer.id),
  ]);
  const billed = lines.filter((l) => l.chargeDate >= from && l.chargeDate < to);
  const closed = new Set(invoices.map((i) => i.value.cycle));
  const unbilled = [firstCycle, lastCycle].filter(
    (c, i, all) => !closed.has(c.end.toString()) && all.findIndex((o) => o.end.equals(c.end)) === i,
  );
  const unbilledCycles = unbilled.map((c) => c.end.toString());
  const productNames = new Map(services.subscriptions.map((s) => [s.value.id, s.value.productName] as const));
  return reconcileCustomer({
    month,
    customerId: customer.id,
    customerName: customer.name,
    currency: customer.currency,
    microsoft,
    billed,
    productNames,
    unbilledCycles,
    pending: unbilled.map((c) => ({ from: c.start.toString(), to: c.end.toString() })),
  });
}

/** A short-lived read-only link to the month's workbook (REPORT_SAS_MINUTES). */
export async function reconciliationReportLink(
  deps: Pick<ReconciliationDeps, 'linkClock' | 'config' | 'reports'>,
  month: string,
): Promise<{ url: string; expiresOn: string }> {
  const now = deps.linkClock.now().getTime();
  return deps.reports.readLink(reconciliationReportName(month), {
    startsOn: new Date(now - 5 * 60_000),
    expiresOn: new Date(now + deps.config.REPORT_SAS_MINUTES * 60_000),
    fileName: `reconciliation-${month}.xlsx`,
  });
}
