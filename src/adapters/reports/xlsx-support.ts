import { PassThrough, type Writable } from 'node:stream';
import type ExcelJSModule from 'exceljs';
import type { SheetLogo } from '../../app/ports/report-renderers.port.ts';

/**
 * What the report spreadsheets share: exceljs loaded on first use (it costs ~200 ms to import, so never at cold
 * start), a streaming workbook whose bytes depend only on what is written (fixed zip entry dates and document
 * dates), and the partner's logo drawn at the top left of a sheet, which exceljs's streaming writer cannot do
 * by itself. Pinned to exceljs 4.4.0: the logo and the fixed dates use its writer's internals, checked by the
 * read-back tests.
 */
export type ExcelJS = typeof ExcelJSModule;
export type StreamWorkbook = InstanceType<ExcelJS['stream']['xlsx']['WorkbookWriter']>;
export type StreamWorksheet = ReturnType<StreamWorkbook['addWorksheet']>;

export type { SheetLogo };

let loaded: Promise<ExcelJS> | undefined;

/** exceljs, imported once, with its zip writer taught to take entry dates from the options. */
export function loadExcelJS(): Promise<ExcelJS> {
  loaded ??= import('exceljs').then((module) => {
    const excel = ((module as { default?: ExcelJS }).default ?? module) as ExcelJS;
    fixZipEntryDates(excel);
    fixCollapsedRows(excel);
    return excel;
  });
  return loaded;
}

interface ArchiverLike {
  options?: { entryDate?: Date };
  _normalizeEntryData(data: { date?: Date }, stats?: unknown): { date?: Date };
  abort(): void;
}

/**
 * exceljs gives every zip entry the current time, so the same workbook written twice would differ. Its writer
 * creates its archiver (and adds two entries) in its constructor, so the archiver's prototype is reached through
 * a probe workbook and taught to use `options.entryDate` when it is given.
 */
function fixZipEntryDates(excel: ExcelJS): void {
  const probe = new excel.stream.xlsx.WorkbookWriter({ stream: new PassThrough() });
  const zip = (probe as unknown as { zip: ArchiverLike }).zip;
  const proto = Object.getPrototypeOf(zip) as ArchiverLike & { __fixedDates?: boolean };
  if (!proto.__fixedDates) {
    const normalize = proto._normalizeEntryData;
    proto._normalizeEntryData = function (this: ArchiverLike, data, stats) {
      const out = normalize.call(this, data, stats);
      if (this.options?.entryDate instanceof Date) out.date = this.options.entryDate;
      return out;
    };
    proto.__fixedDates = true;
  }
  zip.abort();
}

/**
 * exceljs marks every row of an outline level at or above the sheet's `outlineLevelRow` as `collapsed`, which
 * spreadsheet programs show as a closed group: the lines were hidden under their headings. Rows are never written
 * collapsed here: groups are there to fold, but open.
 */
function fixCollapsedRows(excel: ExcelJS): void {
  const probe = new excel.stream.xlsx.WorkbookWriter({ stream: new PassThrough() });
  const row = probe.addWorksheet('probe').getRow(1);
  const proto = Object.getPrototypeOf(row) as object;
  Object.defineProperty(proto, 'collapsed', { get: () => false, configurable: true });
  (probe as unknown as { zip: ArchiverLike }).zip.abort();
}

/** Paper by the customer's country: Letter in the US and Canada (Excel's paper size 1), A4 elsewhere (9). */
export const paperSizeFor = (country: string | undefined) =>
  (country === 'US' || country === 'CA' ? 1 : 9) as unknown as ExcelJSModule.PaperSize;

/** Text for a header or footer: `&` starts a code there, so a literal one is doubled. */
export const headerFooterText = (text: string) => text.replaceAll('&', '&&');

/** A streaming workbook writing to `out`, dated `at` (document properties and zip entries). */
export function streamWorkbook(excel: ExcelJS, out: Writable, at: Date): StreamWorkbook {
  const workbook = new excel.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: true,
    useSharedStrings: false,
    zip: { entryDate: at, zlib: { level: 6 } } as unknown as Partial<ExcelJSModule.stream.xlsx.ArchiverZipOptions>,
  });
  workbook.creator = 'CSP portal';
  workbook.lastModifiedBy = 'CSP portal';
  workbook.created = at;
  workbook.modified = at;
  return workbook;
}

const DRAWING_REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/drawing';
const IMAGE_REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/image';
const EMU_PER_PIXEL = 9525;

interface WorkbookInternals {
  zip: { append(source: string | Buffer, data: { name: string }): void };
  addContentTypes(): Promise<void>;
  media: { name: string }[];
}

interface WorksheetInternals {
  id: number;
  _sheetRelsWriter: { addRelationship(rel: { Target: string; Type: string }): string };
  _writeRowBreaks(): void;
  stream: { write(text: string): void };
}

/**
 * Draws the logo at the top left of each given sheet: an image part, a drawing part per sheet referencing it,
 * the `<drawing>` element in the sheet (after its row breaks, where the schema puts it) and the content type
 * of the drawings. Call before the sheets are committed.
 */
export function drawLogo(workbook: StreamWorkbook, sheets: StreamWorksheet[], logo: SheetLogo): void {
  const book = workbook as unknown as WorkbookInternals;
  const imageId = workbook.addImage({
    buffer: Buffer.from(logo.bytes) as unknown as ExcelJSModule.Buffer,
    extension: logo.extension,
  });
  const image = book.media[imageId];
  if (!image) throw new Error('exceljs did not keep the image');
  const drawings: string[] = [];
  for (const sheet of sheets) {
    const internals = sheet as unknown as WorksheetInternals;
    const name = `drawing${internals.id}`;
    drawings.push(name);
    const writeRowBreaks = internals._writeRowBreaks.bind(internals);
    internals._writeRowBreaks = () => {
      writeRowBreaks();
      const rId = internals._sheetRelsWriter.addRelationship({ Target: `../drawings/${name}.xml`, Type: DRAWING_REL });
      internals.stream.write(`<drawing r:id="${rId}"/>`);
    };
    book.zip.append(drawingXml(logo), { name: `xl/drawings/${name}.xml` });
    book.zip.append(
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${IMAGE_REL}" Target="../media/${image.name}"/></Relationships>`,
      { name: `xl/drawings/_rels/${name}.xml.rels` },
    );
  }
  const append = book.zip.append.bind(book.zip);
  book.zip.append = (source, data) => {
    if (data.name === '[Content_Types].xml' && typeof source === 'string') {
      const overrides = drawings
        .map(
          (name) =>
            `<Override PartName="/xl/drawings/${name}.xml" ContentType="application/vnd.openxmlformats-officedocument.drawing+xml"/>`,
        )
        .join('');
      source = source.replace('</Types>', `${overrides}</Types>`);
    }
    append(source, data);
  };
}

function drawingXml(logo: SheetLogo): string {
  const cx = logo.width * EMU_PER_PIXEL;
  const cy = logo.height * EMU_PER_PIXEL;
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    '<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">' +
    '<xdr:oneCellAnchor><xdr:from><xdr:col>0</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>0</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from>' +
    `<xdr:ext cx="${cx}" cy="${cy}"/>` +
    '<xdr:pic><xdr:nvPicPr><xdr:cNvPr id="2" name="Partner logo"/><xdr:cNvPicPr><a:picLocks noChangeAspect="1"/></xdr:cNvPicPr></xdr:nvPicPr>' +
    '<xdr:blipFill><a:blip xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:embed="rId1"/><a:stretch><a:fillRect/></a:stretch></xdr:blipFill>' +
    `<xdr:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="${cx}" cy="${cy}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr></xdr:pic>` +
    '<xdr:clientData/></xdr:oneCellAnchor></xdr:wsDr>'
  );
}

/** Excel's number format for amounts in a currency: thousands separators and the currency's decimals. */
export function currencyFormat(currency: string, decimals: number): string {
  const digits = decimals > 0 ? `0.${'0'.repeat(decimals)}` : '0';
  return `#,##${digits} "${currency}";-#,##${digits} "${currency}"`;
}

/** A UTC calendar date as the Date exceljs writes as that day. */
export const excelDate = (iso: string) => new Date(`${iso}T00:00:00.000Z`);

/** Row height in points for a logo of `pixels` height (96 dpi), with a little room. */
export const pointsForPixels = (pixels: number) => Math.ceil(pixels * 0.75) + 4;
