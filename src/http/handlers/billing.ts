import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { notFound, preconditionFailed, validation } from '../../app/errors.ts';
import { periodPattern, startBillingRun } from '../../app/billing/billing-run.ts';
import { getCustomer } from '../../app/customers.ts';
import { invoiceDocument } from '../../app/reports/report-writer.ts';
import { reportContentTypes } from '../../domain/billing-report.ts';
import { billingLineSchema, billingRunSchema, invoiceSchema, type BillingLine } from '../../domain/billing.ts';
import { isoDateSchema } from '../../domain/calendar.ts';
import { inertCell } from '../../domain/csv-safety.ts';
import { currencyCodeSchema } from '../../domain/customer.ts';
import { dec, decimalStringSchema, money, sum } from '../../domain/money.ts';
import type { Services } from '../../app/services.ts';
import { defineRoute } from '../route.ts';
import { customerIdParams, requireIfMatch } from '../schemas.ts';
import { actorOf } from './subscriptions.ts';

const invoiceParams = z.strictObject({
  customerId: z.uuid(),
  invoiceId: z.string().regex(/^INV-\d{8}-[0-9A-F]{8}$/, 'an invoice id such as INV-20260401-1A2B3C4D'),
});
const cycleOf = (invoiceId: string) => `${invoiceId.slice(4, 8)}-${invoiceId.slice(8, 10)}-${invoiceId.slice(10, 12)}`;

async function findInvoice(services: Services, customerId: string, invoiceId: string) {
  const found = await services.billing.invoice(customerId, cycleOf(invoiceId));
  if (!found || found.value.id !== invoiceId)
    throw notFound('INVOICE.NOT_FOUND', `No invoice ${invoiceId} for this customer.`);
  return found;
}

export const listInvoicesRoute = defineRoute({
  name: 'listInvoices',
  method: 'GET',
  path: '/customers/{customerId}/invoices',
  access: { customer: 'View' },
  summary: 'Open and paid invoices, newest first',
  tags: ['invoices'],
  params: customerIdParams,
  query: z.strictObject({ status: z.enum(['open', 'paid']).optional() }),
  responses: {
    200: { description: 'Invoices', schema: z.object({ items: z.array(invoiceSchema) }).meta({ id: 'InvoiceList' }) },
  },
  async handler({ params, query, services }) {
    const invoices = (await services.billing.invoices(params.customerId))
      .map((i) => i.value)
      .filter((i) => !query.status || i.status === query.status);
    return { status: 200, body: { items: invoices.sort((a, b) => b.cycle.localeCompare(a.cycle)) } };
  },
});

export const breakdownSchema = z
  .object({
    invoice: invoiceSchema,
    subscriptions: z.array(
      z.object({
        subscriptionId: z.string().nullable(),
        description: z.string(),
        subtotal: z.string(),
        lines: z.array(billingLineSchema),
      }),
    ),
  })
  .meta({ id: 'InvoiceBreakdown' });

export function breakdown(lines: BillingLine[], currency: string) {
  const groups = new Map<string, BillingLine[]>();
  for (const line of lines)
    groups.set(line.subscriptionId ?? '', [...(groups.get(line.subscriptionId ?? '') ?? []), line]);
  return [...groups.entries()].map(([subscriptionId, group]) => ({
    subscriptionId: subscriptionId || null,
    description: subscriptionId ? (group[0]?.description.split(':')[0] ?? subscriptionId) : 'Other charges',
    subtotal: money(sum(group.map((l) => dec(l.amount))), currency).amount,
    lines: group.sort((a, b) => a.chargeDate.localeCompare(b.chargeDate) || a.kind.localeCompare(b.kind)),
  }));
}

export const getInvoiceRoute = defineRoute({
  name: 'getInvoice',
  method: 'GET',
  path: '/customers/{customerId}/invoices/{invoiceId}',
  access: { customer: 'View' },
  summary: 'An invoice with its breakdown by subscription and line',
  tags: ['invoices'],
  params: invoiceParams,
  responses: {
    200: { description: 'The invoice', schema: breakdownSchema, headers: { ETag: 'Send as If-Match to mark it paid' } },
  },
  async handler({ params, services }) {
    const { value, etag } = await findInvoice(services, params.customerId, params.invoiceId);
    const lines = await services.billing.lines(params.customerId, value.cycle, value.cycle);
    return {
      status: 200,
      body: { invoice: value, subscriptions: breakdown(lines, value.currency) },
      headers: { etag },
    };
  },
});

const csvColumns = [
  'chargeDate',
  'kind',
  'subscriptionId',
  'description',
  'periodStart',
  'periodEnd',
  'quantity',
  'unitPrice',
  'amount',
  'currency',
  'priceListId',
  'originalCycle',
  'correctsLineId',
  'refundsLineId',
  'id',
] as const;

export const downloadInvoiceRoute = defineRoute({
  name: 'downloadInvoice',
  method: 'GET',
  path: '/customers/{customerId}/invoices/{invoiceId}/download',
  access: { customer: 'View' },
  summary: 'The invoice as CSV (its lines, the default), as the report spreadsheet (xlsx) or as a PDF document',
  tags: ['invoices'],
  params: invoiceParams,
  query: z.strictObject({ format: z.enum(['csv', 'xlsx', 'pdf']).default('csv') }),
  responses: {
    200: {
      description: 'CSV (UTF-8 with a header row), xlsx or PDF, as an attachment',
      contentType: 'text/csv, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet, application/pdf',
    },
  },
  async handler({ params, query, services }) {
    const { value } = await findInvoice(services, params.customerId, params.invoiceId);
    if (query.format !== 'csv') {
      const { value: customer } = await getCustomer(services, params.customerId);
      return {
        status: 200,
        body: await invoiceDocument(services, customer, value, query.format),
        contentType: reportContentTypes[query.format],
        headers: { 'content-disposition': `attachment; filename="${value.id}.${query.format}"` },
      };
    }
    const lines = await services.billing.lines(params.customerId, value.cycle, value.cycle);
    const csv = stringify(
      lines
        .sort((a, b) => a.chargeDate.localeCompare(b.chargeDate))
        .map((line) => csvColumns.map((c) => inertCell(line[c]))),
      { header: true, columns: [...csvColumns], bom: true, record_delimiter: 'windows' },
    );
    return {
      status: 200,
      body: csv,
      contentType: 'text/csv; charset=utf-8',
      headers: { 'content-disposition': `attachment; filename="${value.id}.csv"` },
    };
  },
});

export const markInvoicePaidRoute = defineRoute({
  name: 'markInvoicePaid',
  method: 'POST',
  path: '/customers/{customerId}/invoices/{invoiceId}/paid',
  access: 'partnerAdmin',
  summary: 'Mark an invoice paid',
  tags: ['invoices'],
  params: invoiceParams,
  requestHeaders: { 'If-Match': { description: 'The invoice’s ETag', required: true } },
  responses: { 200: { description: 'Paid', schema: invoiceSchema } },
  async handler({ params, headers, principal, services }) {
    const etag = requireIfMatch(headers);
    const { value, etag: current } = await findInvoice(services, params.customerId, params.invoiceId);
    if (etag !== current) throw preconditionFailed();
    if (value.status === 'paid') return { status: 200, body: value };
    const paid = {
      ...value,
      status: 'paid' as const,
      paidAt: services.clock.now().toISOString(),
      paidBy: actorOf(principal).label,
    };
    const saved = await services.billing.saveInvoice(paid, etag);
    return { status: 200, body: saved.value, headers: { etag: saved.etag } };
  },
});

const oneOffBody = z
  .strictObject({
    date: isoDateSchema,
    description: z
      .string()
      .trim()
      .min(1)
      .max(300)
      .regex(/^[^=+\-@]/, 'must not start with = + - or @'),
    quantity: decimalStringSchema.default('1'),
    unitPrice: decimalStringSchema,
    currency: currencyCodeSchema.optional(),
  })
  .meta({ id: 'OneOffChargeRequest' });

export const addOneOffChargeRoute = defineRoute({
  name: 'addOneOffCharge',
  method: 'POST',
  path: '/customers/{customerId}/one-off-charges',
  access: 'partnerAdmin',
  summary: 'Add a one-off charge (billed in the cycle of its date, or the next open one)',
  tags: ['invoices'],
  params: customerIdParams,
  body: oneOffBody,
  responses: {
    201: { description: 'Added', schema: z.object({ id: z.string(), amount: z.string(), currency: z.string() }) },
  },
  async handler({ params, body, principal, services }) {
    const customer = (await services.customers.get(params.customerId))?.value;
    if (!customer) throw notFound('CUSTOMER.NOT_FOUND', `No customer ${params.customerId}.`);
    const currency = body.currency ?? customer.currency;
    if (currency !== customer.currency)
      throw validation(`This customer is billed in ${customer.currency}.`, [
        { path: 'body.currency', message: `must be ${customer.currency}` },
      ]);
    const id = services.ids.next();
    await services.billing.addOneOffCharge({
      id,
      customerId: customer.id,
      date: body.date,
      description: body.description,
      quantity: body.quantity,
      unitPrice: body.unitPrice,
      currency,
      createdBy: actorOf(principal).label,
      createdAt: services.clock.now().toISOString(),
    });
    return {
      status: 201,
      body: { id, amount: money(dec(body.unitPrice).times(dec(body.quantity)), currency).amount, currency },
    };
  },
});

const runSchema = billingRunSchema
  .extend({
    failures: z
      .array(z.object({ customerId: z.string(), cycle: z.string().optional(), reason: z.string().optional() }))
      .optional(),
  })
  .meta({ id: 'BillingRun' });

export const startBillingRunRoute = defineRoute({
  name: 'startBillingRun',
  method: 'POST',
  path: '/billing/runs',
  access: 'partnerAdmin',
  summary: 'Start the billing run of a month: one queued job per customer cycle ending in it',
  tags: ['billing'],
  body: z
    .strictObject({ period: z.string().regex(periodPattern, 'a month: YYYY-MM') })
    .meta({ id: 'BillingRunRequest' }),
  responses: {
    202: { description: 'Started; follow it at the Location', schema: runSchema, headers: { Location: 'The run' } },
  },
  async handler({ body, principal, services }) {
    // Records the run and enqueues one message per customer cycle; the queue's consumers do the billing.
    // Records the run and enqueues one message per customer cycle; the queue's consumers do the billing.
    const { run } = await startBillingRun(services, body.period, actorOf(principal).label);
    return { status: 202, body: run, headers: { location: `/api/billing/runs/${run.id}` } };
  },
});

export const getBillingRunRoute = defineRoute({
  name: 'getBillingRun',
  method: 'GET',
  path: '/billing/runs/{runId}',
  access: 'partnerAdmin',
  summary: 'Progress and result of a billing run, with failures and their reasons',
  tags: ['billing'],
  params: z.strictObject({ runId: z.string().regex(periodPattern, 'a month: YYYY-MM') }),
  responses: { 200: { description: 'The run', schema: runSchema } },
  async handler({ params, services }) {
    const run = await services.billingRuns.get(params.runId);
    if (!run) throw notFound('BILLING_RUN.NOT_FOUND', `No billing run ${params.runId}.`);
    const failures = (await services.billingRuns.results(params.runId))
      .filter((r) => r.status === 'failed')
      .map(({ customerId, cycle, reason }) => ({ customerId, cycle, reason }));
    // While it runs, its counts are those its consumers keep beside the results.
    const progress = run.value.status === 'running' ? await services.billingRuns.progress(params.runId) : undefined;
    const counts = progress
      ? {
          customersTotal: progress.total,
          customersDone: progress.done,
          customersFailed: progress.failed,
          customersNotDue: progress.notDue,
        }
      : {};
    return { status: 200, body: { ...run.value, ...counts, failures } };
  },
});
