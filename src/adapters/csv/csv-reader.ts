import { Readable } from 'node:stream';
import { parse as parseStream } from 'csv-parse';
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
    records = parse(text, {
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
    }) as unknown as typeof records;
  } catch (error) {
    if (error instanceof CsvError)
      throw validation('The file is not valid CSV.', [{ path: `line ${String(error.lines)}`, message: error.message }]);
    throw error;
  }
  const [header, ...rows] = records;
  return { header: header?.record ?? [], rows: rows.map(({ record, info }) => ({ line: info.lines, fields: record })) };
}

const ROW_CHUNK = 64 * 1024;

/** The text in slices that never split a surrogate pair. */
function* slices(text: string): Generator<string> {
  for (let start = 0; start < text.length;) {
    let end = Math.min(start + ROW_CHUNK, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
    yield text.slice(start, end);
    start = end;
  }
}

/**
 * The same reading as `readCsv`, one row at a time (the header first, as line 1), for files too big to hold twice:
 * the parser gets the text in slices and stops while the caller is busy with a row.
 */
export async function* csvRows(text: string): AsyncGenerator<{ line: number; fields: string[] }> {
  const parser = parseStream({ bom: true, info: true, relax_column_count: true, skip_empty_lines: true, trim: true });
  const source = Readable.from(slices(text), { objectMode: false });
  source.pipe(parser);
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: InfoRecord }>)
      yield { line: info.lines, fields: record };
  } catch (error) {
    if (error instanceof CsvError)
      throw validation('The file is not valid CSV.', [{ path: `line ${String(error.lines)}`, message: error.message }]);
    throw error;
  } finally {
    source.unpipe(parser);
    source.destroy();
    parser.destroy();
  }
}
