import { z } from 'zod';

/**
 * A reseller (VAR) selling the partner's services to customers it owns. Customers name their reseller with
 * `resellerId`; direct customers have none. Provider reports group customers by reseller.
 */
export const resellerFieldsSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    contactEmail: z.email().max(254),
  })
  .meta({ id: 'ResellerFields' });
export type ResellerFields = z.infer<typeof resellerFieldsSchema>;

export const resellerPatchSchema = resellerFieldsSchema.partial().meta({ id: 'ResellerPatch' });

export const resellerSchema = resellerFieldsSchema
  .extend({
    id: z.uuid(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Reseller' });
export type Reseller = z.infer<typeof resellerSchema>;
