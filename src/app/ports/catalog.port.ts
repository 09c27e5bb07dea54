import type { BillingFrequency, Term } from '../../domain/calendar.ts';

export type { Product } from '../../domain/product.ts';
import type { Product } from '../../domain/product.ts';

/** The price of one seat for one billing period, in force on a date, with where it came from. */
export interface Price {
  /** Decimal string. */
  unitPrice: string;
  /** What the partner pays Microsoft, decimal string. */
  cost: string;
  currency: string;
  source: 'customer' | 'global';
  /** `global` or the customer id of the list that priced it. */
  priceListId: string;
  effectiveFrom: string;
}

export interface CatalogPort {
  getProduct(productId: string): Promise<Product | undefined>;
  /**
   * DESIGN rule 7: the customer's list entry for (product, term, frequency, currency) in force on `onDate`
   * (the latest `effectiveFrom` on or before it), else the global list's; undefined when neither has one.
   */
  priceFor(query: {
    customerId: string;
    currency: string;
    productId: string;
    term: Term;
    frequency: BillingFrequency;
    onDate: string;
  }): Promise<Price | undefined>;
  /**
   * Rule 7 for many lookups of one customer: its own list is read once (not at all when it has none), the global
   * list and which customers have a list of their own at most once a minute per process (a billing run prices a
   * customer with at most one storage call, whatever the number of customers).
   */
  priceBook?(
    customerId: string,
  ): Promise<(query: Omit<Parameters<CatalogPort['priceFor']>[0], 'customerId'>) => Price | undefined>;
  /** Whether the customer's products-for-sale profile (if any) allows the product. */
  mayBuy(customerId: string, productId: string): Promise<boolean>;
}
