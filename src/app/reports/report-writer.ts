import { PassThrough } from 'node:stream';
import {
  billingReportBlobName,
  buildBillingReport,
  manifestBlobName,
  reportContentTypes,
  type BillingReport,
  type ReportFormat,
} from '../../domain/billing-report.ts';
import type { Customer } from '../../domain/customer.ts';
import type { Invoice } from '../../domain/billing.ts';
import { AppError } from '../errors.ts';
import { commitWithOutbox } from '../future/outbox.ts';
import type { BillingRun } from '../ports/billing.port.ts';
import type { ReportStore, WriteResult } from '../ports/report-store.port.ts';
import type { CycleBill } from '../billing/deps.ts';
import type { ReportRenderers, SheetLogo } from '../ports/report-renderers.port.ts';
import type { ReportsDeps } from './deps.ts';

/**
 * F-REPORTS: what a billing run writes. After each customer's cycle is billed, its report in three formats
 * (`{period}/{customerId}/{cycle}.xlsx|csv|xml`); when the run finishes, the period's manifest
 * (`{period}/manifest.json`: every file with its size and SHA-256) and a mail to the partner, sent through the
 * outbox so that a crash between the two loses nothing. One writer serves the daily timer, the HTTP route and
 * the command line.
 */
export type ReportDeps = Pick<ReportsDeps, 'config' | 'billing' | 'logos' | 'reports' | 'reportRenderers'> &
  Parameters<typeof commitWithOutbox>[0];

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
  const partnerLogo = () => (logo ??= reportLogo(services));
  return {
    async afterCustomer(customer, bill) {
      const files = await writeCustomerReports(services, customer, bill.invoice, await partnerLogo());
      for (const file of files) options.onFile?.({ ...file, customerId: customer.id });
    },
    async afterRun(run) {
      const manifest = await writeManifest(services.reports, run);
      options.onFile?.(manifest);
      await notifyRunFinished(services, run, manifest);
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
  deps: Pick<ReportsDeps, 'config' | 'billing'>,
  customer: Customer,
  invoice: Invoice,
): Promise<BillingReport> {
  const lines = await deps.billing.lines(customer.id, invoice.cycle, invoice.cycle);
  return buildBillingReport({
    partnerName: deps.config.PARTNER_NAME,
    customer: {
      id: customer.id,
      name: customer.name,
      ...(customer.tenantId ? { tenantId: customer.tenantId } : {}),
      ...(customer.resellerId ? { resellerId: customer.resellerId } : {}),
    },
    invoice,
    lines,
  });
}

/** Writes the cycle's report in every format, each once (a re-run finds the same bytes and writes nothing). */
export async function writeCustomerReports(
  deps: Pick<ReportsDeps, 'config' | 'billing' | 'reports' | 'reportRenderers'>,
  customer: Customer,
  invoice: Invoice,
  logo?: SheetLogo,
): Promise<WriteResult[]> {
  const report = await billingReportOf(deps, customer, invoice);
  const metadata = { customerId: customer.id, cycle: invoice.cycle, invoiceId: invoice.id };
  const write = (format: ReportFormat, content: Uint8Array | AsyncIterable<Uint8Array>) =>
    deps.reports.writeOnce(billingReportBlobName(customer.id, invoice.cycle, format), content, {
      contentType: reportContentTypes[format],
      metadata: { ...metadata, format },
    });

  const render = deps.reportRenderers.billing;
  const csv = await write('csv', await render.csv(report));
  const xml = await write('xml', await render.xml(report));
  const xlsx = await writeXlsx(render, report, (content) => write('xlsx', content), logo);
  return [xlsx, csv, xml];
}

/** Streams the spreadsheet into the store as exceljs writes it. */
async function writeXlsx(
  render: ReportRenderers['billing'],
  report: BillingReport,
  write: (content: AsyncIterable<Uint8Array>) => Promise<WriteResult>,
  logo?: SheetLogo,
): Promise<WriteResult> {
  const stream = new PassThrough();
  const writing = render.xlsx(report, stream, logo ? { logo } : {}).catch((error: unknown) => {
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
}

/**
 * Lists every file of the period (not the manifest itself) and writes the manifest, replacing an older one; when
 * another process writes it meanwhile, lists again.
 */
export async function writeManifest(store: ReportStore, run: BillingRun): Promise<WriteResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await writeManifestOnce(store, run);
    } catch (error) {
      if (!(error instanceof AppError && error.kind === 'PreconditionFailed') || attempt >= 3) throw error;
    }
  }
}

async function writeManifestOnce(store: ReportStore, run: BillingRun): Promise<WriteResult> {
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
  return store.replace(name, new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`), {
    contentType: reportContentTypes.json,
    metadata: { period: run.period },
  });
}

/** A mail to the partner through the outbox (its id follows the outcome, so the same outcome is told once). */
async function notifyRunFinished(deps: ReportDeps, run: BillingRun, manifest: WriteResult): Promise<void> {
  const id = `billing-run-${run.period}-${run.customersDone}-${run.customersFailed}`;
  const failed = run.customersFailed
    ? ` ${run.customersFailed} customer(s) failed; see GET /api/billing/runs/${run.period}.`
    : '';
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
            subject: `Billing run ${run.period}: ${run.status === 'completed' ? 'completed' : 'completed with failures'}`,
            text:
              `The billing run for ${run.period} finished: ${run.customersDone} customer(s) billed, ${run.customersNotDue} not due yet.${failed}\n` +
              `Reports are in the reports container under ${run.period}/; the manifest ${manifest.name} lists them (sha256 ${manifest.sha256}).`,
          },
        },
      ],
    });
  } catch (error) {
    // The same outcome was queued already: told once.
    if (!(error instanceof AppError && error.code === 'REQUEST.ALREADY_EXISTS')) throw error;
  }
}
