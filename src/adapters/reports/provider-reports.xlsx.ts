import type { Writable } from 'node:stream';
import type { ProductMonth } from '../../app/ports/report-renderers.port.ts';
import { drawLogo, loadExcelJS, pointsForPixels, streamWorkbook, type SheetLogo } from './xlsx-support.ts';

/**
 * The service provider subscription usage report: per month and product, the licenses computed from the
 * subscriptions (read-only: customers, subscriptions, seats held, in use) and, in their own columns, the counts
 * entered by hand. Streamed row by row; dated by its period, so the same figures give the same bytes.
 */
export const USAGE_COLUMNS = [
  { header: 'Month', width: 10 },
  { header: 'Product', width: 44 },
  { header: 'Product id', width: 24 },
  { header: 'Customers', width: 11 },
  { header: 'Subscriptions', width: 14 },
  { header: 'Seats held (month end)', width: 22 },
  { header: 'In use (assigned)', width: 18 },
  { header: 'Manual count', width: 14 },
  { header: 'Manual note', width: 40 },
] as const;

export async function writeSubscriptionUsageXlsx(
  input: { period: string; partnerName: string; months: string[]; products: ProductMonth[]; logo?: SheetLogo },
  out: Writable,
): Promise<void> {
  const excel = await loadExcelJS();
  const workbook = streamWorkbook(excel, out, new Date(`${input.period}-01T00:00:00.000Z`));
  const headerRow = input.logo ? 5 : 4;
  const sheet = workbook.addWorksheet('Subscription usage', { views: [{ state: 'frozen', ySplit: headerRow }] });
  if (input.logo) drawLogo(workbook, [sheet], input.logo);
  sheet.columns = USAGE_COLUMNS.map(({ width }, i) => ({ key: `c${i}`, width }));
  if (input.logo) {
    const logoRow = sheet.addRow([]);
    logoRow.height = pointsForPixels(input.logo.height);
    logoRow.commit();
  }
  const name = sheet.addRow([input.partnerName]);
  name.font = { bold: true, size: 14 };
  name.commit();
  const title = sheet.addRow([`Subscription usage report, ${input.months[0]} to ${input.months.at(-1)}`]);
  title.font = { bold: true, size: 12 };
  title.commit();
  sheet
    .addRow([
      'Computed columns (D to G) are read-only; manual counts (H, I) are entered under Edit licensing (PUT /api/license-counts/{period}). In use is known for the last month only.',
    ])
    .commit();
  const header = sheet.addRow(USAGE_COLUMNS.map((c) => c.header));
  header.font = { bold: true };
  header.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDEBF7' } };
  header.commit();
  let last = headerRow;
  for (const p of input.products) {
    const row = sheet.addRow([
      p.month,
      p.productName,
      p.productId,
      p.customers,
      p.subscriptions,
      p.seatsHeld,
      p.inUse,
      p.manualCount,
      p.note ?? null,
    ]);
    for (const column of [8, 9])
      row.getCell(column).fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFF2CC' } };
    row.commit();
    last += 1;
  }
  sheet.autoFilter = `A${headerRow}:I${last}`;
  sheet.commit();
  await workbook.commit();
}
