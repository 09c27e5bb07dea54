import { stringify } from 'csv-stringify/sync';
import { csvColumns, csvRows, type BillingReport } from '../../domain/billing-report.ts';
import { inertCell } from '../../domain/csv-safety.ts';

/**
 * The billing report as CSV (RFC 4180: CRLF, quoted where needed), UTF-8 with a byte order mark so that
 * spreadsheet programs read it as UTF-8, and a header row. Every cell goes through `inertCell`.
 */
export function billingReportCsv(report: BillingReport): Uint8Array {
  const rows = [...csvRows(report)].map((row) => csvColumns.map((column) => inertCell(row[column])));
  return new TextEncoder().encode(
    stringify(rows, { header: true, columns: [...csvColumns], bom: true, record_delimiter: 'windows' }),
  );
}
