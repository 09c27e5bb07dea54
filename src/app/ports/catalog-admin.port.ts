import type { Offer, PriceEntry } from '../../domain/price-list.ts';
import type { Product } from '../../domain/product.ts';
import type { SaleProfile } from '../../domain/sale-profile.ts';
import type { Page, Versioned } from './customer.repository.port.ts';

/** What the partner's catalog management needs from storage: products, price lists and sale profiles. */
export interface ProductRepository {
  /** The whole catalog (hundreds of products), in no particular order. */
  all(): Promise<Versioned<Product>[]>;
  get(productId: string): Promise<Versioned<Product> | undefined>;
  /** Fails with a conflict when the id exists. */
  create(product: Product): Promise<Versioned<Product>>;
  /** Fails with PreconditionFailed when `etag` is no longer current, NotFound when the product is gone. */
  replace(product: Product, etag: string): Promise<Versioned<Product>>;
  /** False when there was no such product. */
  delete(productId: string): Promise<boolean>;
}

export interface PriceListRepository {
  page(
    priceListId: string,
    productId: string | undefined,
    pageSize: number,
    continuationToken?: string,
  ): Promise<Page<PriceEntry>>;
  all(priceListId: string): Promise<PriceEntry[]>;
  /** The offer's entry in force on `onDate` in one list (rule 7 within a list). */
  inForce(priceListId: string, offer: Offer, onDate: string): Promise<PriceEntry | undefined>;
  /** Creates or replaces the entries (same offer and effectiveFrom). */
  upsert(priceListId: string, entries: PriceEntry[]): Promise<void>;
}

export interface SaleProfileRepository {
  all(): Promise<SaleProfile[]>;
  get(profileId: string): Promise<Versioned<SaleProfile> | undefined>;
  create(profile: SaleProfile): Promise<Versioned<SaleProfile>>;
  replace(profile: SaleProfile, etag: string): Promise<Versioned<SaleProfile>>;
  profileOf(customerId: string): Promise<string | undefined>;
  assign(customerId: string, profileId: string | null): Promise<void>;
}

export interface CatalogAdmin {
  products: ProductRepository;
  prices: PriceListRepository;
  saleProfiles: SaleProfileRepository;
}
