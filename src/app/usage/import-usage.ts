import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { UsageRecord } from '../../domain/billing.ts';
import { utcDate } from '../../domain/calendar.ts';
import { currencyCodeSchema } from '../../domain/customer.ts';
import { dec, type Dec } from '../../domain/money.ts';
import { usageDecimal, usageSubscriptionIdSchema, UsageTally } from '../../domain/usage.ts';
import { AppError, validation, type FieldError } from '../errors.ts';
import { customerIndex } from './customer-index.ts';
import type { UsageDeps } from './deps.ts';

/**
 * A partner's reconciliation CSV (F-USAGE): checked row by row first, and imported all or nothing. Rows of the
 * same customer, subscription, meter and day are summed into one record. The records' source is
 * `import:{sha256 of the file}`, so the same file always gives the same records; a file imported before is
 * recognised and not written again.
 */
export const USAGE_IMPORT_COLUMNS = [
  'customerId',
  'subscriptionId',
  'meterId',
  'meterName',
  'meterCategory',
  'unitOfMeasure',
  'usageDate',
  'quantity',
  'cost',
  'currency',
] as const;
type Column = (typeof USAGE_IMPORT_COLUMNS)[number];
const OPTIONAL_COLUMNS: ReadonlySet<Column> = new Set(['meterCategory']);
const MAX_ERRORS = 100;
const SAVE_CHUNK = 10_000;

const decimalInput = z
  .string()
  .regex(/^-?(0|[1-9]\d{0,14})(\.\d{1,12})?$/, 'a decimal number such as 12.50 (a point, no thousands separators)');
// eslint-disable-next-line no-control-regex -- control characters are what a meter id may not hold
const printable = /^[^\u0000-\u001f\u007f-\u009f]+$/;

const rowSchema = z.strictObject({
  customerId: z.uuid('the customer’s id in this portal, or its Microsoft tenant id'),
  subscriptionId: usageSubscriptionIdSchema,
  meterId: z.string().min(1).max(128).regex(printable, 'no control characters'),
  meterName: z.string().min(1).max(200),
  meterCategory: z.string().max(200).optional(),
  unitOfMeasure: z.string().min(1).max(100),
  usageDate: z.iso.date('a date such as 2026-03-31'),
  quantity: decimalInput,
  cost: decimalInput,
  currency: currencyCodeSchema,
});

export interface CustomerMonthCount {
  customerId: string;
  month: string;
  currency: string;
  records: number;
  /** Raw cost of those records. */
  cost: string;
}

export interface UsageImportResult {
  fileHash: string;
  source: string;
  /** The same file was imported before: nothing was written this time. */
  alreadyImported: boolean;
  rows: number;
  records: number;
  customerMonths: CustomerMonthCount[];
}

export type CsvRows = AsyncIterable<{ line: number; fields: string[] }>;

export async function importUsage(
  deps: UsageDeps,
  text: string,
  readRows: (text: string) => CsvRows,
  importedBy: string,
): Promise<UsageImportResult> {
  const fileHash = createHash('sha256').update(text, 'utf8').digest('hex');
  const source = `import:${fileHash}`;
  const today = utcDate(deps.clock.now()).toString();
  const customers = await customerIndex(deps.customers);
  const tally = new UsageTally();
  const errors: FieldError[] = [];
  let errorCount = 0;
  const fail = (error: FieldError) => {
    errorCount += 1;
    if (errors.length < MAX_ERRORS) errors.push(error);
  };

  let columns: Map<Column, number> | undefined;
  let width = 0;
  let rows = 0;
  for await (const { line, fields } of readRows(text)) {
    if (!columns) {
      columns = headerColumns(fields);
      width = fields.length;
      continue;
    }
    rows += 1;
    const at = `line ${line}`;
    if (fields.length !== width) {
      fail({ path: at, message: `has ${fields.length} fields; the header has ${width}` });
      continue;
    }
    const raw: Record<string, string> = {};
    for (const [column, index] of columns) {
      const value = fields[index] ?? '';
      if (value !== '' || !OPTIONAL_COLUMNS.has(column)) raw[column] = value;
    }
    const parsed = rowSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) fail({ path: [at, ...issue.path].join('.'), message: issue.message });
      continue;
    }
    const row = parsed.data;
    const customerId = customers.resolve(row.customerId);
    if (!customerId) {
      fail({ path: `${at}.customerId`, message: 'no customer has this id or Microsoft tenant id' });
      continue;
    }
    if (row.usageDate > today) {
      fail({ path: `${at}.usageDate`, message: `is after today (${today})` });
      continue;
    }
    const added = tally.add({
      customerId,
      subscriptionId: row.subscriptionId,
      meterId: row.meterId,
      meterName: row.meterName,
      ...(row.meterCategory ? { meterCategory: row.meterCategory } : {}),
      unitOfMeasure: row.unitOfMeasure,
      date: row.usageDate,
      quantity: row.quantity,
      cost: row.cost,
      currency: row.currency,
      source,
    });
    if (!added)
      fail({
        path: `${at}.currency`,
        message: 'differs from an earlier row of the same customer, subscription, meter and day',
      });
  }
  if (!columns)
    throw validation('The file is empty.', [
      { path: 'line 1', message: `the first line must name the columns ${USAGE_IMPORT_COLUMNS.join(',')}` },
    ]);
  if (rows === 0)
    throw validation('The file has no usage rows.', [{ path: 'line 2', message: 'no rows after the header' }]);
  if (errorCount > 0) {
    throw new AppError('Validation', 'REQUEST.INVALID', `${errorCount} errors in the file; nothing was imported.`, {
      errors,
      errorCount,
    });
  }

  const customerMonths = new Map<string, { count: CustomerMonthCount; cost: Dec }>();
  const count = (record: UsageRecord) => {
    const key = `${record.customerId}|${record.date.slice(0, 7)}|${record.currency}`;
    const entry = customerMonths.get(key) ?? {
      count: {
        customerId: record.customerId,
        month: record.date.slice(0, 7),
        currency: record.currency,
        records: 0,
        cost: '0',
      },
      cost: dec(0),
    };
    entry.count.records += 1;
    entry.cost = entry.cost.plus(record.cost);
    customerMonths.set(key, entry);
  };

  const previous = await deps.usageStore.findImport(fileHash);
  let chunk: UsageRecord[] = [];
  for (const record of tally.records()) {
    count(record);
    if (previous) continue;
    chunk.push(record);
    if (chunk.length >= SAVE_CHUNK) {
      await deps.usageStore.save(chunk);
      chunk = [];
    }
  }
  if (chunk.length) await deps.usageStore.save(chunk);
  if (!previous)
    await deps.usageStore.recordImport({
      fileHash,
      importedAt: deps.clock.now().toISOString(),
      importedBy,
      rows,
      records: tally.size,
    });

  return {
    fileHash,
    source,
    alreadyImported: previous !== undefined,
    rows,
    records: tally.size,
    customerMonths: [...customerMonths.values()]
      .map(({ count: c, cost }) => ({ ...c, cost: usageDecimal(cost) }))
      .sort(
        (a, b) =>
          a.customerId.localeCompare(b.customerId) ||
          a.month.localeCompare(b.month) ||
          a.currency.localeCompare(b.currency),
      ),
  };
}

/** Column positions by name (any order, any case; other columns are ignored). */
function headerColumns(header: string[]): Map<Column, number> {
  const positions = new Map<string, number>();
  const errors: FieldError[] = [];
  header.forEach((name, index) => {
    const key = name.trim().toLowerCase();
    if (positions.has(key)) errors.push({ path: 'line 1', message: `the column ${name} appears twice` });
    positions.set(key, index);
  });
  const columns = new Map<Column, number>();
  const missing: string[] = [];
  for (const column of USAGE_IMPORT_COLUMNS) {
    const index = positions.get(column.toLowerCase());
    if (index === undefined) {
      if (!OPTIONAL_COLUMNS.has(column)) missing.push(column);
    } else columns.set(column, index);
  }
  if (missing.length)
    errors.push({
      path: 'line 1',
      message: `missing column(s) ${missing.join(', ')}; the header needs ${USAGE_IMPORT_COLUMNS.join(',')}`,
    });
  if (errors.length) throw validation('The file’s header is not a usage header.', errors);
  return columns;
}
