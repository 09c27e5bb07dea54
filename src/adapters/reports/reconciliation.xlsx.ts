import type { Writable } from 'node:stream';
import type { ReconciliationReportWriter } from '../../app/ports/reconciliation.port.ts';
import type { CustomerReconciliation } from '../../domain/reconciliation.ts';
import { loadExcelJS, streamWorkbook } from './xlsx-support.ts';

/**
 * The month's reconciliation workbook (F-RECON): sheet "Customers" with Microsoft's cost, the amount billed, margin,
 * margin % and leakage per customer and subscription; sheet "Mismatches" naming every difference. Both sheets are
 * streamed; mismatches are few, so they are held until the customers sheet is committed. Amounts are numbers in
 * the currency's format, so the sheet sums them.
 */
const CUSTOMER_COLUMNS = [
  { header: 'Customer', width: 32 },
  { header: 'Subscription', width: 40 },
  { header: 'Currency', width: 9 },
  { header: 'Microsoft cost', width: 15 },
  { header: 'Billed', width: 15 },
  { header: 'Margin', width: 15 },
  { header: 'Margin %', width: 10 },
  { header: 'Leakage', width: 12 },
  { header: 'Mismatches', width: 11 },
  { header: 'Cycles not billed yet', width: 22 },
] as const;

const MISMATCH_COLUMNS = [
  { header: 'Customer', width: 32 },
  { header: 'Subscription', width: 40 },
  { header: 'Charge date', width: 12 },
  { header: 'Mismatch', width: 20 },
  { header: 'Microsoft amount', width: 17 },
  { header: 'Billed amount', width: 15 },
  { header: 'Impact', width: 12 },
  { header: 'Currency', width: 9 },
  { header: 'What happened', width: 90 },
] as const;

const numberFormat = (currency: string) => (currency === 'JPY' ? '#,##0' : '#,##0.00');
const num = (value: string | undefined) => (value === undefined ? null : Number(value));

export const reconciliationXlsx: ReconciliationReportWriter = {
  async write(input, out: Writable) {
    const excel = await loadExcelJS();
    const workbook = streamWorkbook(excel, out, new Date(`${input.month}-01T00:00:00.000Z`));
    const customers = workbook.addWorksheet('Customers', { views: [{ state: 'frozen', ySplit: 4 }] });
    customers.columns = CUSTOMER_COLUMNS.map(({ width }, i) => ({ key: `c${i}`, width }));
    const title = customers.addRow([input.partnerName]);
    title.font = { bold: true, size: 14 };
    title.commit();
    const subtitle = customers.addRow([`Reconciliation of Microsoft's billed line items, ${input.month}`]);
    subtitle.font = { bold: true, size: 12 };
    subtitle.commit();
    customers.addRow([]).commit();
    const header = customers.addRow(CUSTOMER_COLUMNS.map((c) => c.header));
    header.font = { bold: true };
    header.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDEBF7' } };
    header.commit();

    const held: {
      customer: CustomerReconciliation;
      mismatch: CustomerReconciliation['subscriptions'][number]['mismatches'][number];
    }[] = [];
    for await (const customer of input.customers) {
      const format = numberFormat(customer.currency);
      const total = customers.addRow([
        customer.customerName,
        'All subscriptions',
        customer.currency,
        num(customer.microsoftCost),
        num(customer.billed),
        num(customer.margin),
        num(customer.marginPercent),
        num(customer.leakage),
        customer.mismatchCount,
        customer.unbilledCycles.join(', '),
      ]);
      total.font = { bold: true };
      for (const col of [4, 5, 6, 8]) total.getCell(col).numFmt = format;
      total.commit();
      for (const sub of customer.subscriptions) {
        const row = customers.addRow([
          '',
          sub.productName,
          customer.currency,
          num(sub.microsoftCost),
          num(sub.billed),
          num(sub.margin),
          num(sub.marginPercent),
          null,
          sub.mismatches.length,
          '',
        ]);
        row.outlineLevel = 1;
        for (const col of [4, 5, 6]) row.getCell(col).numFmt = format;
        row.commit();
        for (const mismatch of sub.mismatches) held.push({ customer, mismatch });
      }
    }
    customers.commit();

    const sheet = workbook.addWorksheet('Mismatches', { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.columns = MISMATCH_COLUMNS.map(({ width }, i) => ({ key: `m${i}`, width }));
    const head = sheet.addRow(MISMATCH_COLUMNS.map((c) => c.header));
    head.font = { bold: true };
    head.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFCE4D6' } };
    head.commit();
    if (held.length === 0) sheet.addRow(['No mismatches: every charge matches.']).commit();
    for (const { customer, mismatch } of held) {
      const format = numberFormat(customer.currency);
      const product =
        customer.subscriptions.find((s) => s.subscriptionId === mismatch.subscriptionId)?.productName ??
        mismatch.subscriptionId;
      const row = sheet.addRow([
        customer.customerName,
        product,
        mismatch.chargeDate,
        mismatch.kind,
        num(mismatch.microsoftAmount),
        num(mismatch.billedAmount),
        num(mismatch.impact),
        customer.currency,
        mismatch.description,
      ]);
      for (const col of [5, 6, 7]) row.getCell(col).numFmt = format;
      row.commit();
    }
    sheet.commit();
    await workbook.commit();
  },
};
