import { z } from 'zod';
import { billingFrequencies, frequenciesOf, terms } from './calendar.ts';

/**
 * A product of the partner's catalog (F-CATALOG). Ids are Microsoft's: the product `{productId}:{skuId}` and
 * the catalog item `{productId}:{skuId}:{availabilityId}` used when ordering. They are Table Storage keys, so
 * they are limited to letters and digits around the colons.
 */
export const productIdSchema = z
  .string()
  .regex(/^[A-Z0-9]{4,20}:[A-Z0-9]{4,20}$/, 'a Microsoft product and SKU id such as CFQ7TTC0LCHC:0002');

/**
 * Free text shown in the portal and copied into reports: no control characters, and no leading = + - @ that a
 * spreadsheet would run as a formula.
 */
export const displayText = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(/^[^=+\-@]/, 'must not start with = + - or @')
    // eslint-disable-next-line no-control-regex -- the C0/C1 controls (\p{Cc}), spelled so OpenAPI tools without the u flag read the same
    .regex(/^[^\u0000-\u001f\u007f-\u009f]*$/, 'must not contain control characters');

const termOfferSchema = z.strictObject({
  term: z.enum(terms),
  frequencies: z.array(z.enum(billingFrequencies)).min(1).max(billingFrequencies.length),
});

export const productFieldsSchema = z
  .strictObject({
    name: displayText(200),
    description: displayText(2000),
    category: displayText(100),
    productGroup: displayText(100),
    catalogItemId: z
      .string()
      .regex(
        /^[A-Z0-9]{4,20}:[A-Z0-9]{4,20}:[A-Z0-9]{4,20}$/,
        'a Microsoft catalog item id such as CFQ7TTC0LCHC:0002:CFQ7TTC0LCHL',
      ),
    skuPartNumber: z
      .string()
      .regex(/^[A-Za-z0-9_]{1,64}$/, 'a SKU part number such as SPB')
      .optional(),
    isNce: z.boolean(),
    addOnOf: z.array(productIdSchema).max(100).default([]),
    terms: z.array(termOfferSchema).min(1).max(terms.length),
    minQuantity: z.number().int().min(1).max(1_000_000),
    maxQuantity: z.number().int().min(1).max(1_000_000),
  })
  .superRefine((p, ctx) => {
    if (p.maxQuantity < p.minQuantity)
      ctx.addIssue({ code: 'custom', path: ['maxQuantity'], message: 'must not be less than minQuantity' });
    if (new Set(p.addOnOf).size !== p.addOnOf.length)
      ctx.addIssue({ code: 'custom', path: ['addOnOf'], message: 'lists a product twice' });
    const seen = new Set<string>();
    p.terms.forEach(({ term, frequencies }, i) => {
      if (seen.has(term))
        ctx.addIssue({ code: 'custom', path: ['terms', i, 'term'], message: `${term} is listed twice` });
      seen.add(term);
      frequencies.forEach((frequency, j) => {
        if (!frequenciesOf[term].includes(frequency)) {
          ctx.addIssue({
            code: 'custom',
            path: ['terms', i, 'frequencies', j],
            message: `${term} is billed ${frequenciesOf[term].join(' or ')}, not ${frequency}`,
          });
        } else if (frequencies.indexOf(frequency) !== j) {
          ctx.addIssue({
            code: 'custom',
            path: ['terms', i, 'frequencies', j],
            message: `${frequency} is listed twice`,
          });
        }
      });
    });
  });

export const productSchema = productFieldsSchema.safeExtend({ id: productIdSchema }).superRefine((p, ctx) => {
  if (!p.catalogItemId.startsWith(`${p.id}:`))
    ctx.addIssue({ code: 'custom', path: ['catalogItemId'], message: `must start with the product id ${p.id}:` });
  if (p.addOnOf.includes(p.id))
    ctx.addIssue({ code: 'custom', path: ['addOnOf'], message: 'a product cannot be an add-on of itself' });
});

export type ProductFields = z.infer<typeof productFieldsSchema>;
export type Product = z.infer<typeof productSchema>;

export interface ProductFilter {
  search?: string;
  category?: string;
  group?: string;
}

/** Text search over names, ids and descriptions; category and group match whole values; all case-insensitive. */
export function matchesFilter(product: Product, { search, category, group }: ProductFilter): boolean {
  const same = (a: string, b: string) => a.localeCompare(b, 'en', { sensitivity: 'accent' }) === 0;
  if (category && !same(product.category, category)) return false;
  if (group && !same(product.productGroup, group)) return false;
  if (!search) return true;
  const needle = search.toLocaleLowerCase('en');
  return [
    product.name,
    product.id,
    product.skuPartNumber ?? '',
    product.description,
    product.category,
    product.productGroup,
  ].some((text) => text.toLocaleLowerCase('en').includes(needle));
}

export function byName(a: Product, b: Product): number {
  return a.name.localeCompare(b.name, 'en') || a.id.localeCompare(b.id);
}
