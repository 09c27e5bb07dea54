import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { compareDates, date } from '../../domain/calendar.ts';
import { describeChange } from '../../domain/change-log-text.ts';
import { inertCell } from '../../domain/csv-safety.ts';
import { changeLogEntrySchema, type ChangeLogEntry } from '../../domain/subscription.ts';
import { validation } from '../../app/errors.ts';
import type { Services } from '../../app/services.ts';
import { defineRoute } from '../route.ts';
import { customerIdParams, pageOf, pageQuery } from '../schemas.ts';

const filterQuery = z.strictObject({
  from: z.iso.date().optional(),
  to: z.iso.date().optional(),
  subscriptionId: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,64}$/)
    .optional(),
});

function checkRange(filter: z.infer<typeof filterQuery>): void {
  if (filter.from && filter.to && compareDates(date(filter.from), date(filter.to)) > 0) {
    throw validation('`from` is after `to`.', [{ path: 'query.from', message: 'on or before to' }]);
  }
}

export const listChangeLogRoute = defineRoute({
  name: 'listChangeLog',
  method: 'GET',
  path: '/customers/{customerId}/change-log',
  access: { customer: 'View' },
  summary: 'Change log: every transaction, newest first, filterable by date range and subscription',
  tags: ['change-log'],
  params: customerIdParams,
  query: pageQuery.extend(filterQuery.shape),
  responses: {
    200: {
      description: 'A page of entries',
      schema: pageOf(changeLogEntrySchema.meta({ id: 'ChangeLogEntry' }), 'ChangeLogPage'),
    },
  },
  async handler({ params, query, services }) {
    checkRange(query);
    const { pageSize, continuationToken, ...filter } = query;
    return {
      status: 200,
      body: await services.customerData.changeLog(params.customerId, filter, pageSize, continuationToken),
    };
  },
});

const columns = [
  'at',
  'actor',
  'source',
  'action',
  'subscriptionId',
  'productName',
  'change',
  'before',
  'after',
  'effective',
  'effectiveDate',
  'detail',
] as const;
const EXPORT_LIMIT = 50_000;

async function allEntries(
  services: Services,
  customerId: string,
  filter: z.infer<typeof filterQuery>,
): Promise<ChangeLogEntry[]> {
  const entries: ChangeLogEntry[] = [];
  let token: string | undefined;
  do {
    const page = await services.customerData.changeLog(customerId, filter, 1000, token);
    entries.push(...page.items);
    token = page.continuationToken;
  } while (token && entries.length < EXPORT_LIMIT);
  return entries;
}

export const exportChangeLogRoute = defineRoute({
  name: 'exportChangeLog',
  method: 'GET',
  path: '/customers/{customerId}/change-log/export',
  access: { customer: 'View' },
  summary: 'The change log as CSV (newest first)',
  description:
    'The change log as a spreadsheet reads it: one row per transaction, newest first, with `change` saying what ' +
    'changed (`quantity 10 → 15`) and `before`/`after` holding only the changed fields. Same filters as the list.',
  tags: ['change-log'],
  params: customerIdParams,
  query: filterQuery,
  responses: { 200: { description: 'CSV, UTF-8 with a header row', contentType: 'text/csv' } },
  async handler({ params, query, services }) {
    checkRange(query);
    const entries = await allEntries(services, params.customerId, query);
    const csv = stringify(
      entries.map((e) => {
        const readable = { ...e, ...describeChange(e.before, e.after) };
        return columns.map((c) => inertCell(readable[c]));
      }),
      { header: true, columns: [...columns], bom: true, record_delimiter: 'windows' },
    );
    return {
      status: 200,
      body: csv,
      contentType: 'text/csv; charset=utf-8',
      headers: { 'content-disposition': `attachment; filename="change-log-${params.customerId}.csv"` },
    };
  },
});
