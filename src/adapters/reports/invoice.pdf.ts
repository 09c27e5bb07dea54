import { readFile } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { Font as FontkitFont } from 'fontkit';
import type PDFKit from 'pdfkit';
import type { DocumentLogo } from '../../app/ports/invoice-document.port.ts';
import { lineKindLabels, minorUnits, type BillingReport } from '../../domain/billing-report.ts';
import type { BillingLine } from '../../domain/billing.ts';
import { date } from '../../domain/calendar.ts';
import { addressLines } from '../../domain/partner-profile.ts';
import { RecentMap } from '../recent-map.ts';

/**
 * The invoice as a PDF (pdfkit, loaded on first use): the partner's logo and details, the customer billed, the
 * invoice number, cycle and issue date; the lines grouped by subscription (each group headed by product, seats
 * and term) with their period, quantity, unit price and amount, a subtotal per subscription; corrections say
 * which line they correct; the total, net of tax. Every page ends with `Page x of y`. Portrait, on Letter in the
 * US and Canada and A4 elsewhere.
 *
 * Text is set in DejaVu Sans Condensed (`fonts/`, embedded as a subset of the glyphs used), which covers Latin, Greek,
 * Cyrillic, Armenian, Georgian, Hebrew and Arabic letters and common symbols, but not Chinese, Japanese or Korean: a
 * character the font lacks is written as `?`. The fonts are read and parsed once per process and shared by every
 * document. The PDF is streamed into `out` as pdfkit produces it; it depends only on the report (dated by the
 * invoice), so it is the same bytes every time.
 */
export async function writeInvoicePdf(
  report: BillingReport,
  out: Writable,
  options: { logo?: DocumentLogo } = {},
): Promise<void> {
  const [{ default: PDFDocument }, fonts] = await Promise.all([import('pdfkit'), invoiceFonts()]);
  const issued = new Date(`${report.invoice.issuedOn}T00:00:00.000Z`);
  const letter = report.customer.country === 'US' || report.customer.country === 'CA';
  const text = (value: string) => fonts.text(value);
  const doc = new PDFDocument({
    size: letter ? 'LETTER' : 'A4',
    margins: { top: 48, bottom: 56, left: 48, right: 48 },
    bufferPages: true,
    autoFirstPage: true,
    compress: true,
    // No standard font is loaded: every text is set in the embedded fonts registered below.
    font: null as unknown as string,
    info: {
      Title: text(`Invoice ${report.invoice.id}`),
      Author: text(report.partner.legalName),
      Subject: text(`Invoice to ${report.customer.name}, cycle ${report.cycle.start} to ${report.cycle.lastDay}`),
      Creator: 'CSP portal',
      Producer: 'CSP portal',
      CreationDate: issued,
      ModDate: issued,
    },
  });
  doc.registerFont(FONT, forOneDocument(fonts.regular) as unknown as PDFKit.Mixins.PDFFontSource);
  doc.registerFont(BOLD, forOneDocument(fonts.bold) as unknown as PDFKit.Mixins.PDFFontSource);
  doc.font(BOLD);
  layOutShared(doc, fonts.boldLayout);
  doc.font(FONT);
  layOutShared(doc, fonts.regularLayout);
  const written = finished(out);
  doc.pipe(out);
  try {
    new InvoiceLayout(doc, report, options.logo, text).draw();
  } catch (error) {
    doc.unpipe(out);
    out.destroy(error instanceof Error ? error : new Error(String(error)));
    written.catch(() => undefined);
    throw error;
  }
  doc.end();
  await written;
}

/** The PDF whole, for a caller that needs the bytes (a download answered at once). */
export async function invoicePdf(report: BillingReport, options: { logo?: DocumentLogo } = {}): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  await writeInvoicePdf(
    report,
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk);
        done();
      },
    }),
    options,
  );
  return Buffer.concat(chunks);
}

interface InvoiceFonts {
  regular: FontkitFont;
  bold: FontkitFont;
  regularLayout: SharedLayout;
  boldLayout: SharedLayout;
  /** The text as the fonts can show it: a character either lacks becomes `?`. */
  text(value: string): string;
}

let fontsLoaded: Promise<InvoiceFonts> | undefined;

/** DejaVu Sans Condensed and its bold, read and parsed once per process (about 1.3 MB of font files). */
function invoiceFonts(): Promise<InvoiceFonts> {
  fontsLoaded ??= (async () => {
    const [{ create }, regularBytes, boldBytes] = await Promise.all([
      import('fontkit'),
      readFile(new URL('./fonts/DejaVuSansCondensed.ttf', import.meta.url)),
      readFile(new URL('./fonts/DejaVuSansCondensed-Bold.ttf', import.meta.url)),
    ]);
    const regular = create(regularBytes) as FontkitFont;
    const bold = create(boldBytes) as FontkitFont;
    const shown = new Map<number, boolean>();
    const covered = (code: number) => {
      let known = shown.get(code);
      if (known === undefined) {
        known = regular.hasGlyphForCodePoint(code) && bold.hasGlyphForCodePoint(code);
        shown.set(code, known);
      }
      return known;
    };
    return {
      regular,
      bold,
      regularLayout: sharedLayout(regular),
      boldLayout: sharedLayout(bold),
      text(value) {
        let out = '';
        for (const char of value) {
          const code = char.codePointAt(0) ?? 0;
          out += char === '\n' || (code >= 0x20 && covered(code)) ? char : '?';
        }
        return out;
      },
    };
  })();
  fontsLoaded.catch(() => (fontsLoaded = undefined));
  return fontsLoaded;
}

/**
 * One document's view of a font parsed once: its tables are shared, its glyph cache is its own. fontkit keeps each
 * glyph with the characters it was first asked for, and a subset asks for the parts of accented letters (ί is ι
 * and an accent) with none, so a cache shared between documents would give later documents an ι that no text
 * extraction can read. What a glyph's outline decodes to does not depend on the characters, and embedding a subset
 * decodes every glyph it holds (to find the parts of composite ones): that is decoded once per process and shared.
 */
function forOneDocument(font: FontkitFont): FontkitFont {
  let outlines = decodedOutlines.get(font);
  if (!outlines) decodedOutlines.set(font, (outlines = new Map()));
  const decoded = outlines;
  const view = Object.create(font, { _glyphs: { value: {}, writable: true } }) as FontkitFont;
  const glyphOf = font.getGlyph.bind(view) as unknown as (id: number, codePoints?: number[]) => DecodableGlyph;
  Object.defineProperty(view, 'getGlyph', {
    value(id: number, codePoints?: number[]) {
      const glyph = glyphOf(id, codePoints);
      if (!Object.hasOwn(glyph, '_decode')) {
        const decode = glyph._decode.bind(glyph);
        glyph._decode = () => {
          if (!decoded.has(glyph.id)) decoded.set(glyph.id, decode());
          return decoded.get(glyph.id);
        };
      }
      return glyph;
    },
  });
  return view;
}

/** fontkit's glyph, as far as `forOneDocument` shares its decoding. */
interface DecodableGlyph {
  id: number;
  _decode(): unknown;
}

/** Each font's decoded glyph outlines, by glyph id (read-only for subsetting). */
const decodedOutlines = new WeakMap<FontkitFont, Map<number, unknown>>();

/** A font's word layouts (glyphs and positions, in pdfkit's units), shared by every document of the process. */
interface SharedLayout {
  run(text: string): WordLayout;
}

/** What pdfkit reads of a laid-out word. */
interface WordLayout {
  glyphs: unknown[];
  positions: Record<string, number>[];
  advanceWidth: number;
}

/** How many words' layouts each font keeps: the labels, dates and names that recur from invoice to invoice. */
const SHARED_WORDS = 1024;

/**
 * pdfkit lays out each word of a text with fontkit's OpenType shaping and keeps the result for one document only:
 * every invoice shaped its labels, dates and product names again, which was most of the CPU and memory a PDF cost.
 * The layouts are kept here for the process instead, for the most recently used words, and made on a view of the
 * font of their own (as `forOneDocument`), so that no document's subset sees glyphs another document created. A
 * kept word holds only its glyphs (the view's, shared) and positions, which are interned: the same glyph advance and
 * offsets are one object, so a few thousand words cost a few hundred kilobytes, not megabytes kept alive.
 */
function sharedLayout(font: FontkitFont): SharedLayout {
  const view = forOneDocument(font);
  const scale = 1000 / font.unitsPerEm;
  const words = new RecentMap<string, WordLayout>(SHARED_WORDS);
  const positions = new Map<string, Record<string, number>>();
  const position = (glyph: { advanceWidth: number } | undefined, at: Record<string, number>) => {
    // As pdfkit's own EmbeddedFont.layoutRun: in thousandths of the font size, with the glyph's advance.
    const value = {
      xAdvance: (at.xAdvance ?? 0) * scale,
      yAdvance: (at.yAdvance ?? 0) * scale,
      xOffset: (at.xOffset ?? 0) * scale,
      yOffset: (at.yOffset ?? 0) * scale,
      advanceWidth: (glyph?.advanceWidth ?? 0) * scale,
    };
    const key = `${value.xAdvance} ${value.yAdvance} ${value.xOffset} ${value.yOffset} ${value.advanceWidth}`;
    let shared = positions.get(key);
    if (!shared) positions.set(key, (shared = value));
    return shared;
  };
  return {
    run(text) {
      let run = words.get(text);
      if (run !== undefined) return run;
      const laidOut = view.layout(text);
      const placed = laidOut.positions.map((at, i) =>
        position(laidOut.glyphs[i], at as unknown as Record<string, number>),
      );
      run = {
        glyphs: laidOut.glyphs,
        positions: placed,
        advanceWidth: placed.reduce((width, at) => width + (at.xAdvance ?? 0), 0),
      };
      words.set(text, run);
      return run;
    },
  };
}

/** Makes the document's current font (an embedded font) take its word layouts from `shared`. */
function layOutShared(doc: PDFKit.PDFDocument, shared: SharedLayout): void {
  const embedded = (doc as unknown as { _font: EmbeddedFontInternals })._font;
  const own = embedded.layoutRun.bind(embedded);
  embedded.layoutCache = undefined;
  embedded.layoutRun = (text, features) => (features ? own(text, features) : shared.run(text));
}

/** The part of pdfkit's EmbeddedFont that `layOutShared` replaces. */
interface EmbeddedFontInternals {
  layoutCache: Record<string, unknown> | undefined;
  layoutRun(text: string, features?: unknown): unknown;
}

const FONT = 'DejaVuSansCondensed';
const BOLD = 'DejaVuSansCondensed-Bold';
const GREY = '#555555';
const RULE = '#BBBBBB';

/** Columns of the lines table, as fractions of the text width. */
const COLUMNS = [
  { key: 'no', title: 'No.', share: 0.05, align: 'left' },
  { key: 'description', title: 'Description', share: 0.35, align: 'left' },
  { key: 'period', title: 'Period', share: 0.21, align: 'left' },
  // Wide enough for a usage quantity with four decimals (1,694.3101).
  { key: 'quantity', title: 'Qty', share: 0.1, align: 'right' },
  { key: 'unitPrice', title: 'Unit price', share: 0.14, align: 'right' },
  { key: 'amount', title: 'Amount', share: 0.15, align: 'right' },
] as const;
type ColumnKey = (typeof COLUMNS)[number]['key'];

class InvoiceLayout {
  private readonly left: number;
  private readonly width: number;
  private readonly bottom: number;
  private readonly accent: string;
  private readonly columns: { key: ColumnKey; title: string; x: number; width: number; align: 'left' | 'right' }[];
  private readonly numbers = new Map<string, number>();

  constructor(
    private readonly doc: PDFKit.PDFDocument,
    private readonly report: BillingReport,
    private readonly logo: DocumentLogo | undefined,
    private readonly pdfText: (value: string) => string,
  ) {
    this.left = doc.page.margins.left;
    this.width = doc.page.width - doc.page.margins.left - doc.page.margins.right;
    this.bottom = doc.page.height - doc.page.margins.bottom;
    this.accent = report.partner.accentColor;
    let x = this.left;
    this.columns = COLUMNS.map((c) => {
      const column = { key: c.key, title: c.title, x, width: this.width * c.share, align: c.align };
      x += column.width;
      return column;
    });
    let number = 0;
    for (const group of report.groups) for (const line of group.lines) this.numbers.set(line.id, ++number);
  }

  draw(): void {
    this.header();
    this.parties();
    this.table();
    this.totals();
    this.footers();
  }

  private text(value: string, x: number, y: number, options: PDFKit.Mixins.TextOptions = {}): void {
    this.doc.text(this.pdfText(value), x, y, { lineBreak: true, ...options });
  }

  /**
   * A table cell's text in `width`: a text that fits on one line is placed directly (its x from its width when
   * right-aligned), as pdfkit's line wrapper would place it, without running the wrapper; a longer one is wrapped.
   */
  private cell(value: string, x: number, y: number, width: number, align: 'left' | 'right'): void {
    const shown = this.pdfText(value);
    const fits = this.fitsOneLine(shown, width);
    if (fits === undefined) {
      this.doc.text(shown, x, y, { lineBreak: true, width, align });
      return;
    }
    this.doc.text(shown, align === 'right' ? x + width - fits : x, y, { lineBreak: false });
  }

  /** The height `value` takes in `width`, in the current font and size (as pdfkit's heightOfString). */
  private cellHeight(value: string, width: number, align: 'left' | 'right' = 'left'): number {
    const shown = this.pdfText(value);
    if (this.fitsOneLine(shown, width) === undefined) return this.doc.heightOfString(shown, { width, align });
    return this.doc.currentLineHeight(true);
  }

  /** The width of a one-line text (trailing spaces not counted) when it fits `width`; else undefined. */
  private fitsOneLine(shown: string, width: number): number | undefined {
    if (shown === '' || shown.includes('\n')) return undefined;
    const measured = this.doc.widthOfString(shown.trimEnd());
    return measured <= width ? measured : undefined;
  }

  private header(): void {
    const { doc, report } = this;
    const top = doc.page.margins.top;
    let logoBottom = top;
    if (this.logo) {
      // At most 200 × 50 pt, keeping its proportions.
      const scale = Math.min(200 / this.logo.width, 50 / this.logo.height, 1);
      doc.image(Buffer.from(this.logo.bytes), this.left, top, {
        width: this.logo.width * scale,
        height: this.logo.height * scale,
      });
      logoBottom = top + this.logo.height * scale + 8;
    }
    const partner = report.partner;
    const right = this.left + this.width / 2;
    const column = this.width / 2;
    doc.font(BOLD).fontSize(11).fillColor('black');
    this.text(partner.legalName, right, top, { width: column, align: 'right' });
    doc.font(FONT).fontSize(9).fillColor(GREY);
    const details = [
      ...addressLines(partner.address),
      ...(partner.taxId ? [`Tax id ${partner.taxId}`] : []),
      ...[partner.supportEmail, partner.supportPhone].filter((v): v is string => !!v),
    ];
    for (const line of details) this.text(line, right, doc.y, { width: column, align: 'right' });
    doc.y = Math.max(doc.y, logoBottom) + 16;

    doc.font(BOLD).fontSize(22).fillColor(this.accent);
    this.text('Invoice', this.left, doc.y);
    doc.moveDown(0.3);
  }

  private parties(): void {
    const { doc, report } = this;
    const top = doc.y;
    const half = this.width / 2;
    doc.font(BOLD).fontSize(9).fillColor(GREY);
    this.text('Bill to', this.left, top);
    doc.font(BOLD).fontSize(11).fillColor('black');
    this.text(report.customer.name, this.left, doc.y, { width: half - 12 });
    doc.font(FONT).fontSize(9);
    for (const line of addressLines(report.customer.address)) this.text(line, this.left, doc.y, { width: half - 12 });
    const leftBottom = doc.y;

    const facts: [string, string][] = [
      ['Invoice number', report.invoice.id],
      ['Issue date', report.invoice.issuedOn],
      ['Billing cycle', `${report.cycle.start} to ${report.cycle.lastDay}`],
      ['Customer id', report.customer.id],
      ['Currency', report.currency],
    ];
    // Labels as wide as the widest; a value too long for its column (a customer id) is set smaller, not wrapped.
    doc.font(BOLD).fontSize(9);
    const labelWidth = Math.max(...facts.map(([label]) => doc.widthOfString(this.pdfText(label)))) + 10;
    const valueWidth = half - labelWidth;
    let y = top;
    for (const [label, value] of facts) {
      doc.font(BOLD).fontSize(9).fillColor(GREY);
      this.text(label, this.left + half, y, { width: labelWidth });
      doc.font(FONT).fontSize(9).fillColor('black');
      const width = doc.widthOfString(this.pdfText(value));
      if (width > valueWidth) doc.fontSize(Math.max(6.5, (9 * valueWidth) / width));
      this.text(value, this.left + half + labelWidth, y, { width: valueWidth });
      y = Math.max(doc.y, y + doc.currentLineHeight()) + 2;
    }
    doc.y = Math.max(leftBottom, y) + 18;
  }

  private tableHeader(): void {
    const { doc } = this;
    const y = doc.y;
    const titles = this.columns.map((c) =>
      c.key === 'unitPrice' || c.key === 'amount' ? `${c.title} (${this.report.currency})` : c.title,
    );
    doc.font(BOLD).fontSize(8.5);
    // As high as its tallest title, so that a title that wraps stays inside the band.
    const height =
      Math.max(
        ...this.columns.map((c, i) => doc.heightOfString(this.pdfText(titles[i] ?? ''), { width: c.width - 4 })),
      ) + 5;
    doc.rect(this.left, y - 3, this.width, height).fill(this.accent);
    doc.font(BOLD).fontSize(8.5).fillColor('white');
    this.columns.forEach((c, i) => this.text(titles[i] ?? '', c.x + 2, y, { width: c.width - 4, align: c.align }));
    doc.fillColor('black');
    doc.y = y + height + 1;
  }

  /** Starts a new page (with the table's header) when `height` does not fit on this one. */
  private ensureRoom(height: number, withHeader = true): void {
    if (this.doc.y + height <= this.bottom) return;
    this.doc.addPage();
    this.doc.y = this.doc.page.margins.top;
    if (withHeader) this.tableHeader();
  }

  private row(cells: Partial<Record<ColumnKey, string>>, options: { bold?: boolean; note?: string } = {}): void {
    const { doc } = this;
    doc.font(options.bold ? BOLD : FONT).fontSize(8.5);
    const heights = this.columns.map((c) => this.cellHeight(cells[c.key] ?? '', c.width - 4, c.align));
    doc.font(FONT).fontSize(7.5);
    const noteColumn = this.columns[1];
    const noteHeight = options.note && noteColumn ? this.cellHeight(options.note, noteColumn.width - 4) : 0;
    const height = Math.max(...heights, 0) + noteHeight + 4;
    this.ensureRoom(height);
    const y = doc.y;
    doc
      .font(options.bold ? BOLD : FONT)
      .fontSize(8.5)
      .fillColor('black');
    for (const c of this.columns) {
      const value = cells[c.key];
      if (value) this.cell(value, c.x + 2, y, c.width - 4, c.align);
    }
    if (options.note && noteColumn) {
      doc.font(FONT).fontSize(7.5).fillColor(GREY);
      this.cell(options.note, noteColumn.x + 2, y + (heights[1] ?? 0), noteColumn.width - 4, 'left');
      doc.fillColor('black');
    }
    doc.y = y + height;
  }

  /** A subtotal row: its label across the columns from the description to the unit price, its amount right. */
  private subtotal(label: string, amount: string): void {
    const { doc } = this;
    const description = this.columns[1];
    const last = this.columns.at(-1);
    if (!description || !last) return;
    const labelWidth = last.x - description.x - 4;
    doc.font(BOLD).fontSize(8.5);
    const height = this.cellHeight(label, labelWidth) + 4;
    this.ensureRoom(height);
    const y = doc.y;
    doc.fillColor('black');
    this.cell(label, description.x + 2, y, labelWidth, 'left');
    this.cell(amount, last.x + 2, y, last.width - 4, 'right');
    doc.y = y + height;
  }

  private rule(color = RULE, weight = 0.5): void {
    this.doc
      .moveTo(this.left, this.doc.y - 2)
      .lineTo(this.left + this.width, this.doc.y - 2)
      .lineWidth(weight)
      .strokeColor(color)
      .stroke();
  }

  private table(): void {
    const { doc, report } = this;
    this.tableHeader();
    const money = (value: string) => formatAmount(minorUnits(value, report.decimals));
    for (const group of report.groups) {
      doc.font(BOLD).fontSize(9.5);
      const headingHeight = this.cellHeight(group.heading, this.width) + 6;
      // A heading is never left alone at the bottom of a page.
      this.ensureRoom(headingHeight + 24);
      const y = doc.y + 2;
      doc.fillColor(this.accent);
      this.cell(group.heading, this.left, y, this.width, 'left');
      doc.fillColor('black');
      doc.y = y + headingHeight;
      for (const line of group.lines) {
        this.row(
          {
            no: String(this.numbers.get(line.id) ?? ''),
            description: `${lineKindLabels[line.kind]}: ${line.description}`,
            period: periodOf(line),
            quantity: formatQuantity(line.quantity),
            unitPrice: money(line.unitPrice),
            amount: money(line.amount),
          },
          line.correctsLineId || line.originalCycle ? { note: this.correctionNote(line) } : {},
        );
      }
      doc.y += 2;
      this.rule();
      this.subtotal(`Subtotal ${group.name}`, money(group.subtotal));
      doc.y += 4;
    }
  }

  /** Which line a correction corrects: its number on this invoice, else its id and the cycle it was billed in. */
  private correctionNote(line: BillingLine): string {
    const corrected = line.correctsLineId ? this.numbers.get(line.correctsLineId) : undefined;
    if (corrected !== undefined) return `Corrects line ${corrected} of this invoice`;
    const cycle = line.originalCycle ? `the invoice of the cycle ending ${line.originalCycle}` : 'an earlier invoice';
    return line.correctsLineId ? `Corrects line ${line.correctsLineId} of ${cycle}` : `Belongs to ${cycle}`;
  }

  private totals(): void {
    const { doc, report } = this;
    this.ensureRoom(60, false);
    doc.y += 6;
    this.rule(this.accent, 1.2);
    const amount = this.columns.at(-1);
    const label = this.columns.at(-2);
    if (!amount || !label) return;
    const y = doc.y + 4;
    doc.font(BOLD).fontSize(11).fillColor('black');
    this.text(`Total (${report.currency})`, this.left, y, { width: amount.x - this.left - 4, align: 'right' });
    this.text(formatAmount(minorUnits(report.total, report.decimals)), amount.x + 2, y, {
      width: amount.width - 4,
      align: 'right',
    });
    doc.font(FONT).fontSize(8.5).fillColor(GREY);
    this.text(`Amounts in ${report.currency}, net of tax. ${report.lineCount} line(s).`, this.left, doc.y + 10, {
      width: this.width,
    });
  }

  private footers(): void {
    const { doc, report } = this;
    const range = doc.bufferedPageRange();
    for (let index = range.start; index < range.start + range.count; index++) {
      doc.switchToPage(index);
      const y = doc.page.height - doc.page.margins.bottom + 20;
      // Writing below the bottom margin would start a new page: the margin is lifted while the footer is written.
      const bottom = doc.page.margins.bottom;
      doc.page.margins.bottom = 0;
      doc.font(FONT).fontSize(7.5).fillColor(GREY);
      this.text(`${report.partner.legalName} · Invoice ${report.invoice.id}`, this.left, y, {
        width: this.width / 2,
        lineBreak: false,
      });
      this.text(`Page ${index - range.start + 1} of ${range.count}`, this.left + this.width / 2, y, {
        width: this.width / 2,
        align: 'right',
        lineBreak: false,
      });
      doc.page.margins.bottom = bottom;
    }
  }
}

/** `2026-03-01 – 2026-03-31` (the period's last day; periods are stored half-open). */
function periodOf(line: BillingLine): string {
  const last = date(line.periodEnd).subtract({ days: 1 }).toString();
  return last <= line.periodStart ? line.periodStart : `${line.periodStart} – ${last}`;
}

/** A decimal string with thousands separators: `1234.50` → `1,234.50`, `-5` → `-5`. */
export function formatAmount(value: string): string {
  const negative = value.startsWith('-');
  const [whole = '0', fraction] = (negative ? value.slice(1) : value).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${grouped}${fraction !== undefined ? `.${fraction}` : ''}`;
}

function formatQuantity(value: string): string {
  return formatAmount(value.includes('.') ? value.replace(/\.?0+$/, '') : value);
}
