import { PassThrough, type Writable } from 'node:stream';
import {
  billingReportBlobName,
  buildBillingReport,
  manifestBlobName,
  reportContentTypes,
  type BillingReport,
  type ReportFormat,
} from '../../domain/billing-report.ts';
import type { Customer } from '../../domain/customer.ts';
import type { SubscriptionHistory } from '../../domain/billing-lines.ts';
import type { BillingLine, Invoice } from '../../domain/billing.ts';
import type { ReportsDeps } from './deps.ts';
import { AppError } from '../errors.ts';
import { commitWithOutbox } from '../future/outbox.ts';
import type { BillingRun } from '../ports/billing.port.ts';
import type { ReportStore, WriteResult } from '../ports/report-store.port.ts';
import { histories, type CycleBill } from '../billing/bill-customer-cycle.ts';
import type { SheetLogo } from '../ports/report-renderers.port.ts';
import type { BillingRunStore, CustomerRunResult } from '../ports/billing.port.ts';
import { partnerProfile } from '../partner-profile/partner-profile.ts';
import type { PartnerProfile } from '../../domain/partner-profile.ts';
import { partnerMail } from '../../domain/partner-mail.ts';
import type { SubscriptionFacts } from '../../domain/billing-report.ts';

/**
 * F-REPORTS: what a billing run writes. After each customer's cycle is billed, its report in three formats and its
 * invoice as a PDF (`{period}/{customerId}/{cycle}.xlsx|csv|xml|pdf`); when the run finishes, the period's manifest
 * (`{period}/manifest.json`: every file with its size and SHA-256) and a mail to the partner, sent through the
 * outbox so that a crash between the two loses nothing. One writer serves the daily timer, the HTTP route and
 * the command line.
 */
export type ReportDeps = Pick<
  ReportsDeps,
  | 'config'
  | 'billing'
  | 'logos'
  | 'reports'
  | 'settings'
  | 'customerData'
  | 'billingRuns'
  | 'invoiceDocuments'
  | 'reportRenderers'
> &
  Parameters<typeof commitWithOutbox>[0];

/** What one customer's reports are made of. */
export type CustomerReportDeps = Pick<
  ReportsDeps,
  'config' | 'billing' | 'reports' | 'settings' | 'customerData' | 'invoiceDocuments' | 'reportRenderers'
>;

export interface WrittenFile extends WriteResult {
  customerId?: string;
}

export interface ReportWriter {
  afterCustomer(customer: Customer, bill: CycleBill): Promise<void>;
  afterRun(run: BillingRun): Promise<void>;
}

/** The outbox partition of the partner's own notices (customers' partitions are their ids). */
export const PARTNER_PARTITION = 'partner';

export function reportWriter(
  services: ReportDeps,
  options: { onFile?: (file: WrittenFile) => void } = {},
): ReportWriter {
  let logo: Promise<SheetLogo | undefined> | undefined;
  let partner: Promise<PartnerProfile> | undefined;
  const partnerLogo = () => (logo ??= reportLogo(services));
  const profile = () => (partner ??= partnerProfile(services).then((p) => p.value));
  return {
    async afterCustomer(customer, bill) {
      const files = await writeCustomerReports(
        services,
        customer,
        bill.invoice,
        await partnerLogo(),
        await profile(),
        bill.lines,
        bill.histories,
      );
      for (const file of files) options.onFile?.({ ...file, customerId: customer.id });
    },
    async afterRun(run) {
      const manifest = await writeManifest(services.reports, run, services.billingRuns);
      options.onFile?.(manifest);
      await notifyRunFinished(services, run, manifest, await profile(), await partnerLogo());
    },
  };
}

/** The partner's logo as a spreadsheet can show it (PNG or JPEG; an SVG logo is left out of spreadsheets). */
export async function reportLogo(deps: Pick<ReportsDeps, 'logos'>): Promise<SheetLogo | undefined> {
  const stored = await deps.logos.get();
  if (!stored) return undefined;
  const extension =
    stored.contentType === 'image/png' ? 'png' : stored.contentType === 'image/jpeg' ? 'jpeg' : undefined;
  if (!extension) return undefined;
  const { imageSize } = await import('image-size');
  const size = imageSize(stored.bytes);
  if (!size.width || !size.height) return undefined;
  return { bytes: stored.bytes, extension, width: size.width, height: size.height };
}

export async function billingReportOf(
  deps: Pick<ReportsDeps, 'config' | 'billing' | 'settings' | 'customerData'>,
  customer: Customer,
  invoice: Invoice,
  partner?: PartnerProfile,
  known?: BillingLine[],
  knownHistories?: SubscriptionHistory[],
): Promise<BillingReport> {
  const [lines, subscriptions, profile] = await Promise.all([
    known ?? deps.billing.lines(customer.id, invoice.cycle, invoice.cycle),
    subscriptionFacts(deps, customer.id, invoice.cycle, knownHistories),
    partner ?? partnerProfile(deps).then((p) => p.value),
  ]);
  return buildBillingReport({
    partnerName: profile.legalName,
    partner: profile,
    customer: {
      id: customer.id,
      name: customer.name,
      ...(customer.tenantId ? { tenantId: customer.tenantId } : {}),
      ...(customer.resellerId ? { resellerId: customer.resellerId } : {}),
      ...(customer.company.address ? { address: customer.company.address } : {}),
      country: customer.country,
    },
    subscriptions,
    invoice,
    lines,
  });
}

/**
 * Each subscription's product, seats and term at the end of the cycle, replayed from the change log (append-only,
 * so a report written again says the same), not from the mirror.
 */
async function subscriptionFacts(
  deps: Pick<ReportsDeps, 'customerData'>,
  customerId: string,
  cycleEnd: string,
  known?: SubscriptionHistory[],
): Promise<Map<string, SubscriptionFacts>> {
  const end = `${cycleEnd}T00:00:00.000Z`;
  const facts = new Map<string, SubscriptionFacts>();
  for (const history of known ?? (await histories(deps, customerId))) {
    const event = history.events.filter((e) => e.at < end).at(-1) ?? history.events[0];
    if (event) facts.set(history.subscriptionId, { productName: history.productName, state: event.state });
  }
  return facts;
}

/**
 * Writes the cycle's report in every format, each once (a re-run finds the same bytes and writes nothing). A cycle
 * with no lines gets no files: the run's manifest lists it under `noLines`.
 */
export async function writeCustomerReports(
  deps: CustomerReportDeps,
  customer: Customer,
  invoice: Invoice,
  logo?: SheetLogo,
  partner?: PartnerProfile,
  lines?: BillingLine[],
  knownHistories?: SubscriptionHistory[],
): Promise<WriteResult[]> {
  const report = await billingReportOf(deps, customer, invoice, partner, lines, knownHistories);
  if (report.lineCount === 0) return [];
  const metadata = { customerId: customer.id, cycle: invoice.cycle, invoiceId: invoice.id };
  const write = (format: ReportFormat, content: Uint8Array | AsyncIterable<Uint8Array>) =>
    deps.reports.writeOnce(billingReportBlobName(customer.id, invoice.cycle, format), content, {
      contentType: reportContentTypes[format],
      metadata: { ...metadata, format },
    });

  const render = deps.reportRenderers.billing;
  const csv = await write('csv', await render.csv(report));
  const xml = await write('xml', await render.xml(report));
  const withLogo = logo ? { logo } : {};
  const xlsx = await streamed(
    (out) => render.xlsx(report, out, withLogo),
    (content) => write('xlsx', content),
  );
  const pdf = await streamed(
    (out) => deps.invoiceDocuments.pdf(report, out, withLogo),
    (content) => write('pdf', content),
  );
  return [xlsx, csv, xml, pdf];
}

/** Streams a document into the store as its writer lays it out (the spreadsheet, the PDF). */
async function streamed(
  render: (out: Writable) => Promise<void>,
  write: (content: AsyncIterable<Uint8Array>) => Promise<WriteResult>,
): Promise<WriteResult> {
  const stream = new PassThrough();
  const writing = render(stream).catch((error: unknown) => {
    stream.destroy(error instanceof Error ? error : new Error(String(error)));
    throw error;
  });
  const [result] = await Promise.all([write(stream), writing]);
  return result;
}

export interface Manifest {
  period: string;
  status: BillingRun['status'];
  customers: { total: number; done: number; failed: number; notDue: number };
  files: { name: string; size: number; sha256: string; contentType: string }[];
  /** Customer cycles billed with no lines: nothing to report, so no files. */
  noLines?: { customerId: string; cycle: string }[];
}

/**
 * Lists every file of the period (not the manifest itself) and writes the manifest, replacing an older one; when
 * another process writes it meanwhile, lists again.
 */
export async function writeManifest(
  store: ReportStore,
  run: BillingRun,
  runs?: Pick<BillingRunStore, 'results'>,
): Promise<WriteResult> {
  const results = runs ? await runs.results(run.id) : [];
  for (let attempt = 1; ; attempt++) {
    try {
      return await writeManifestOnce(store, run, results);
    } catch (error) {
      if (!(error instanceof AppError && error.kind === 'PreconditionFailed') || attempt >= 3) throw error;
    }
  }
}

async function writeManifestOnce(
  store: ReportStore,
  run: BillingRun,
  results: CustomerRunResult[],
): Promise<WriteResult> {
  const name = manifestBlobName(run.period);
  const files: Manifest['files'] = [];
  for await (const file of store.list(`${run.period}/`)) {
    if (file.name === name) continue;
    files.push({ name: file.name, size: file.size, sha256: file.sha256, contentType: file.contentType });
  }
  files.sort((a, b) => a.name.localeCompare(b.name));
  const manifest: Manifest = {
    period: run.period,
    status: run.status,
    customers: {
      total: run.customersTotal,
      done: run.customersDone,
      failed: run.customersFailed,
      notDue: run.customersNotDue,
    },
    files,
  };
  const noLines = results
    .filter((r) => r.status === 'done' && r.lines === 0 && r.cycle)
    .map((r) => ({ customerId: r.customerId, cycle: r.cycle ?? '' }))
    .sort((a, b) => a.customerId.localeCompare(b.customerId));
  if (noLines.length) manifest.noLines = noLines;
  return store.replace(name, new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`), {
    contentType: reportContentTypes.json,
    metadata: { period: run.period },
  });
}

/**
 * A mail to the partner through the outbox (its id follows the outcome, so the same outcome is told once), in the
 * partner's name like its reports: logo (served by the public `GET /api/branding/logo` beside the portal), legal
 * name, accent colour and support contact.
 */
async function notifyRunFinished(
  deps: ReportDeps,
  run: BillingRun,
  manifest: WriteResult,
  profile: PartnerProfile,
  logo: SheetLogo | undefined,
): Promise<void> {
  const id = `billing-run-${run.period}-${run.customersDone}-${run.customersFailed}`;
  const completed = run.status === 'completed';
  const scale = logo ? Math.min(200 / logo.width, 50 / logo.height, 1) : 1;
  const { text, html } = partnerMail(profile, {
    heading: `Billing run ${run.period} ${completed ? 'completed' : 'completed with failures'}`,
    paragraphs: [
      `The billing run for ${run.period} finished: ${run.customersDone} customer(s) billed, ${run.customersNotDue} not due yet.` +
        (run.customersFailed
          ? ` ${run.customersFailed} customer(s) failed; see GET /api/billing/runs/${run.period}.`
          : ''),
      `Reports are in the reports container under ${run.period}/; the manifest ${manifest.name} lists them (sha256 ${manifest.sha256}).`,
    ],
    facts: [
      ['Period', run.period],
      ['Customers billed', String(run.customersDone)],
      ['Not due yet', String(run.customersNotDue)],
      ['Failed', String(run.customersFailed)],
      ['Manifest', manifest.name],
    ],
    ...(logo
      ? {
          logo: {
            url: `${deps.config.PORTAL_BASE_URL.replace(/\/+$/, '')}/api/branding/logo`,
            width: Math.round(logo.width * scale),
            height: Math.round(logo.height * scale),
          },
        }
      : {}),
  });
  try {
    await commitWithOutbox(deps, PARTNER_PARTITION, {
      outbox: [
        {
          id,
          type: 'mail',
          mail: {
            id,
            to: deps.config.PARTNER_NOTIFY_EMAIL,
            kind: 'billing-run-finished',
            subject: `${profile.legalName}: billing run ${run.period} ${completed ? 'completed' : 'completed with failures'}`,
            text,
            html,
          },
        },
      ],
    });
  } catch (error) {
    // The same outcome was queued already: told once.
    if (!(error instanceof AppError && error.code === 'REQUEST.ALREADY_EXISTS')) throw error;
  }
}

/**
 * The invoice as a customer downloads it from the invoice route: the same spreadsheet or PDF the run writes to
 * the reports container, made from the stored lines (so also for an invoice whose files were never written).
 */
export async function invoiceDocument(
  deps: CustomerReportDeps & Pick<ReportsDeps, 'logos'>,
  customer: Customer,
  invoice: Invoice,
  format: 'xlsx' | 'pdf',
): Promise<Uint8Array> {
  const [report, logo] = await Promise.all([billingReportOf(deps, customer, invoice), reportLogo(deps)]);
  const withLogo = logo ? { logo } : {};
  const chunks: Uint8Array[] = [];
  await streamed(
    (out) =>
      format === 'pdf'
        ? deps.invoiceDocuments.pdf(report, out, withLogo)
        : deps.reportRenderers.billing.xlsx(report, out, withLogo),
    async (content) => {
      for await (const chunk of content) chunks.push(chunk);
      return { name: '', size: 0, sha256: '', status: 'created' };
    },
  );
  return Buffer.concat(chunks);
}
