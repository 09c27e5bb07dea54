import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import JSZip from 'jszip';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { continueBillingRun, startBillingRun } from '../../src/app/billing/billing-run.ts';
import { billingDepsOf } from '../../src/app/billing/deps.ts';
import { reportWriter, writeCustomerReports, type WrittenFile } from '../../src/app/reports/report-writer.ts';
import { csvColumns } from '../../src/domain/billing-report.ts';
import type { BillingLine, Invoice } from '../../src/domain/billing.ts';
import { inertCell } from '../../src/domain/csv-safety.ts';
import { dec } from '../../src/domain/money.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { testClock } from '../support/clock.ts';
import { buildPng } from '../support/images.ts';
import { formulaOf, numberOf, readWorkbook, sha256, validateAgainst } from '../support/reports.ts';
import {
  BUSINESS_BASIC,
  BUSINESS_PREMIUM,
  bought,
  changeOf,
  setupCustomer,
  type CustomerSetup,
} from '../support/subscription-builders.ts';

/**
 * F-REPORTS: a billing run writes each customer's report of the cycle as xlsx, csv and xml into
 * `reports/{period}/{customerId}/{cycle}.*`, then the period's manifest and a notice to the partner. Every file is
 * read back and checked against the invoice; customers reach only their own files, through short-lived,
 * read-only links.
 */
const clock = testClock('2026-03-01T09:00:00Z');
let app: TestApp;
let usd: CustomerSetup;
let jpy: CustomerSetup;
let other: CustomerSetup;
let empty: CustomerSetup;
const written: WrittenFile[] = [];

const PERIOD = '2026-04';
const CYCLE = '2026-04-01';

async function invoiceAndLines(customerId: string): Promise<{ invoice: Invoice; lines: BillingLine[] }> {
  const invoice = (await app.services.billing.invoice(customerId, CYCLE))?.value;
  if (!invoice) throw new Error(`no invoice for ${customerId}`);
  return { invoice, lines: await app.services.billing.lines(customerId, CYCLE, CYCLE) };
}

const blob = async (name: string) => {
  const bytes = await app.services.reports.read(name);
  if (!bytes) throw new Error(`no blob ${name}`);
  return bytes;
};

const oneOff = (setup: CustomerSetup, date: string, description: string, unitPrice: string, quantity = '1') =>
  app.call('POST', `/api/customers/${setup.customerId}/one-off-charges`, {
    token: setup.partner,
    body: { date, description, unitPrice, quantity },
  });

beforeAll(async () => {
  app = await createTestApp({ PARTNER_NAME: 'Fabrikam Cloud Services', REPORT_SAS_MINUTES: '10' }, { clock });
  usd = await setupCustomer(app, { billingDay: 1, currency: 'USD', name: 'Contoso & Sons <Ltd>' });
  jpy = await setupCustomer(app, { billingDay: 1, currency: 'JPY', country: 'JP', name: 'Tailspin KK' });
  other = await setupCustomer(app, { billingDay: 1, currency: 'USD', name: 'Other Corp' });
  empty = await setupCustomer(app, { billingDay: 1, currency: 'USD', name: 'Nothing Billed Inc' });
  const profile = await app.call('PUT', '/api/settings/partner-profile', {
    token: usd.partner,
    body: {
      legalName: 'Fabrikam Cloud Services GmbH',
      address: { line1: 'Bahnhofstrasse 1', city: 'Zürich', postalCode: '8001', country: 'CH' },
      taxId: 'CHE-123.456.789 MWST',
      supportEmail: 'billing@fabrikam.example',
      accentColor: '#0A7D5A',
    },
  });
  expect(profile.status).toBe(200);
  const logo = await app.call('PUT', '/api/branding/logo', {
    token: usd.partner,
    rawBody: buildPng({ width: 300, height: 60 }),
    headers: { 'content-type': 'image/png' },
  });
  expect(logo.status).toBe(200);

  // 2026-03-01: Premium ×10 and Basic ×4; 03-10: +5 Premium (pro-rata); 03-12: −2 inside the window (refund).
  const premium = (await bought(app, usd, { productId: BUSINESS_PREMIUM, quantity: 10 })).id;
  await bought(app, usd, { productId: BUSINESS_BASIC, quantity: 4 });
  clock.set('2026-03-10T09:00:00Z');
  expect((await changeOf(app, usd, premium, { kind: 'quantity', quantity: 15, effective: 'immediately' })).status).toBe(
    200,
  );
  clock.set('2026-03-12T09:00:00Z');
  expect((await changeOf(app, usd, premium, { kind: 'quantity', quantity: 13, effective: 'immediately' })).status).toBe(
    200,
  );
  expect((await oneOff(usd, '2026-03-20', 'Workshop "A&B" <onsite>, Zürich; naïve 日本', '150.00')).status).toBe(201);
  expect((await oneOff(jpy, '2026-03-15', 'Migration work', '1500', '3')).status).toBe(201);
  expect((await oneOff(jpy, '2026-03-16', 'Training', '12345')).status).toBe(201);
  expect((await oneOff(other, '2026-03-18', 'Other customer work', '99.00')).status).toBe(201);

  clock.set('2026-04-01T01:00:00Z');
  await startBillingRun(app.services, PERIOD, 'test');
  const run = await continueBillingRun(
    billingDepsOf(app.services, reportWriter(app.services, { onFile: (f) => written.push(f) })),
    PERIOD,
  );
  expect(run).toMatchObject({ status: 'completed', customersDone: 4 });
});

const kindLabel: Record<string, string> = {
  cycleFee: 'Cycle fee',
  proRata: 'Pro-rata',
  refund: 'Refund',
  usage: 'Usage',
  oneOff: 'One-off',
  correction: 'Correction',
};
const squash = (text: string) => text.replace(/\s+/g, ' ').trim();
const grouped = (value: string) =>
  value.replace(/^(-?)(\d+)/, (_, sign: string, whole: string) => sign + whole.replace(/\B(?=(\d{3})+(?!\d))/g, ','));
/** What the PDF's font (DejaVu Sans Condensed) can show: all but Chinese, Japanese and Korean, which become `?`. */
const asPdfText = (text: string) => text.replace(/[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]/g, '?');

async function pdfTextOf(bytes: Uint8Array): Promise<string> {
  const { extractText, getDocumentProxy } = await import('unpdf');
  const pdf = await getDocumentProxy(new Uint8Array(bytes));
  const { text } = await extractText(pdf, { mergePages: true });
  return squash(text);
}

afterEach(() => {
  vi.useRealTimers();
});

describe('files written by the run', () => {
  it('puts three files per customer under {period}/{customerId}/{cycle}, with content types and metadata', async () => {
    const names = written
      .filter((f) => f.customerId)
      .map((f) => f.name)
      .sort();
    expect(names).toEqual(
      [usd, jpy, other]
        .flatMap((s) => ['csv', 'pdf', 'xlsx', 'xml'].map((ext) => `${PERIOD}/${s.customerId}/${CYCLE}.${ext}`))
        .sort(),
    );
    const { invoice } = await invoiceAndLines(usd.customerId);
    const xlsx = await app.services.reports.stat(`${PERIOD}/${usd.customerId}/${CYCLE}.xlsx`);
    expect(xlsx).toMatchObject({
      contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      metadata: { customerid: usd.customerId, cycle: CYCLE, invoiceid: invoice.id },
    });
    expect(xlsx?.sha256).toBe(sha256(await blob(`${PERIOD}/${usd.customerId}/${CYCLE}.xlsx`)));
    expect((await app.services.reports.stat(`${PERIOD}/${usd.customerId}/${CYCLE}.csv`))?.contentType).toBe(
      'text/csv; charset=utf-8',
    );
    expect((await app.services.reports.stat(`${PERIOD}/${usd.customerId}/${CYCLE}.xml`))?.contentType).toBe(
      'application/xml; charset=utf-8',
    );
  });

  it('writes a spreadsheet grouped cycle → subscription → line whose subtotals and total match the invoice', async () => {
    const { invoice, lines } = await invoiceAndLines(usd.customerId);
    expect(invoice.lineCount).toBe(5);
    const workbook = await readWorkbook(await blob(`${PERIOD}/${usd.customerId}/${CYCLE}.xlsx`));
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['Summary', 'Billing report']);
    const sheet = workbook.getWorksheet('Billing report');
    if (!sheet) throw new Error('no sheet');

    // The partner's logo and name head the sheet; the header row is frozen and filtered.
    expect(sheet.getImages()).toHaveLength(1);
    expect(sheet.getRow(2).getCell(1).value).toBe('Fabrikam Cloud Services GmbH');
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 5 });
    expect(sheet.getRow(5).getCell(10).value).toBe('Amount');
    expect(sheet.autoFilter).toMatch(/^A5:L\d+$/);
    expect(sheet.getColumn(7).width).toBe(60);

    // Walk the rows: cycle (level 0) → subscription header (1) → lines (2) → subtotal (1) … → cycle total (0).
    const groups: { name: string; lines: { id: string; amount: number }[]; subtotal?: number; formula?: string }[] = [];
    let total: number | undefined;
    sheet.eachRow((row, number) => {
      if (number <= 5) return;
      const label = String(row.getCell(2).value ?? '');
      if (row.outlineLevel === 1 && !label.startsWith('Subtotal ')) groups.push({ name: label, lines: [] });
      else if (row.outlineLevel === 2)
        groups.at(-1)?.lines.push({ id: String(row.getCell(12).value), amount: numberOf(row.getCell(10).value) });
      else if (row.outlineLevel === 1) {
        const group = groups.at(-1);
        if (group) {
          group.subtotal = numberOf(row.getCell(10).value);
          group.formula = formulaOf(row.getCell(10).value);
        }
      } else if (label.startsWith('Total for cycle')) total = numberOf(row.getCell(10).value);
    });
    const amountOf = (id: string) => lines.find((l) => l.id === id)?.amount;
    expect(groups.flatMap((g) => g.lines.map((l) => l.id)).sort()).toEqual(lines.map((l) => l.id).sort());
    for (const group of groups) {
      for (const line of group.lines) expect(dec(line.amount).toFixed(2)).toBe(amountOf(line.id));
      const expected = lines
        .filter((l) => group.lines.some((g) => g.id === l.id))
        .reduce((s, l) => s.plus(l.amount), dec(0));
      expect(dec(group.subtotal ?? NaN).toFixed(2), group.name).toBe(expected.toFixed(2));
      expect(group.formula).toMatch(/^SUBTOTAL\(9,J\d+:J\d+\)$/);
    }
    expect(groups.map((g) => g.name)).toEqual([
      'Microsoft 365 Business Basic, 4 seats, 1-year term, billed monthly',
      'Microsoft 365 Business Premium, 13 seats, 1-year term, billed monthly',
      'Other charges',
    ]);
    expect(groups.map((g) => g.lines.length)).toEqual([1, 3, 1]);
    expect(dec(total ?? NaN).toFixed(2)).toBe(invoice.total);

    // Amounts carry the customer's currency format.
    const firstLine = sheet.getRow(8);
    expect(firstLine.outlineLevel).toBe(2);
    expect(firstLine.getCell(10).numFmt).toBe('#,##0.00 "USD";-#,##0.00 "USD"');

    // Summary sheet: per-subscription subtotals and the total, again equal to the invoice.
    const summary = workbook.getWorksheet('Summary');
    const cells: Record<string, unknown> = {};
    summary?.eachRow((row) => (cells[String(row.getCell(1).value)] = row.getCell(3).value ?? row.getCell(2).value));
    expect(cells.Invoice).toBe(invoice.id);
    expect(dec(numberOf(cells.Total as number)).toFixed(2)).toBe(invoice.total);
    expect(summary?.getImages()).toHaveLength(1);
  });

  it('opens with every line showing, headed by product, seats and term, and prints landscape one page wide', async () => {
    const bytes = await blob(`${PERIOD}/${usd.customerId}/${CYCLE}.xlsx`);
    const zip = await JSZip.loadAsync(bytes);
    const sheetXml = (await zip.file('xl/worksheets/sheet2.xml')?.async('string')) ?? '';
    const rows = sheetXml.match(/<row [^>]*>/g) ?? [];
    expect(rows.length).toBeGreaterThan(8);
    // Nothing hidden, nothing collapsed: the outline is there to fold, but open.
    expect(rows.filter((r) => /hidden="1"|collapsed="1"/.test(r))).toEqual([]);
    expect(sheetXml).toContain('outlineLevelRow="2"');
    // The schema's order inside sheetPr (Excel repairs a file that breaks it).
    expect(sheetXml).toMatch(/<sheetPr>(<tabColor[^>]*\/>)?<pageSetUpPr fitToPage="1"\/><\/sheetPr>/);
    const workbookXml = (await zip.file('xl/workbook.xml')?.async('string')) ?? '';
    expect(workbookXml).toContain(
      '<definedName name="_xlnm.Print_Titles" localSheetId="1">&apos;Billing report&apos;!$1:$5</definedName>',
    );

    const workbook = await readWorkbook(bytes);
    const sheet = workbook.getWorksheet('Billing report');
    if (!sheet) throw new Error('no sheet');
    // US customer: Letter (1), landscape, fit to one page wide, as many pages tall as needed; page x of y.
    expect(sheet.pageSetup).toMatchObject({ orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 });
    expect(sheetXml).toContain('paperSize="1"');
    expect(sheet.headerFooter.oddFooter).toBe(
      `&LFabrikam Cloud Services GmbH · Invoice ${(await invoiceAndLines(usd.customerId)).invoice.id}&RPage &P of &N`,
    );
    // Headings name products, never a subscription id.
    const guid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
    const headings: string[] = [];
    sheet.eachRow((row) => {
      expect(row.hidden).toBe(false);
      if (row.outlineLevel === 1)
        headings.push(...[2, 7].map((c) => String(row.getCell(c).value ?? '')).filter((t) => t !== ''));
    });
    expect(headings.length).toBeGreaterThanOrEqual(6);
    for (const heading of headings) expect(heading).not.toMatch(guid);
    const premium = [...Array(sheet.rowCount).keys()]
      .map((i) => sheet.getRow(i + 1))
      .find((r) => r.outlineLevel === 1 && String(r.getCell(2).value).startsWith('Microsoft 365 Business Premium'));
    expect(premium?.getCell(8).value).toBe(13);
    // Unit prices in the currency's minor units too; the header in the partner's accent colour.
    expect(sheet.getRow(8).getCell(9).numFmt).toBe('#,##0.00 "USD";-#,##0.00 "USD"');
    expect(sheet.getRow(5).getCell(1).fill).toMatchObject({ fgColor: { argb: 'FF0A7D5A' } });

    // The summary names both parties and the invoice.
    const summary = workbook.getWorksheet('Summary');
    const text: string[] = [];
    summary?.eachRow((row) => row.eachCell((cell) => text.push(String(cell.value))));
    for (const expected of [
      'Fabrikam Cloud Services GmbH',
      'Bahnhofstrasse 1',
      'CHE-123.456.789 MWST',
      'Contoso & Sons <Ltd>',
      (await invoiceAndLines(usd.customerId)).invoice.id,
    ])
      expect(text).toContain(expected);
    expect(text.join('\n')).not.toContain('Your CSP partner');
    expect(summary?.pageSetup).toMatchObject({ orientation: 'portrait', fitToWidth: 1 });
  });

  it('writes a PDF invoice whose text is its invoice: both parties, every line, the subtotals and the total', async () => {
    for (const setup of [usd, jpy]) {
      const { invoice, lines } = await invoiceAndLines(setup.customerId);
      const decimals = setup === jpy ? 0 : 2;
      const bytes = await blob(`${PERIOD}/${setup.customerId}/${CYCLE}.pdf`);
      expect(new TextDecoder().decode(bytes.subarray(0, 5))).toBe('%PDF-');
      const text = await pdfTextOf(bytes);
      for (const expected of [
        'Fabrikam Cloud Services GmbH',
        'Bahnhofstrasse 1',
        'Tax id CHE-123.456.789 MWST',
        'Bill to',
        `Invoice number ${invoice.id}`,
        `Issue date ${invoice.issuedOn}`,
        `Billing cycle ${invoice.cycleStart} to`,
        `Total (${invoice.currency}) ${grouped(dec(invoice.total).toFixed(decimals))}`,
        `${lines.length} line(s)`,
        'Page 1 of 1',
      ])
        expect(text, expected).toContain(expected);
      // Each line as one row: kind and description, period (last day inclusive), quantity, unit price, amount.
      for (const line of lines) {
        const last = new Date(Date.parse(`${line.periodEnd}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
        const period = last <= line.periodStart ? line.periodStart : `${line.periodStart} – ${last}`;
        const row = [
          `${kindLabel[line.kind]}: ${asPdfText(line.description)}`,
          period,
          String(Number(line.quantity)),
          grouped(dec(line.unitPrice).toFixed(decimals)),
          grouped(dec(line.amount).toFixed(decimals)),
        ].join(' ');
        expect(text, line.description).toContain(squash(row));
      }
      // The total is the sum of what the rows say.
      const amounts = lines.map((l) => dec(l.amount));
      expect(amounts.reduce((a, b) => a.plus(b), dec(0)).toFixed(decimals)).toBe(dec(invoice.total).toFixed(decimals));
    }
    const usdText = await pdfTextOf(await blob(`${PERIOD}/${usd.customerId}/${CYCLE}.pdf`));
    expect(usdText).toContain('Contoso & Sons <Ltd>');
    expect(usdText).toContain('Microsoft 365 Business Premium, 13 seats, 1-year term, billed monthly');
    expect(usdText).toMatch(/[0-9a-f]{8}-[0-9a-f]{4}/); // the customer id, in the facts
    expect(usdText).not.toContain('Your CSP partner');
  });

  it('writes no file for a customer with nothing billed in the cycle', async () => {
    const { invoice } = await invoiceAndLines(empty.customerId);
    expect(invoice.lineCount).toBe(0);
    const files: string[] = [];
    for await (const file of app.services.reports.list(`${PERIOD}/${empty.customerId}/`)) files.push(file.name);
    expect(files).toEqual([]);
  });

  it('formats JPY without decimals', async () => {
    const { invoice } = await invoiceAndLines(jpy.customerId);
    // 3 × 1500 + 12345
    expect(invoice.total).toBe('16845');
    const workbook = await readWorkbook(await blob(`${PERIOD}/${jpy.customerId}/${CYCLE}.xlsx`));
    const sheet = workbook.getWorksheet('Billing report');
    const formats = new Set<string>();
    let total: number | undefined;
    sheet?.eachRow((row) => {
      if (row.outlineLevel === 2) formats.add(row.getCell(10).numFmt);
      if (String(row.getCell(2).value).startsWith('Total for cycle')) total = numberOf(row.getCell(10).value);
    });
    expect([...formats]).toEqual(['#,##0 "JPY";-#,##0 "JPY"']);
    expect(total).toBe(16845);
  });

  it('writes XML that validates against schemas/billing-report.xsd and carries every line', async () => {
    for (const setup of [usd, jpy, other]) {
      const xml = await blob(`${PERIOD}/${setup.customerId}/${CYCLE}.xml`);
      const result = await validateAgainst('billing-report.xsd', xml);
      expect(result.errors).toEqual([]);
      expect(result.valid).toBe(true);
      const { invoice, lines } = await invoiceAndLines(setup.customerId);
      const text = new TextDecoder().decode(xml);
      expect(text).toContain(`<total>${invoice.total}</total>`);
      expect(text.match(/<line /g)).toHaveLength(lines.length);
    }
    const text = new TextDecoder().decode(await blob(`${PERIOD}/${usd.customerId}/${CYCLE}.xml`));
    expect(text).toContain('<name>Contoso &amp; Sons &lt;Ltd&gt;</name>');
    expect(text).toContain('Workshop "A&amp;B" &lt;onsite&gt;, Zürich; naïve 日本');
  });

  it('the schema refuses a document that breaks it (the validation can fail)', async () => {
    const xml = new TextDecoder().decode(await blob(`${PERIOD}/${usd.customerId}/${CYCLE}.xml`));
    expect(
      (await validateAgainst('billing-report.xsd', xml.replace(/<amount>[^<]+<\/amount>/, '<amount>12,50</amount>')))
        .valid,
    ).toBe(false);
    expect((await validateAgainst('billing-report.xsd', xml.replace(/kind="cycleFee"/, 'kind="gift"'))).valid).toBe(
      false,
    );
  });

  it('writes CSV (RFC 4180, UTF-8 with header) that parses back to the same lines', async () => {
    for (const setup of [usd, jpy]) {
      const bytes = await blob(`${PERIOD}/${setup.customerId}/${CYCLE}.csv`);
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      expect(new TextDecoder().decode(bytes)).toContain('\r\n');
      const rows = parse(Buffer.from(bytes), { bom: true, columns: true }) as Record<string, string>[];
      expect(Object.keys(rows[0] ?? {})).toEqual([...csvColumns]);
      const { invoice, lines } = await invoiceAndLines(setup.customerId);
      expect(rows).toHaveLength(lines.length);
      for (const line of lines) {
        // Every cell goes through the CSV guard: an id starting with "-" (base64url) is written with a leading quote.
        const row = rows.find((r) => r.lineId === inertCell(line.id));
        expect(row, line.id).toMatchObject({
          invoiceId: invoice.id,
          cycle: CYCLE,
          kind: line.kind,
          chargeDate: line.chargeDate,
          periodStart: line.periodStart,
          periodEnd: line.periodEnd,
          description: inertCell(line.description),
          quantity: line.quantity,
          unitPrice: dec(line.unitPrice).toFixed(setup === jpy ? 0 : 2),
          amount: dec(line.amount).toFixed(setup === jpy ? 0 : 2),
          currency: line.currency,
          priceListId: line.priceListId,
        });
      }
    }
  });

  it('writes the run manifest listing every file with its size and sha256, and tells the partner', async () => {
    const manifest = JSON.parse(new TextDecoder().decode(await blob(`${PERIOD}/manifest.json`))) as {
      period: string;
      status: string;
      files: { name: string; size: number; sha256: string }[];
    };
    expect(manifest).toMatchObject({
      period: PERIOD,
      status: 'completed',
      customers: { total: 4, done: 4, failed: 0, notDue: 0 },
      noLines: [{ customerId: empty.customerId, cycle: CYCLE }],
    });
    expect(manifest.files).toHaveLength(12);
    for (const file of manifest.files) {
      const bytes = await blob(file.name);
      expect(file).toMatchObject({ size: bytes.byteLength, sha256: sha256(bytes) });
    }
    const mailDir = path.join(app.config.DATA_DIR, 'mail');
    const mails = readdirSync(mailDir).map(
      (f) =>
        JSON.parse(readFileSync(path.join(mailDir, f), 'utf8')) as {
          kind: string;
          to: string;
          subject: string;
          text: string;
          html?: string;
        },
    );
    const notice = mails.filter((m) => m.kind === 'billing-run-finished');
    expect(notice).toHaveLength(1);
    const mail = notice[0];
    expect(mail).toMatchObject({
      to: app.config.PARTNER_NOTIFY_EMAIL,
      subject: `Fabrikam Cloud Services GmbH: billing run ${PERIOD} completed`,
    });
    // In the partner's name, as its reports: legal name, address, tax id and support contact, in text and HTML.
    for (const expected of [
      `${PERIOD}/manifest.json`,
      'Fabrikam Cloud Services GmbH',
      'Bahnhofstrasse 1',
      '8001 Zürich',
      'Tax id CHE-123.456.789 MWST',
      'Support: billing@fabrikam.example',
      'Customers billed: 4',
    ])
      expect(mail?.text, expected).toContain(expected);
    const html = mail?.html ?? '';
    expect(html).toContain('border-top:4px solid #0A7D5A');
    expect(html).toContain('color:#0A7D5A');
    // The logo (300 × 60, shown at most 200 × 50 wide) from the public branding route beside the portal.
    expect(html).toContain(
      `<img src="${app.config.PORTAL_BASE_URL.replace(/\/+$/, '')}/api/branding/logo" alt="Fabrikam Cloud Services GmbH" width="200" height="40"`,
    );
    const logo = await app.call('GET', '/api/branding/logo');
    expect(logo.status).toBe(200);
    for (const expected of ['Tax id CHE-123.456.789 MWST', 'billing@fabrikam.example', `${PERIOD}/manifest.json`])
      expect(html, expected).toContain(expected);
  });
});

describe('overwrite safety', () => {
  it('writes the same bytes again at another time: nothing is replaced', async () => {
    const customer = (await app.services.customers.get(usd.customerId))?.value;
    const { invoice } = await invoiceAndLines(usd.customerId);
    if (!customer) throw new Error('no customer');
    const before = await Promise.all(
      ['xlsx', 'csv', 'xml', 'pdf'].map((ext) => blob(`${PERIOD}/${usd.customerId}/${CYCLE}.${ext}`)),
    );
    // Hours later by the process clock: zip entries and document dates must not follow it.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2031-07-04T13:37:00Z'));
    const { reportLogo } = await import('../../src/app/reports/report-writer.ts');
    const again = await writeCustomerReports(app.services, customer, invoice, await reportLogo(app.services));
    vi.useRealTimers();
    expect(again.map((f) => f.status)).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged']);
    const after = await Promise.all(
      ['xlsx', 'csv', 'xml', 'pdf'].map((ext) => blob(`${PERIOD}/${usd.customerId}/${CYCLE}.${ext}`)),
    );
    expect(after.map(sha256)).toEqual(before.map(sha256));
  });

  it('never replaces a report with different content', async () => {
    const name = `${PERIOD}/${usd.customerId}/${CYCLE}.csv`;
    const before = await blob(name);
    const attempt = app.services.reports.writeOnce(name, new TextEncoder().encode('tampered'), {
      contentType: 'text/csv',
    });
    await expect(attempt).rejects.toMatchObject({ kind: 'Conflict', code: 'REPORT.CONTENT_DIFFERS' });
    expect(sha256(await blob(name))).toBe(sha256(before));
  });

  it('streams a large file in blocks and still refuses other content at the same name', async () => {
    const chunk = new Uint8Array(1024 * 1024).fill(7);
    async function* big() {
      for (let i = 0; i < 9; i++) yield chunk;
    }
    const name = `${PERIOD}/test/large.bin`;
    const first = await app.services.reports.writeOnce(name, big(), { contentType: 'application/octet-stream' });
    expect(first).toMatchObject({ status: 'created', size: 9 * 1024 * 1024 });
    expect((await app.services.reports.stat(name))?.size).toBe(9 * 1024 * 1024);
    expect(
      await app.services.reports.writeOnce(name, big(), { contentType: 'application/octet-stream' }),
    ).toMatchObject({ status: 'unchanged' });
    await expect(
      app.services.reports.writeOnce(name, new Uint8Array([1]), { contentType: 'application/octet-stream' }),
    ).rejects.toMatchObject({ code: 'REPORT.CONTENT_DIFFERS' });
  });
});

describe('GET /api/customers/{customerId}/billing-reports and downloads', () => {
  it('lists one report per cycle in the range, with its formats', async () => {
    const list = await app.call(
      'GET',
      `/api/customers/${usd.customerId}/billing-reports?from=2026-03-01&to=2026-04-30`,
      { token: usd.viewer },
    );
    expect(list.status).toBe(200);
    const { invoice } = await invoiceAndLines(usd.customerId);
    expect(list.body.items).toEqual([
      expect.objectContaining({
        id: CYCLE,
        cycleStart: '2026-03-01',
        invoiceId: invoice.id,
        total: invoice.total,
        formats: [
          expect.objectContaining({ format: 'xlsx' }),
          expect.objectContaining({ format: 'csv' }),
          expect.objectContaining({ format: 'xml' }),
          expect.objectContaining({ format: 'pdf' }),
        ],
      }),
    ]);
    // Last month by default: the clock is in April, so March's reports (none here: the cycle ends 04-01).
    const lastMonth = await app.call('GET', `/api/customers/${usd.customerId}/billing-reports`, { token: usd.viewer });
    expect(lastMonth.body).toMatchObject({ from: '2026-03-01', to: '2026-03-31', items: [] });
    expect(
      (
        await app.call('GET', `/api/customers/${usd.customerId}/billing-reports?from=2026-05-01&to=2026-04-01`, {
          token: usd.viewer,
        })
      ).status,
    ).toBe(400);
  });

  it('gives a working read-only link to the customer’s own file', async () => {
    clock.set(new Date().toISOString());
    const link = await app.call(
      'GET',
      `/api/customers/${usd.customerId}/billing-reports/${CYCLE}/download?format=csv`,
      { token: usd.viewer },
    );
    expect(link.status).toBe(200);
    expect(new Date(link.body.expiresOn).getTime() - Date.now()).toBeLessThanOrEqual(10 * 60_000 + 1000);
    const response = await fetch(link.body.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="billing-report-${CYCLE}.csv"`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect(sha256(bytes)).toBe(link.body.sha256);
    // Partners see every customer's.
    const partner = await app.call(
      'GET',
      `/api/customers/${other.customerId}/billing-reports/${CYCLE}/download?format=xml`,
      { token: usd.partner },
    );
    expect(partner.status).toBe(200);
  });

  it('keeps customers to their own reports', async () => {
    expect(
      (
        await app.call('GET', `/api/customers/${other.customerId}/billing-reports?from=2026-03-01&to=2026-04-30`, {
          token: usd.viewer,
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await app.call('GET', `/api/customers/${other.customerId}/billing-reports/${CYCLE}/download`, {
          token: usd.admin,
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await app.call('GET', `/api/customers/${usd.customerId}/billing-reports/2026-05-01/download`, {
          token: usd.viewer,
        })
      ).status,
    ).toBe(404);
  });

  it('a link opens no other blob than its own', async () => {
    clock.set(new Date().toISOString());
    const link = await app.call(
      'GET',
      `/api/customers/${usd.customerId}/billing-reports/${CYCLE}/download?format=xlsx`,
      { token: usd.viewer },
    );
    const url = new URL(link.body.url);
    expect((await fetch(url)).status).toBe(200);
    const elsewhere = new URL(url);
    elsewhere.pathname = url.pathname.replace(usd.customerId, other.customerId);
    expect(elsewhere.pathname).not.toBe(url.pathname);
    expect((await fetch(elsewhere)).status).toBe(403);
    const sibling = new URL(url);
    sibling.pathname = url.pathname.replace(/\.xlsx$/, '.csv');
    expect((await fetch(sibling)).status).toBe(403);
  });

  it('a link cannot write', async () => {
    clock.set(new Date().toISOString());
    const link = await app.call(
      'GET',
      `/api/customers/${usd.customerId}/billing-reports/${CYCLE}/download?format=csv`,
      { token: usd.viewer },
    );
    const before = await blob(`${PERIOD}/${usd.customerId}/${CYCLE}.csv`);
    const put = await fetch(link.body.url, {
      method: 'PUT',
      body: 'overwritten',
      headers: { 'x-ms-blob-type': 'BlockBlob', 'x-ms-version': '2021-12-02' },
    });
    expect(put.status).toBe(403);
    const del = await fetch(link.body.url, { method: 'DELETE', headers: { 'x-ms-version': '2021-12-02' } });
    expect(del.status).toBe(403);
    expect(sha256(await blob(`${PERIOD}/${usd.customerId}/${CYCLE}.csv`))).toBe(sha256(before));
  });

  it('a link expires', async () => {
    // Signed with the clock an hour ago: its ten minutes are over.
    clock.set(new Date(Date.now() - 60 * 60_000).toISOString());
    const link = await app.call(
      'GET',
      `/api/customers/${usd.customerId}/billing-reports/${CYCLE}/download?format=csv`,
      { token: usd.viewer },
    );
    expect(new Date(link.body.expiresOn).getTime()).toBeLessThan(Date.now());
    expect((await fetch(link.body.url)).status).toBe(403);
  });
});
