import { z } from 'zod';
import {
  billingFrequencies,
  isoDateSchema,
  isValidTermFrequency,
  terms,
  type BillingFrequency,
  type Term,
} from './calendar.ts';
import { currencyCodeSchema } from './customer.ts';
import { currencyDecimals } from './locale.ts';
import { Dec, nonNegativeDecimalSchema } from './money.ts';
import { productIdSchema } from './product.ts';

/**
 * Price lists (DESIGN rule 7): the global list `global` and one list per customer, keyed by the customer id.
 * An entry is the price of one seat for one billing period of (product, term, frequency) in a currency, in
 * force from `effectiveFrom` until the next entry of the same offer.
 */
export const GLOBAL_PRICE_LIST = 'global';
export const priceListIdSchema = z.union([z.literal(GLOBAL_PRICE_LIST), z.uuid()]);

export const priceEntrySchema = z
  .strictObject({
    productId: productIdSchema,
    term: z.enum(terms),
    frequency: z.enum(billingFrequencies),
    currency: currencyCodeSchema,
    salePrice: nonNegativeDecimalSchema,
    cost: nonNegativeDecimalSchema,
    effectiveFrom: isoDateSchema,
  })
  .refine((e) => isValidTermFrequency(e.term, e.frequency), {
    path: ['frequency'],
    message: 'this billing frequency is not offered for this term',
  });

export type PriceEntry = z.infer<typeof priceEntrySchema>;

export interface Offer {
  productId: string;
  term: Term;
  frequency: BillingFrequency;
  currency: string;
}

/** The same offer and start date: a second entry with this identity replaces the first. */
export const entryIdentity = (e: PriceEntry) =>
  [e.productId, e.term, e.frequency, e.currency, e.effectiveFrom].join('|');

/** An amount with at least the currency's decimals and no trailing zeros beyond them ("22" → "22.00", "0.0125" kept). */
export function normalizeAmount(amount: string, currency: string): string {
  const value = new Dec(amount);
  return value.toFixed(Math.max(currencyDecimals(currency), value.decimalPlaces()));
}

export function normalizeEntry(e: PriceEntry): PriceEntry {
  return { ...e, salePrice: normalizeAmount(e.salePrice, e.currency), cost: normalizeAmount(e.cost, e.currency) };
}

/** The entry of the offer in force on `onDate`: the latest `effectiveFrom` on or before it. */
export function entryInForce(entries: readonly PriceEntry[], offer: Offer, onDate: string): PriceEntry | undefined {
  let found: PriceEntry | undefined;
  for (const e of entries) {
    const sameOffer =
      e.productId === offer.productId &&
      e.term === offer.term &&
      e.frequency === offer.frequency &&
      e.currency === offer.currency;
    if (sameOffer && e.effectiveFrom <= onDate && (!found || e.effectiveFrom > found.effectiveFrom)) found = e;
  }
  return found;
}
