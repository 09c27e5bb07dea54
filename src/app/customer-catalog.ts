import { utcDate, type BillingFrequency, type Term } from '../domain/calendar.ts';
import { entryInForce, GLOBAL_PRICE_LIST } from '../domain/price-list.ts';
import { byName, matchesFilter, type Product, type ProductFilter } from '../domain/product.ts';
import { notFound } from './errors.ts';
import { offsetPage } from './offset-page.ts';
import type { CatalogAdmin } from './ports/catalog-admin.port.ts';
import type { Clock } from './ports/clock.port.ts';
import type { CustomerRepository, Page } from './ports/customer.repository.port.ts';

export interface CustomerCatalogDeps {
  catalogAdmin: CatalogAdmin;
  customers: CustomerRepository;
  clock: Clock;
}

/** What the customer pays per seat and billing period for one term and frequency, today; never the partner's cost. */
export interface CustomerOffer {
  term: Term;
  frequency: BillingFrequency;
  unitPrice: string;
  currency: string;
  priceSource: 'customer' | 'global';
  effectiveFrom: string;
}

export type CustomerCatalogItem = Product & { offers: CustomerOffer[] };

/**
 * The products a customer may order (its sale profile, if any), each with its prices in the customer's currency
 * as of today by rule 7; products without any price are left out. Two partition reads price the whole page.
 */
export async function customerCatalog(
  deps: CustomerCatalogDeps,
  customerId: string,
  filter: ProductFilter,
  pageSize: number,
  continuationToken?: string,
): Promise<Page<CustomerCatalogItem>> {
  const customer = await deps.customers.get(customerId);
  if (!customer) throw notFound('CUSTOMER.NOT_FOUND', `No customer ${customerId}.`);
  const { catalogAdmin } = deps;
  const [products, profileId, own, global] = await Promise.all([
    catalogAdmin.products.all(),
    catalogAdmin.saleProfiles.profileOf(customerId),
    catalogAdmin.prices.all(customerId),
    catalogAdmin.prices.all(GLOBAL_PRICE_LIST),
  ]);
  const allowed =
    profileId === undefined ? undefined : new Set((await catalogAdmin.saleProfiles.get(profileId))?.value.productIds);
  const today = utcDate(deps.clock.now()).toString();
  const currency = customer.value.currency;

  const offersOf = (product: Product) =>
    product.terms.flatMap(({ term, frequencies }) =>
      frequencies.flatMap((frequency): CustomerOffer[] => {
        const offer = { productId: product.id, term, frequency, currency };
        const customerEntry = entryInForce(own, offer, today);
        const entry = customerEntry ?? entryInForce(global, offer, today);
        if (!entry) return [];
        return [
          {
            term,
            frequency,
            unitPrice: entry.salePrice,
            currency,
            priceSource: customerEntry ? 'customer' : 'global',
            effectiveFrom: entry.effectiveFrom,
          },
        ];
      }),
    );

  const items = products
    .map((row) => row.value)
    .filter((product) => (!allowed || allowed.has(product.id)) && matchesFilter(product, filter))
    .sort(byName)
    .flatMap((product) => {
      const offers = offersOf(product);
      return offers.length ? [{ ...product, offers }] : [];
    });
  return offsetPage(items, pageSize, continuationToken);
}
