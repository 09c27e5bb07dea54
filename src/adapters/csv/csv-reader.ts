import { CsvError, parse, type InfoRecord } from 'csv-parse/sync';
import { validation } from '../../app/errors.ts';
import type { CsvTable } from '../../app/ports/csv-table.ts';

/**
 * Reads an uploaded CSV file (RFC 4180, optional UTF-8 BOM, blank lines skipped, fields trimmed) into its
 * header and rows, each with the file line it ends on. A file that is not CSV at all is the client's error.
 */
export function readCsv(text: string): CsvTable {
  let records: { record: string[]; info: InfoRecord }[];
  try {
    records = parse(text, { bom: true, info: true, relax_column_count: true, skip_empty_lines: true, trim: true }) as unknown as typeof records;
  } catch (error) {
    if (error instanceof CsvError) throw validation('The file is not valid CSV.', [{ path: `line ${String(error.lines)}`, message: error.message }]);
    throw error;
  }
  const [header, ...rows] = records;
  return { header: header?.record ?? [], rows: rows.map(({ record, info }) => ({ line: info.lines, fields: record })) };
}
