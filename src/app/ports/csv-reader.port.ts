import type { CsvTable } from './csv-table.ts';

/** One row of an uploaded CSV file, with the file line it ends on (the header is line 1). */
export interface CsvRow {
  line: number;
  fields: string[];
}

/**
 * Reading uploaded CSV files (RFC 4180, optional UTF-8 BOM, blank lines skipped, fields trimmed). A file that is
 * not CSV at all is the client's error: `Validation` naming the line.
 */
export interface CsvReader {
  /** The whole file: its header and rows. */
  table(text: string): Promise<CsvTable>;
  /** The same reading one row at a time (the header first), for files too big to hold twice. */
  rows(text: string): AsyncIterable<CsvRow>;
}
