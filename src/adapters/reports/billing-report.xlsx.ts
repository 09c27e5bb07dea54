import type { Writable } from 'node:stream';
import type ExcelJSModule from 'exceljs';
import { lineKindLabels, type BillingReport } from '../../domain/billing-report.ts';
import { addressLines } from '../../domain/partner-profile.ts';
import {
  currencyFormat,
  drawLogo,
  excelDate,
  headerFooterText,
  loadExcelJS,
  paperSizeFor,
  pointsForPixels,
  streamWorkbook,
  type SheetLogo,
  type StreamWorksheet,
} from './xlsx-support.ts';

/**
 * The customer billing report as a spreadsheet, written with exceljs's streaming writer: each row is committed
 * as soon as it is written, so memory does not grow with the number of lines. Two sheets:
 * - `Summary`: partner, customer, invoice, cycle, the subtotal of each subscription, totals per kind of line;
 * - `Billing report`: the lines grouped date (cycle) → subscription → line, as Excel outline levels (open: every
 *   line shows), each subscription headed by its product, seats and term, with a subtotal row per subscription
 *   and a total row per cycle (SUBTOTAL formulas with their values, so filtering keeps them right and the nested
 *   subtotals are not counted twice), a frozen header and an autofilter. It prints landscape on the customer's
 *   paper (Letter in the US and Canada, else A4), one page wide, the heading rows on every page, `Page x of y`
 *   in the footer.
 * Amounts and unit prices are numbers in the customer's currency format (JPY without decimals). The partner's
 * logo, profile and accent colour head both sheets. Nothing in the file depends on when it was written: it is
 * dated by the invoice.
 */
export interface BillingXlsxOptions {
  logo?: SheetLogo;
}

export const LINE_COLUMNS = [
  { header: 'Date', key: 'date', width: 12 },
  { header: 'Subscription', key: 'subscription', width: 34 },
  { header: 'Line', key: 'kind', width: 12 },
  { header: 'Charge date', key: 'chargeDate', width: 12 },
  { header: 'Period start', key: 'periodStart', width: 12 },
  { header: 'Period end (excl.)', key: 'periodEnd', width: 16 },
  { header: 'Description', key: 'description', width: 60 },
  { header: 'Quantity', key: 'quantity', width: 10 },
  { header: 'Unit price', key: 'unitPrice', width: 14 },
  { header: 'Amount', key: 'amount', width: 16 },
  { header: 'Price list', key: 'priceList', width: 16 },
  { header: 'Line id', key: 'lineId', width: 40 },
] as const;

/** 1-based column of the amount (J). */
export const AMOUNT_COLUMN = 10;
const AMOUNT = 'J';
const LAST = 'L';
const bold = { bold: true };
const dateFormat = 'yyyy-mm-dd';

export async function writeBillingReportXlsx(
  report: BillingReport,
  out: Writable,
  options: BillingXlsxOptions = {},
): Promise<void> {
  const excel = await loadExcelJS();
  const workbook = streamWorkbook(excel, out, new Date(report.invoice.createdAt));
  const money = currencyFormat(report.currency, report.decimals);
  const unitPriceFormat = money;
  const headerRows = options.logo ? 5 : 4;
  const accent = `FF${report.partner.accentColor.slice(1).toUpperCase()}`;
  const paperSize = paperSizeFor(report.customer.country);
  const margins = { left: 0.5, right: 0.5, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 };
  const footer = `&L${headerFooterText(`${report.partner.legalName} · Invoice ${report.invoice.id}`)}&RPage &P of &N`;

  const summary = workbook.addWorksheet('Summary', {
    properties: { tabColor: { argb: accent } },
    views: [{ state: 'frozen', ySplit: headerRows - 2, showGridLines: false }],
    pageSetup: { paperSize, orientation: 'portrait', fitToPage: true, fitToWidth: 1, fitToHeight: 0, margins },
    headerFooter: { oddFooter: footer },
  });
  const lines = workbook.addWorksheet('Billing report', {
    // Summaries below their groups is the default; exceljs would write outlinePr after pageSetUpPr, out of the
    // schema's order, so it is not written.
    properties: { outlineLevelRow: 2 } as Partial<ExcelJSModule.WorksheetProperties>,
    views: [{ state: 'frozen', ySplit: headerRows, xSplit: 0 }],
    pageSetup: {
      paperSize,
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      printTitlesRow: `1:${headerRows}`,
      margins,
    },
    headerFooter: { oddFooter: footer },
  });
  if (options.logo) drawLogo(workbook, [summary, lines], options.logo);

  const heading = (sheet: StreamWorksheet) => {
    if (options.logo) {
      const logoRow = sheet.addRow([]);
      logoRow.height = pointsForPixels(options.logo.height);
      logoRow.commit();
    }
    const name = sheet.addRow([report.partnerName]);
    name.font = { bold: true, size: 14 };
    name.commit();
    const title = sheet.addRow([
      `Billing report for ${report.customer.name}, cycle ${report.cycle.start} to ${report.cycle.lastDay}`,
    ]);
    title.font = { bold: true, size: 12 };
    title.commit();
  };

  // Summary sheet.
  summary.columns = [
    { key: 'a', width: 40 },
    { key: 'b', width: 14 },
    { key: 'c', width: 18 },
  ];
  heading(summary);
  const partner = report.partner;
  const facts: [string, string | number | Date][] = [
    ['From', partner.legalName],
    ...addressLines(partner.address).map((line): [string, string] => ['', line]),
    ...(partner.taxId ? [['Tax id', partner.taxId] as [string, string]] : []),
    ...(partner.supportEmail || partner.supportPhone
      ? [['Support', [partner.supportEmail, partner.supportPhone].filter(Boolean).join(', ')] as [string, string]]
      : []),
    ['Customer', report.customer.name],
    ...addressLines(report.customer.address).map((line): [string, string] => ['', line]),
    ['Customer id', report.customer.id],
    ['Invoice', report.invoice.id],
    ['Issued on', excelDate(report.invoice.issuedOn)],
    ['Report date (cycle)', excelDate(report.cycle.end)],
    ['Cycle', `${report.cycle.start} to ${report.cycle.lastDay}`],
    ['Currency', report.currency],
    ['Lines', report.lineCount],
  ];
  for (const [label, value] of facts) {
    const row = summary.addRow([label, value]);
    row.getCell(1).font = bold;
    if (value instanceof Date) row.getCell(2).numFmt = dateFormat;
    row.commit();
  }
  summary.addRow([]).commit();
  const subsHeader = summary.addRow(['Subscription', 'Lines', 'Subtotal']);
  subsHeader.font = bold;
  subsHeader.commit();
  for (const group of report.groups) {
    const row = summary.addRow([group.heading, group.lines.length, Number(group.subtotal)]);
    row.getCell(3).numFmt = money;
    row.commit();
  }
  const totalRow = summary.addRow(['Total', report.lineCount, Number(report.total)]);
  totalRow.font = bold;
  totalRow.getCell(3).numFmt = money;
  totalRow.commit();
  summary.addRow([]).commit();
  const kindsHeader = summary.addRow(['Line kind', 'Lines', 'Amount']);
  kindsHeader.font = bold;
  kindsHeader.commit();
  for (const kind of report.byKind) {
    const row = summary.addRow([lineKindLabels[kind.kind], kind.lines, Number(kind.amount)]);
    row.getCell(3).numFmt = money;
    row.commit();
  }
  summary.commit();

  // Lines sheet: date → subscription → line.
  lines.columns = LINE_COLUMNS.map(({ key, width }) => ({ key, width }));
  heading(lines);
  const info = lines.addRow([
    `Invoice ${report.invoice.id}, issued ${report.invoice.issuedOn}, for ${report.customer.name}; amounts in ${report.currency}, net of tax`,
  ]);
  info.commit();
  const header = lines.addRow(LINE_COLUMNS.map((c) => c.header));
  header.font = { bold: true, color: { argb: 'FFFFFFFF' } };
  header.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: accent } };
  header.commit();
  let rowNumber = headerRows;

  const cycleDate = excelDate(report.cycle.end);
  const cycleRow = lines.addRow([cycleDate, `Cycle ${report.cycle.start} to ${report.cycle.lastDay}`]);
  rowNumber += 1;
  cycleRow.font = bold;
  cycleRow.getCell(1).numFmt = dateFormat;
  cycleRow.commit();
  const firstLineRow = rowNumber + 1;

  // Shared style objects: exceljs recognises a style it has seen by identity, so each line's cells cost no new style.
  const dateStyle = { numFmt: dateFormat };
  const unitPriceStyle = { numFmt: unitPriceFormat };
  const amountStyle = { numFmt: money };
  const plainStyle = {};
  // Column by column (1-based): date, subscription, kind, charge date, period start, period end, description, quantity, unit price, amount, price list, line id.
  const lineStyles = [
    dateStyle,
    plainStyle,
    plainStyle,
    dateStyle,
    dateStyle,
    dateStyle,
    plainStyle,
    plainStyle,
    unitPriceStyle,
    amountStyle,
    plainStyle,
    plainStyle,
  ];
  for (const group of report.groups) {
    const groupRow = lines.addRow([cycleDate, group.heading]);
    if (group.quantity !== undefined) groupRow.getCell(8).value = group.quantity;
    rowNumber += 1;
    groupRow.outlineLevel = 1;
    groupRow.font = bold;
    groupRow.getCell(1).numFmt = dateFormat;
    groupRow.commit();
    const first = rowNumber + 1;
    for (const line of group.lines) {
      const row = lines.addRow([
        cycleDate,
        group.name,
        lineKindLabels[line.kind],
        excelDate(line.chargeDate),
        excelDate(line.periodStart),
        excelDate(line.periodEnd),
        line.description,
        Number(line.quantity),
        Number(line.unitPrice),
        Number(line.amount),
        line.priceListId,
        line.id,
      ]);
      rowNumber += 1;
      row.outlineLevel = 2;
      lineStyles.forEach((style, index) => (row.getCell(index + 1).style = style));
      row.commit();
    }
    const subtotal = lines.addRow([cycleDate, `Subtotal ${group.heading}`]);
    rowNumber += 1;
    subtotal.outlineLevel = 1;
    subtotal.font = bold;
    subtotal.getCell(1).numFmt = dateFormat;
    subtotal.getCell(AMOUNT_COLUMN).value = {
      formula: `SUBTOTAL(9,${AMOUNT}${first}:${AMOUNT}${rowNumber - 1})`,
      result: Number(group.subtotal),
    };
    subtotal.getCell(AMOUNT_COLUMN).numFmt = money;
    subtotal.commit();
  }
  const total = lines.addRow([cycleDate, `Total for cycle ${report.cycle.end}`]);
  rowNumber += 1;
  total.font = { bold: true, size: 12 };
  total.getCell(1).numFmt = dateFormat;
  total.getCell(AMOUNT_COLUMN).value = {
    formula: `SUBTOTAL(9,${AMOUNT}${firstLineRow}:${AMOUNT}${Math.max(firstLineRow, rowNumber - 1)})`,
    result: Number(report.total),
  };
  total.getCell(AMOUNT_COLUMN).numFmt = money;
  total.commit();
  lines.autoFilter = `A${headerRows}:${LAST}${rowNumber}`;
  lines.commit();
  await workbook.commit();
}
