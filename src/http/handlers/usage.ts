import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { importUsage, USAGE_IMPORT_COLUMNS } from '../../app/usage/import-usage.ts';
import { customerUsage, usageExport, type UsageQuery } from '../../app/usage/usage-view.ts';
import { inertCell } from '../../domain/csv-safety.ts';
import {
  defaultUsageSettings,
  usageMonthChoices,
  usageSettingsSchema,
  usageSubscriptionIdSchema,
  type UsageMonths,
} from '../../domain/usage.ts';
import type { Principal } from '../../app/principal.ts';
import { defineRoute } from '../route.ts';
import { customerIdParams } from '../schemas.ts';

const usageQuery = z.strictObject({
  months: z
    .enum(usageMonthChoices.map(String) as ['3', '6', '9', '12'])
    .default('3')
    .describe('Whole months back, besides the current month: 3, 6, 9 or 12'),
  subscriptionId: usageSubscriptionIdSchema.optional().describe('Only this subscription'),
});

function query(customerId: string, input: z.output<typeof usageQuery>, principal: Principal): UsageQuery {
  return {
    customerId,
    months: Number(input.months) as UsageMonths,
    ...(input.subscriptionId ? { subscriptionId: input.subscriptionId } : {}),
    // Raw costs are the partner's business: customers see amounts with the mark-up only.
    withCost: principal.isPartnerAdmin,
  };
}

const amounts = {
  quantity: z.string(),
  amount: z.string().describe('With the partner’s mark-up, rounded to the currency’s decimals'),
  cost: z.string().optional().describe('Partners only: the raw cost before the mark-up, unrounded'),
};

const meterUsageSchema = z
  .object({
    subscriptionId: z.string(),
    meterId: z.string(),
    meterName: z.string(),
    meterCategory: z.string().optional(),
    unitOfMeasure: z.string(),
    currency: z.string(),
    monthly: z.array(z.object({ month: z.string().describe('YYYY-MM'), ...amounts })),
    daily: z.array(z.object({ date: z.iso.date(), ...amounts })),
  })
  .meta({ id: 'MeterUsage' });

const customerUsageSchema = z
  .object({
    customerId: z.uuid(),
    months: z.number().int(),
    from: z.iso.date().describe('First day covered'),
    to: z.iso.date().describe('Day after the last day covered'),
    subscriptionId: z.string().optional(),
    markupPercent: z.string().optional().describe('Partners only: the mark-up applied'),
    meters: z.array(meterUsageSchema),
    totals: z
      .array(z.object({ month: z.string(), currency: z.string(), amount: z.string(), cost: z.string().optional() }))
      .describe('Per month and currency: sums of the rounded meter amounts'),
  })
  .meta({ id: 'CustomerUsage' });

export const getCustomerUsageRoute = defineRoute({
  name: 'getCustomerUsage',
  method: 'GET',
  path: '/customers/{customerId}/usage',
  access: { customer: 'View' },
  summary:
    'Azure usage: daily and monthly totals per subscription and meter, for the last 3, 6, 9 or 12 months and the current one',
  tags: ['usage'],
  params: customerIdParams,
  query: usageQuery,
  responses: { 200: { description: 'Usage with the partner’s mark-up applied', schema: customerUsageSchema } },
  async handler({ params, query: input, principal, services }) {
    return { status: 200, body: await customerUsage(services, query(params.customerId, input, principal)) };
  },
});

export const downloadCustomerUsageRoute = defineRoute({
  name: 'downloadCustomerUsage',
  method: 'GET',
  path: '/customers/{customerId}/usage/download',
  access: { customer: 'View' },
  summary: 'The same usage as CSV, one row per subscription, meter and day',
  tags: ['usage'],
  params: customerIdParams,
  query: usageQuery,
  responses: { 200: { description: 'CSV, UTF-8 with a header row', contentType: 'text/csv' } },
  async handler({ params, query: input, principal, services }) {
    const usage = await usageExport(services, query(params.customerId, input, principal));
    const rows: string[][] = [];
    for await (const row of usage.rows) rows.push(row.map(inertCell));
    const csv = stringify(rows, { header: true, columns: usage.columns, bom: true, record_delimiter: 'windows' });
    return {
      status: 200,
      body: csv,
      contentType: 'text/csv; charset=utf-8',
      headers: {
        'content-disposition': `attachment; filename="usage-${params.customerId}-${usage.from}-${usage.to}.csv"`,
      },
    };
  },
});

const importResultSchema = z
  .object({
    fileHash: z.string().describe('SHA-256 of the file'),
    source: z.string().describe('`import:{fileHash}`: the source of the records it gave'),
    alreadyImported: z.boolean().describe('The same file was imported before; nothing was written again'),
    rows: z.number().int(),
    records: z
      .number()
      .int()
      .describe('Rows of the same customer, subscription, meter and day are summed into one record'),
    customerMonths: z.array(
      z.object({
        customerId: z.uuid(),
        month: z.string(),
        currency: z.string(),
        records: z.number().int(),
        cost: z.string(),
      }),
    ),
  })
  .meta({ id: 'UsageImport' });

export const importUsageRoute = defineRoute({
  name: 'importUsage',
  method: 'POST',
  path: '/usage/imports',
  access: 'partnerAdmin',
  summary: `Import a reconciliation CSV of daily Azure usage (columns ${USAGE_IMPORT_COLUMNS.join(',')}), all or none; errors name the line`,
  tags: ['usage'],
  body: z
    .string()
    .describe(
      `CSV with the columns ${USAGE_IMPORT_COLUMNS.join(',')} (any order; meterCategory optional; customerId is the portal’s id or the Microsoft tenant id)`,
    ),
  textBody: { contentTypes: ['text/csv'], maxBytes: 32 * 1024 * 1024 },
  responses: {
    200: {
      description: 'Imported (or recognised as imported before); counts per customer and month',
      schema: importResultSchema,
    },
  },
  async handler({ body, principal, services }) {
    const by = principal.identity.email ?? principal.identity.objectId;
    return { status: 200, body: await importUsage(services, body, (text) => services.csv.rows(text), by) };
  },
});

export const getUsageSettingsRoute = defineRoute({
  name: 'getUsageSettings',
  method: 'GET',
  path: '/settings/usage',
  access: 'partnerAdmin',
  summary: 'The mark-up on Azure usage',
  tags: ['settings', 'usage'],
  responses: {
    200: {
      description: 'The settings (0 % until saved)',
      schema: usageSettingsSchema,
      headers: { ETag: 'Send as If-Match to replace them' },
    },
  },
  async handler({ services }) {
    const saved = await services.settings.usage();
    return { status: 200, body: saved?.value ?? defaultUsageSettings, headers: saved ? { etag: saved.etag } : {} };
  },
});

export const putUsageSettingsRoute = defineRoute({
  name: 'putUsageSettings',
  method: 'PUT',
  path: '/settings/usage',
  access: 'partnerAdmin',
  summary: 'Replace the mark-up on Azure usage (If-Match once saved)',
  tags: ['settings', 'usage'],
  body: usageSettingsSchema,
  requestHeaders: { 'If-Match': { description: 'The ETag from the last read; required once the settings exist' } },
  responses: { 200: { description: 'Saved', schema: usageSettingsSchema } },
  async handler({ body, headers, services }) {
    const saved = await services.settings.saveUsage(body, headers.get('if-match') ?? undefined);
    return { status: 200, body: saved.value, headers: { etag: saved.etag } };
  },
});

/** F-USAGE's routes, in the route table's order. */
export const usageRoutes = [
  getCustomerUsageRoute,
  downloadCustomerUsageRoute,
  importUsageRoute,
  getUsageSettingsRoute,
  putUsageSettingsRoute,
];
