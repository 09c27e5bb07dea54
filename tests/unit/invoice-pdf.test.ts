import { describe, expect, it } from 'vitest';
import { invoicePdf } from '../../src/adapters/reports/invoice.pdf.ts';
import { buildBillingReport, type BillingReport } from '../../src/domain/billing-report.ts';
import type { BillingLine } from '../../src/domain/billing.ts';
import type { PartnerProfile } from '../../src/domain/partner-profile.ts';

/**
 * The PDF invoice in scripts other than Latin: its text, read back with a PDF parser (unpdf), is the customer's
 * and the partner's names as they are, in Latin with diacritics, Greek and Cyrillic (DejaVu Sans Condensed, embedded). What
 * the font lacks (Chinese, Japanese, Korean) is written as `?`, never dropped silently.
 */
const CUSTOMER = '7d0c8a52-1f7e-4d4e-9c61-0a4b5d6e7f80';

function report(customerName: string, partner: PartnerProfile, descriptions: string[]): BillingReport {
  const lines: BillingLine[] = descriptions.map((description, i) => ({
    id: `line-${i}`,
    customerId: CUSTOMER,
    cycle: '2026-10-01',
    kind: 'oneOff',
    chargeDate: '2026-09-15',
    periodStart: '2026-09-15',
    periodEnd: '2026-09-16',
    description,
    quantity: '1',
    unitPrice: '100.00',
    amount: '100.00',
    currency: 'EUR',
    priceListId: 'global',
    priceSource: 'global',
    createdAt: '2026-10-01T01:00:00.000Z',
  }));
  return buildBillingReport({
    partnerName: partner.legalName,
    partner,
    customer: {
      id: CUSTOMER,
      name: customerName,
      country: 'DE',
      address: { line1: 'Straße des 17. Juni 1', city: 'Berlin', postalCode: '10623', country: 'DE' },
    },
    invoice: {
      id: 'INV-20261001-UNICODE1',
      customerId: CUSTOMER,
      cycle: '2026-10-01',
      cycleStart: '2026-09-01',
      issuedOn: '2026-10-01',
      currency: 'EUR',
      total: (100 * lines.length).toFixed(2),
      lineCount: lines.length,
      status: 'open',
      createdAt: '2026-10-01T01:00:00.000Z',
    },
    lines,
  });
}

async function textOf(bytes: Uint8Array): Promise<string> {
  const { extractText, getDocumentProxy } = await import('unpdf');
  const pdf = await getDocumentProxy(new Uint8Array(bytes));
  const { text } = await extractText(pdf, { mergePages: true });
  return text.replace(/\s+/g, ' ').trim();
}

const partner: PartnerProfile = {
  legalName: 'Αθηνά Cloud Υπηρεσίες Α.Ε.',
  address: { line1: 'Λεωφόρος Κηφισίας 10', city: 'Αθήνα', postalCode: '11526', country: 'GR' },
  supportEmail: 'billing@athena.example',
  accentColor: '#0A7D5A',
};

describe('PDF invoice text beyond Latin-1', () => {
  it.each(['Müller Ωmega Ltd', 'ООО Ромашка', 'Ελληνική Εταιρεία', 'Łódź Żółć Sp. z o.o.', 'İstanbul Şirketi A.Ş.'])(
    'writes the customer %s exactly as it is named',
    async (name) => {
      const text = await textOf(await invoicePdf(report(name, partner, ['Setup − remote, 2 h'])));
      expect(text).toContain(`Bill to ${name}`);
      expect(text).toContain('Straße des 17. Juni 1');
      expect(text).toContain('Αθηνά Cloud Υπηρεσίες Α.Ε.');
      expect(text).toContain('Λεωφόρος Κηφισίας 10');
      // The minus sign and the en dash are kept, not replaced.
      expect(text).toContain('One-off: Setup − remote, 2 h');
      expect(text).not.toContain('?');
    },
  );

  it('writes Cyrillic and Greek line descriptions and the total', async () => {
    const text = await textOf(
      await invoicePdf(report('ООО Ромашка', partner, ['Настройка почты', 'Εκπαίδευση προσωπικού'])),
    );
    expect(text).toContain('One-off: Настройка почты 2026-09-15 1 100.00 100.00');
    expect(text).toContain('One-off: Εκπαίδευση προσωπικού 2026-09-15 1 100.00 100.00');
    expect(text).toContain('Total (EUR) 200.00');
  });

  it('writes what the font lacks (Chinese, Japanese, Korean) as ?, keeping the rest', async () => {
    const text = await textOf(await invoicePdf(report('東京 Trading KK', partner, ['Workshop 日本, naïve'])));
    expect(text).toContain('Bill to ?? Trading KK');
    expect(text).toContain('One-off: Workshop ??, naïve');
  });

  it('reads back accented Greek after another document used the same accents (each document its own glyphs)', async () => {
    // ί and ά are drawn from ι and α plus an accent: the first document's subset takes those parts without text.
    await invoicePdf(report('Υπηρεσίες Αθηνά', partner, ['Σύμβαση']));
    const text = await textOf(await invoicePdf(report('Ελληνική Εταιρεία', partner, ['Υποστήριξη ιστότοπου'])));
    expect(text).toContain('Bill to Ελληνική Εταιρεία');
    expect(text).toContain('One-off: Υποστήριξη ιστότοπου');
  });

  it('embeds its fonts and no standard font', async () => {
    const raw = Buffer.from(await invoicePdf(report('Müller Ωmega Ltd', partner, ['Setup']))).toString('latin1');
    expect(raw).toMatch(/\/BaseFont \/[A-Z]{6}\+DejaVuSansCondensed\b/);
    expect(raw).toMatch(/\/BaseFont \/[A-Z]{6}\+DejaVuSansCondensed-Bold\b/);
    expect(raw).not.toContain('/BaseFont /Helvetica');
  });

  it('is the same bytes for the same report (the fonts are shared between documents)', async () => {
    const input = report('ООО Ромашка', partner, ['Настройка почты']);
    const [a, b] = await Promise.all([invoicePdf(input), invoicePdf(input)]);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });
});
