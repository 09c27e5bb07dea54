import { randomBytes } from 'node:crypto';
import type { PriceEntry } from '../../src/domain/price-list.ts';
import type { Product } from '../../src/domain/product.ts';

/** A fresh Microsoft-looking product id, so that tests sharing an app never collide. */
export function newProductId(): string {
  return `CFQ7TT${randomBytes(3).toString('hex').toUpperCase()}:0001`;
}

/** A seat-based NCE product offered on P1M monthly and P1Y monthly or annual, with overrides. */
export function buildProduct(overrides: Partial<Product> = {}): Product {
  const id = overrides.id ?? newProductId();
  return {
    id,
    name: 'Microsoft 365 Business Premium',
    description: 'Seats for a test',
    category: 'Productivity',
    productGroup: 'Microsoft 365 Business',
    catalogItemId: `${id}:CFQ7TTC0K5JV`,
    skuPartNumber: 'SPB',
    isNce: true,
    addOnOf: [],
    terms: [
      { term: 'P1M', frequencies: ['monthly'] },
      { term: 'P1Y', frequencies: ['monthly', 'annual'] },
    ],
    minQuantity: 1,
    maxQuantity: 300,
    ...overrides,
  };
}

export function buildPrice(overrides: Partial<PriceEntry> = {}): PriceEntry {
  return {
    productId: 'CFQ7TTC0LCHC:0002',
    term: 'P1Y',
    frequency: 'monthly',
    currency: 'USD',
    salePrice: '22.00',
    cost: '19.80',
    effectiveFrom: '2025-04-01',
    ...overrides,
  };
}
