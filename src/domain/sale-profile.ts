import { z } from 'zod';
import { displayText, productIdSchema } from './product.ts';

/** A products-for-sale profile: the products a customer assigned to it may order. Unassigned customers may order all. */
export const saleProfileIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and hyphens, e.g. smb-basic');

export const saleProfileFieldsSchema = z.strictObject({
  name: displayText(200),
  productIds: z
    .array(productIdSchema)
    .max(1000)
    .refine((ids) => new Set(ids).size === ids.length, 'lists a product twice'),
});

export const saleProfileSchema = saleProfileFieldsSchema.extend({ id: saleProfileIdSchema });

export type SaleProfileFields = z.infer<typeof saleProfileFieldsSchema>;
export type SaleProfile = z.infer<typeof saleProfileSchema>;
