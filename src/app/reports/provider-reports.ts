import { PassThrough } from 'node:stream';
import { reportContentTypes } from '../../domain/billing-report.ts';
import { monthsUpTo, type ManualLicenseCount, type StoredLicenseCounts } from '../../domain/license-counts.ts';
import type { ReportsDeps } from './deps.ts';
import { AppError, preconditionFailed } from '../errors.ts';
import type { Versioned } from '../ports/customer.repository.port.ts';
import type { ReadLink, WriteResult } from '../ports/report-store.port.ts';
import { byReseller, customerMonths, productMonths, type CustomerMonth, type ProductMonth } from './license-usage.ts';
import { reportLogo, writeManifest } from './report-writer.ts';
import { partnerProfile } from '../partner-profile/partner-profile.ts';

/**
 * F-REPORTS, service provider reports of one month, written to `{period}/provider/…` in the reports container:
 * the subscription usage spreadsheet (12 months up to the period), the license report and the customer and
 * reseller allocation and usage report (XML). Regenerating them after manual counts change replaces them (the
 * response says so); the same figures give the same bytes and write nothing.
 */
export type ProviderDeps = Pick<
  ReportsDeps,
  | 'config'
  | 'clock'
  | 'customers'
  | 'customerData'
  | 'resellers'
  | 'licenseCounts'
  | 'reports'
  | 'logos'
  | 'billingRuns'
  | 'settings'
  | 'reportRenderers'
  | 'seatSnapshots'
>;

export const providerReports = {
  subscriptionUsage: { file: 'subscription-usage.xlsx', contentType: reportContentTypes.xlsx },
  licenseReport: { file: 'license-report.xml', contentType: reportContentTypes.xml },
  allocationReport: { file: 'allocation-report.xml', contentType: reportContentTypes.xml },
} as const;
export type ProviderReportKind = keyof typeof providerReports;

export const providerBlobName = (period: string, kind: ProviderReportKind) =>
  `${period}/provider/${providerReports[kind].file}`;

/** Months of the usage spreadsheet. */
const USAGE_MONTHS = 12;

async function manualCounts(
  deps: Pick<ProviderDeps, 'licenseCounts'>,
  months: string[],
): Promise<Map<string, ManualLicenseCount[]>> {
  const stored = await Promise.all(
    months.map(async (month) => [month, (await deps.licenseCounts.get(month))?.value.counts ?? []] as const),
  );
  return new Map(stored);
}

/** Writes the three reports; when the period's billing run has finished, its manifest is written again to list them. */
export async function generateProviderReports(
  deps: ProviderDeps,
  period: string,
): Promise<(WriteResult & { kind: ProviderReportKind | 'manifest' })[]> {
  const months = monthsUpTo(period, USAGE_MONTHS);
  const [rows, manual, resellers, logo, profile] = await Promise.all([
    customerMonths(deps, months),
    manualCounts(deps, months),
    deps.resellers.list(),
    reportLogo(deps),
    partnerProfile(deps),
  ]);
  const products = productMonths(rows, manual, months);
  const ofPeriod = rows.filter((r) => r.month === period);
  const partnerName = profile.value.legalName;
  const render = deps.reportRenderers.provider;

  const write = (kind: ProviderReportKind, content: Uint8Array | AsyncIterable<Uint8Array>) =>
    deps.reports
      .replace(providerBlobName(period, kind), content, {
        contentType: providerReports[kind].contentType,
        metadata: { period, report: kind },
      })
      .then((r) => ({ ...r, kind }));

  const stream = new PassThrough();
  const writing = render
    .subscriptionUsageXlsx({ period, partnerName, months, products, ...(logo ? { logo } : {}) }, stream)
    .catch((error: unknown) => {
      stream.destroy(error instanceof Error ? error : new Error(String(error)));
      throw error;
    });
  const [usage] = await Promise.all([write('subscriptionUsage', stream), writing]);
  const license = await write(
    'licenseReport',
    await render.licenseReportXml({ period, partnerName, products: products.filter((p) => p.month === period) }),
  );
  const allocation = await write(
    'allocationReport',
    await render.allocationReportXml({
      period,
      partnerName,
      groups: byReseller(
        ofPeriod,
        resellers.map((r) => r.value),
      ),
    }),
  );
  const run = (await deps.billingRuns.get(period))?.value;
  const manifest =
    run && (run.status === 'completed' || run.status === 'completedWithFailures')
      ? [{ ...(await writeManifest(deps.reports, run, deps.billingRuns)), kind: 'manifest' as const }]
      : [];
  return [usage, license, allocation, ...manifest];
}

export interface ListedReport {
  kind: ProviderReportKind;
  name: string;
  size: number;
  sha256: string;
  contentType: string;
  download: ReadLink;
}

/** The period's provider reports that exist, each with a short-lived read-only link. */
export async function listProviderReports(
  deps: Pick<ReportsDeps, 'config' | 'clock' | 'linkClock' | 'reports'>,
  period: string,
): Promise<ListedReport[]> {
  const out: ListedReport[] = [];
  for (const kind of Object.keys(providerReports) as ProviderReportKind[]) {
    const name = providerBlobName(period, kind);
    const found = await deps.reports.stat(name);
    if (!found) continue;
    out.push({
      kind,
      name,
      size: found.size,
      sha256: found.sha256,
      contentType: found.contentType,
      download: await readLinkFor(deps, name, `${period}-${providerReports[kind].file}`),
    });
  }
  return out;
}

/** A link valid from a few minutes ago (clock skew) for REPORT_SAS_MINUTES. */
export function readLinkFor(
  deps: Pick<ReportsDeps, 'config' | 'linkClock' | 'reports'>,
  name: string,
  fileName: string,
): Promise<ReadLink> {
  const now = deps.linkClock.now().getTime();
  return deps.reports.readLink(name, {
    startsOn: new Date(now - 5 * 60_000),
    expiresOn: new Date(now + deps.config.REPORT_SAS_MINUTES * 60_000),
    fileName,
  });
}

/** Bundles (products) allocated and used per customer in a month, grouped by customer. */
export async function bundlesView(
  deps: Pick<ReportsDeps, 'customers' | 'customerData' | 'seatSnapshots'>,
  period: string,
) {
  const rows = await customerMonths(deps, [period]);
  return rows.map((row: CustomerMonth) => ({
    customerId: row.customer.id,
    customerName: row.customer.name,
    ...(row.customer.resellerId ? { resellerId: row.customer.resellerId } : {}),
    bundles: row.products.map((p) => ({
      productId: p.productId,
      productName: p.productName,
      subscriptions: p.subscriptions,
      allocated: p.allocated,
      used: p.used ?? 0,
    })),
    allocated: row.products.reduce((n, p) => n + p.allocated, 0),
    used: row.products.reduce((n, p) => n + (p.used ?? 0), 0),
  }));
}

/** The month's license information: computed fields (read-only) beside the manual ones, and the manual record's ETag. */
export async function licenseCountsView(
  deps: Pick<ReportsDeps, 'customers' | 'customerData' | 'licenseCounts' | 'seatSnapshots'>,
  period: string,
): Promise<{ items: ProductMonth[]; etag?: string; updatedAt?: string; updatedBy?: string }> {
  const [rows, stored] = await Promise.all([customerMonths(deps, [period]), deps.licenseCounts.get(period)]);
  const items = productMonths(rows, new Map([[period, stored?.value.counts ?? []]]), [period]);
  return {
    items,
    ...(stored ? { etag: stored.etag, updatedAt: stored.value.updatedAt, updatedBy: stored.value.updatedBy } : {}),
  };
}

/** Replaces the month's manual counts; once saved, a change needs the ETag of what was read (If-Match). */
export async function saveLicenseCounts(
  deps: Pick<ReportsDeps, 'clock' | 'licenseCounts'>,
  period: string,
  counts: ManualLicenseCount[],
  ifMatch: string | null,
  actor: string,
): Promise<Versioned<StoredLicenseCounts>> {
  const current = await deps.licenseCounts.get(period);
  if (current && !ifMatch)
    throw new AppError(
      'PreconditionRequired',
      'REQUEST.IF_MATCH_REQUIRED',
      'These counts were saved before: send If-Match with the ETag of your last read.',
    );
  if (ifMatch && (!current || current.etag !== ifMatch)) throw preconditionFailed();
  const value: StoredLicenseCounts = { period, counts, updatedAt: deps.clock.now().toISOString(), updatedBy: actor };
  return deps.licenseCounts.save(value, current?.etag);
}
