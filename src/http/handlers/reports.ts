import { z } from 'zod';
import { billingReportLink, listBillingReports } from '../../app/reports/billing-reports.ts';
import {
  bundlesView,
  generateProviderReports,
  licenseCountsView,
  listProviderReports,
  providerReports,
  saveLicenseCounts,
} from '../../app/reports/provider-reports.ts';
import { reportFormats } from '../../domain/billing-report.ts';
import {
  computedLicenseFields,
  editableLicenseFields,
  manualLicenseCountsBodySchema,
  periodSchema,
} from '../../domain/license-counts.ts';
import { defineRoute } from '../route.ts';
import { customerIdParams } from '../schemas.ts';
import { actorOf } from './subscriptions.ts';

const linkSchema = {
  url: z.url().describe('A read-only link to this one file (SAS); it expires at expiresOn.'),
  expiresOn: z.iso.datetime(),
};
const formatSchema = z.enum(reportFormats);

const billingReportSchema = z
  .object({
    id: z.iso.date().describe('The report’s date: the cycle’s end'),
    cycle: z.iso.date(),
    cycleStart: z.iso.date(),
    invoiceId: z.string(),
    total: z.string(),
    currency: z.string(),
    formats: z.array(z.object({ format: formatSchema, size: z.number().int(), sha256: z.string() })),
  })
  .meta({ id: 'BillingReport' });

export const listBillingReportsRoute = defineRoute({
  name: 'listBillingReports',
  method: 'GET',
  path: '/customers/{customerId}/billing-reports',
  access: { customer: 'View' },
  summary: 'Billing reports of the cycles whose report date falls in [from, to] (default: last month), newest first',
  tags: ['reports'],
  params: customerIdParams,
  query: z.strictObject({ from: z.iso.date().optional(), to: z.iso.date().optional() }),
  responses: {
    200: {
      description: 'One report per cycle',
      schema: z
        .object({ from: z.iso.date(), to: z.iso.date(), items: z.array(billingReportSchema) })
        .meta({ id: 'BillingReportList' }),
    },
  },
  async handler({ params, query, services }) {
    return { status: 200, body: await listBillingReports(services, params.customerId, query) };
  },
});

export const downloadBillingReportRoute = defineRoute({
  name: 'downloadBillingReport',
  method: 'GET',
  path: '/customers/{customerId}/billing-reports/{reportId}/download',
  access: { customer: 'View' },
  summary: 'A short-lived, read-only link to one billing report file (xlsx, csv or xml)',
  tags: ['reports'],
  params: customerIdParams.extend({ reportId: z.iso.date() }),
  query: z.strictObject({ format: formatSchema.default('xlsx') }),
  responses: {
    200: {
      description: 'The link',
      schema: z
        .object({
          reportId: z.iso.date(),
          format: formatSchema,
          name: z.string(),
          size: z.number().int(),
          sha256: z.string(),
          contentType: z.string(),
          ...linkSchema,
        })
        .meta({ id: 'BillingReportDownload' }),
    },
  },
  async handler({ params, query, services }) {
    return { status: 200, body: await billingReportLink(services, params.customerId, params.reportId, query.format) };
  },
});

const periodParams = z.strictObject({ period: periodSchema });
const providerKind = z.enum(
  Object.keys(providerReports) as [keyof typeof providerReports, ...(keyof typeof providerReports)[]],
);

export const generateProviderReportsRoute = defineRoute({
  name: 'generateProviderReports',
  method: 'POST',
  path: '/reports/provider/{period}',
  access: 'partnerAdmin',
  summary:
    'Write the month’s service provider reports: subscription usage (.xlsx), license report and allocation and usage (.xml)',
  tags: ['reports'],
  params: periodParams,
  responses: {
    200: {
      description: 'The files, and whether each was created, unchanged or replaced',
      schema: z
        .object({
          period: z.string(),
          files: z.array(
            z.object({
              kind: providerKind,
              name: z.string(),
              size: z.number().int(),
              sha256: z.string(),
              status: z.enum(['created', 'unchanged', 'replaced']),
            }),
          ),
        })
        .meta({ id: 'ProviderReportsWritten' }),
    },
  },
  async handler({ params, services }) {
    const files = (await generateProviderReports(services, params.period)).flatMap((file) =>
      file.kind === 'manifest' ? [] : [{ ...file, kind: file.kind }],
    );
    return {
      status: 200,
      body: {
        period: params.period,
        files: files.map(({ kind, name, size, sha256, status }) => ({ kind, name, size, sha256, status })),
      },
    };
  },
});

export const listProviderReportsRoute = defineRoute({
  name: 'listProviderReports',
  method: 'GET',
  path: '/reports/provider/{period}',
  access: 'partnerAdmin',
  summary: 'The month’s service provider reports, each with a short-lived read-only download link',
  tags: ['reports'],
  params: periodParams,
  responses: {
    200: {
      description: 'Reports written for the month (none until generated)',
      schema: z
        .object({
          period: z.string(),
          items: z.array(
            z.object({
              kind: providerKind,
              name: z.string(),
              size: z.number().int(),
              sha256: z.string(),
              contentType: z.string(),
              download: z.object(linkSchema),
            }),
          ),
        })
        .meta({ id: 'ProviderReportList' }),
    },
  },
  async handler({ params, services }) {
    return { status: 200, body: { period: params.period, items: await listProviderReports(services, params.period) } };
  },
});

export const getBundlesRoute = defineRoute({
  name: 'getBundles',
  method: 'GET',
  path: '/reports/bundles',
  access: 'partnerAdmin',
  summary: 'Bundles (products) allocated and used per customer at the end of a month',
  tags: ['reports'],
  query: z.strictObject({ period: periodSchema }),
  responses: {
    200: {
      description: 'Per customer',
      schema: z
        .object({
          period: z.string(),
          items: z.array(
            z.object({
              customerId: z.uuid(),
              customerName: z.string(),
              resellerId: z.uuid().optional(),
              bundles: z.array(
                z.object({
                  productId: z.string(),
                  productName: z.string(),
                  subscriptions: z.number().int(),
                  allocated: z.number().int(),
                  used: z.number().int(),
                }),
              ),
              allocated: z.number().int(),
              used: z.number().int(),
            }),
          ),
        })
        .meta({ id: 'BundleUsage' }),
    },
  },
  async handler({ query, services }) {
    return { status: 200, body: { period: query.period, items: await bundlesView(services, query.period) } };
  },
});

const licenseRow = z.object({
  productId: z.string(),
  productName: z.string(),
  customers: z.number().int(),
  subscriptions: z.number().int(),
  seatsHeld: z.number().int(),
  inUse: z.number().int().nullable(),
  manualCount: z.number().int().nullable(),
  note: z.string().optional(),
});
const licenseCountsSchema = z
  .object({
    period: z.string(),
    readOnly: z.array(z.string()).describe('Computed fields: refused in a PUT'),
    editable: z.array(z.string()),
    items: z.array(licenseRow),
    updatedAt: z.string().optional(),
    updatedBy: z.string().optional(),
  })
  .meta({ id: 'LicenseCounts' });

export const getLicenseCountsRoute = defineRoute({
  name: 'getLicenseCounts',
  method: 'GET',
  path: '/license-counts/{period}',
  access: 'partnerAdmin',
  summary: 'License information of a month: computed counts (read-only) beside the manually entered ones',
  tags: ['reports'],
  params: periodParams,
  responses: {
    200: {
      description: 'Counts per product',
      schema: licenseCountsSchema,
      headers: { ETag: 'Of the manual counts, once saved: send it as If-Match to change them' },
    },
  },
  async handler({ params, services }) {
    const view = await licenseCountsView(services, params.period);
    const { etag, items, ...rest } = view;
    return {
      status: 200,
      body: {
        period: params.period,
        readOnly: [...computedLicenseFields],
        editable: [...editableLicenseFields],
        items: items.map(({ month: _month, ...row }) => row),
        ...rest,
      },
      headers: { etag },
    };
  },
});

export const putLicenseCountsRoute = defineRoute({
  name: 'putLicenseCounts',
  method: 'PUT',
  path: '/license-counts/{period}',
  access: 'partnerAdmin',
  summary: 'Replace the manually entered license counts of a month (computed fields are refused)',
  tags: ['reports'],
  params: periodParams,
  body: manualLicenseCountsBodySchema,
  requestHeaders: {
    'If-Match': { description: 'The ETag of the last read; required once counts were saved for the month' },
  },
  responses: { 200: { description: 'Saved', schema: licenseCountsSchema, headers: { ETag: 'Of the saved counts' } } },
  async handler({ params, body, headers, principal, services }) {
    const counts = body.counts.map(({ productId, name, manualCount, note }) => ({
      productId,
      manualCount,
      ...(name ? { name } : {}),
      ...(note ? { note } : {}),
    }));
    const saved = await saveLicenseCounts(
      services,
      params.period,
      counts,
      headers.get('if-match'),
      actorOf(principal).label,
    );
    const view = await licenseCountsView(services, params.period);
    return {
      status: 200,
      body: {
        period: params.period,
        readOnly: [...computedLicenseFields],
        editable: [...editableLicenseFields],
        items: view.items.map(({ month: _month, ...row }) => row),
        updatedAt: saved.value.updatedAt,
        updatedBy: saved.value.updatedBy,
      },
      headers: { etag: saved.etag },
    };
  },
});

export const reportRoutes = [
  listBillingReportsRoute,
  downloadBillingReportRoute,
  generateProviderReportsRoute,
  listProviderReportsRoute,
  getBundlesRoute,
  getLicenseCountsRoute,
  putLicenseCountsRoute,
];
