import {
  billingReportBlobName,
  periodOfCycle,
  reportContentTypes,
  reportFormats,
  type ReportFormat,
} from '../../domain/billing-report.ts';
import { getCustomer } from '../customers.ts';
import { notFound, validation } from '../errors.ts';
import type { ReadLink } from '../ports/report-store.port.ts';
import type { ReportsDeps } from './deps.ts';
import { readLinkFor } from './provider-reports.ts';

/**
 * A customer's billing reports for a range of dates: one per cycle whose end (the report's date) falls in
 * [from, to], newest first, each with the formats written; and a short-lived read-only link to one of them.
 */
export type BillingReportsDeps = Pick<
  ReportsDeps,
  'config' | 'clock' | 'linkClock' | 'customers' | 'billing' | 'reports'
>;

/** At most two years of cycles in one listing. */
const MAX_DAYS = 731;

export interface ListedBillingReport {
  id: string;
  cycle: string;
  cycleStart: string;
  invoiceId: string;
  total: string;
  currency: string;
  formats: { format: ReportFormat; size: number; sha256: string }[];
}

/** The previous calendar month, first to last day ("last month"). */
export function lastMonth(now: Date): { from: string; to: string } {
  const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  const last = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 0));
  return { from: first.toISOString().slice(0, 10), to: last.toISOString().slice(0, 10) };
}

export async function listBillingReports(
  deps: BillingReportsDeps,
  customerId: string,
  range: { from?: string; to?: string },
): Promise<{ from: string; to: string; items: ListedBillingReport[] }> {
  const fallback = lastMonth(deps.clock.now());
  const from = range.from ?? fallback.from;
  const to = range.to ?? fallback.to;
  if (from > to) throw validation('The range is empty.', [{ path: 'query.from', message: 'must not be after to' }]);
  if ((Date.parse(to) - Date.parse(from)) / 86_400_000 > MAX_DAYS)
    throw validation('Ask for at most two years at a time.', [
      { path: 'query.to', message: `at most ${MAX_DAYS} days after from` },
    ]);
  await getCustomer(deps, customerId);
  const invoices = (await deps.billing.invoices(customerId))
    .map((i) => i.value)
    .filter((i) => i.cycle >= from && i.cycle <= to);
  const files = new Map<string, ListedBillingReport['formats']>();
  for (const period of new Set(invoices.map((i) => periodOfCycle(i.cycle)))) {
    for await (const file of deps.reports.list(`${period}/${customerId}/`)) {
      const match = /\/(\d{4}-\d{2}-\d{2})\.(xlsx|csv|xml|pdf)$/.exec(file.name);
      if (!match?.[1] || !match[2]) continue;
      const formats = files.get(match[1]) ?? [];
      formats.push({ format: match[2] as ReportFormat, size: file.size, sha256: file.sha256 });
      files.set(match[1], formats);
    }
  }
  const items = invoices
    .sort((a, b) => b.cycle.localeCompare(a.cycle))
    .map((invoice) => ({
      id: invoice.cycle,
      cycle: invoice.cycle,
      cycleStart: invoice.cycleStart,
      invoiceId: invoice.id,
      total: invoice.total,
      currency: invoice.currency,
      formats: (files.get(invoice.cycle) ?? []).sort(
        (a, b) => reportFormats.indexOf(a.format) - reportFormats.indexOf(b.format),
      ),
    }));
  return { from, to, items };
}

export async function billingReportLink(
  deps: BillingReportsDeps,
  customerId: string,
  reportId: string,
  format: ReportFormat,
): Promise<
  { reportId: string; format: ReportFormat; name: string; size: number; sha256: string; contentType: string } & ReadLink
> {
  // The blob name comes from the route's customer: a customer can only ever be given links to its own files.
  const name = billingReportBlobName(customerId, reportId, format);
  const found = await deps.reports.stat(name);
  if (!found)
    throw notFound('BILLING_REPORT.NOT_FOUND', `No ${format} billing report dated ${reportId} for this customer.`);
  const link = await readLinkFor(deps, name, `billing-report-${reportId}.${format}`);
  return {
    reportId,
    format,
    name,
    size: found.size,
    sha256: found.sha256,
    contentType: found.contentType || reportContentTypes[format],
    ...link,
  };
}
