import { describe, expect, it } from 'vitest';
import { entryInForce, normalizeAmount, priceEntrySchema } from '../../src/domain/price-list.ts';
import { buildPrice } from '../support/catalog-builders.ts';

describe('entryInForce', () => {
  const offer = { productId: 'CFQ7TTC0LCHC:0002', term: 'P1Y', frequency: 'monthly', currency: 'USD' } as const;
  const entries = [
    buildPrice({ effectiveFrom: '2026-04-01', salePrice: '24.00' }),
    buildPrice({ effectiveFrom: '2025-01-01', salePrice: '20.00' }),
    buildPrice({ effectiveFrom: '2025-06-01', salePrice: '1.00', currency: 'EUR' }),
  ];

  it('takes the latest effectiveFrom on or before the date, in any order, of the same offer only', () => {
    expect(entryInForce(entries, offer, '2024-12-31')).toBeUndefined();
    expect(entryInForce(entries, offer, '2025-01-01')?.salePrice).toBe('20.00');
    expect(entryInForce(entries, offer, '2026-03-31')?.salePrice).toBe('20.00');
    expect(entryInForce(entries, offer, '2026-04-01')?.salePrice).toBe('24.00');
  });
});

describe('normalizeAmount', () => {
  it.each([
    ['22', 'USD', '22.00'],
    ['22.5', 'EUR', '22.50'],
    ['0.012345', 'USD', '0.012345'],
    ['1200.0', 'JPY', '1200'],
    ['0', 'GBP', '0.00'],
  ])('%s %s → %s', (amount, currency, expected) => expect(normalizeAmount(amount, currency)).toBe(expected));
});

describe('priceEntrySchema', () => {
  it('refuses a frequency its term does not have, naming the frequency', () => {
    const result = priceEntrySchema.safeParse(buildPrice({ term: 'P1M', frequency: 'annual' }));
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['frequency']);
  });
});
