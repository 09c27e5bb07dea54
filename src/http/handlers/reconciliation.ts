import { z } from 'zod';
import { notFound } from '../../app/errors.ts';
import { importMicrosoftLines, reconcileMonth, reconciliationReportLink } from '../../app/reconciliation/reconcile.ts';
import { customerReconciliationSchema } from '../../domain/reconciliation.ts';
import { decimalStringSchema } from '../../domain/money.ts';
import { defineRoute } from '../route.ts';
import { actorOf } from './subscriptions.ts';

const monthParams = z.strictObject({
  month: z.string().regex(/^(20\d{2})-(0[1-9]|1[0-2])$/, 'a month such as 2026-10'),
});
const linkSchema = z.object({ url: z.string(), expiresOn: z.string() });

const importResultSchema = z
  .object({ month: z.string(), lines: z.number().int().min(0), importedAt: z.iso.datetime() })
  .meta({ id: 'ReconciliationImport' });

const monthResultSchema = z
  .object({
    month: z.string(),
    customers: z.number().int().min(0),
    totals: z.array(
      z.object({
        currency: z.string().length(3),
        microsoftCost: decimalStringSchema,
        billed: decimalStringSchema,
        margin: decimalStringSchema,
        leakage: decimalStringSchema,
      }),
    ),
    mismatches: z.number().int().min(0),
    report: z.string(),
    importedAt: z.iso.datetime(),
    download: linkSchema,
  })
  .meta({ id: 'MonthReconciliation' });

export const importMicrosoftLinesRoute = defineRoute({
  name: 'importMicrosoftBilledLines',
  method: 'POST',
  path: '/reconciliation/{month}/imports',
  access: 'partnerAdmin',
  summary:
    "Import Microsoft's billed line items of a month (Graph's billed reconciliation export for an invoice; the simulator's ledger locally)",
  tags: ['reconciliation'],
  params: monthParams,
  body: z.strictObject({
    /** Microsoft's invoice id (e.g. G016907411); required with Partner Center. */
    invoiceId: z
      .string()
      .regex(/^[A-Za-z0-9-]{1,40}$/)
      .optional(),
  }),
  responses: { 200: { description: 'Imported (a re-import replaces the same lines)', schema: importResultSchema } },
  async handler({ params, body, principal, services }) {
    const result = await importMicrosoftLines(services, params.month, actorOf(principal).label, {
      ...(body.invoiceId ? { invoiceId: body.invoiceId } : {}),
    });
    return { status: 200, body: result };
  },
});

export const runReconciliationRoute = defineRoute({
  name: 'runReconciliation',
  method: 'POST',
  path: '/reconciliation/{month}',
  access: 'partnerAdmin',
  summary:
    "Reconcile a month: Microsoft's cost against what each customer was billed, margin, and every mismatch named; writes the workbook and mails the partner when margin leaked",
  tags: ['reconciliation'],
  params: monthParams,
  responses: { 200: { description: 'The month reconciled', schema: monthResultSchema } },
  async handler({ params, services }) {
    const result = await reconcileMonth(services, params.month);
    return {
      status: 200,
      body: { ...result, download: await reconciliationReportLink(services, params.month) },
    };
  },
});

export const getReconciliationRoute = defineRoute({
  name: 'getReconciliation',
  method: 'GET',
  path: '/reconciliation/{month}',
  access: 'partnerAdmin',
  summary: "A reconciled month: every customer's cost, billed amount, margin and mismatches",
  tags: ['reconciliation'],
  params: monthParams,
  responses: {
    200: {
      description: 'Customers of the month',
      schema: z.object({ items: z.array(customerReconciliationSchema) }).meta({ id: 'ReconciliationList' }),
    },
  },
  async handler({ params, services }) {
    const items = [];
    for await (const result of services.reconciliation.results(params.month)) items.push(result);
    if (items.length === 0)
      throw notFound('RECONCILIATION.NOT_FOUND', `${params.month} has not been reconciled; POST it first.`);
    items.sort((a, b) => a.customerName.localeCompare(b.customerName));
    return { status: 200, body: { items } };
  },
});

export const getCustomerReconciliationRoute = defineRoute({
  name: 'getCustomerReconciliation',
  method: 'GET',
  path: '/reconciliation/{month}/customers/{customerId}',
  access: 'partnerAdmin',
  summary: "One customer's reconciled month, per subscription",
  tags: ['reconciliation'],
  params: monthParams.extend({ customerId: z.uuid() }),
  responses: { 200: { description: 'The customer’s month', schema: customerReconciliationSchema } },
  async handler({ params, services }) {
    const found = await services.reconciliation.result(params.month, params.customerId.toLowerCase());
    if (!found) throw notFound('RECONCILIATION.NOT_FOUND', `No reconciliation of ${params.month} for this customer.`);
    return { status: 200, body: found };
  },
});

export const reconciliationRoutes = [
  importMicrosoftLinesRoute,
  runReconciliationRoute,
  getReconciliationRoute,
  getCustomerReconciliationRoute,
];
