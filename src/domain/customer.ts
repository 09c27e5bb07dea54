import { z } from 'zod';
import { isCountryCode, isCurrencyCode } from './locale.ts';
import { postalCodeProblem } from './postal-code.ts';

/** A customer's billing anchor: day 1-28 of each month, or the month's last day. */
export const billingDaySchema = z.union([z.number().int().min(1).max(28), z.literal('last')]);

export const countryCodeSchema = z
  .string()
  .refine(isCountryCode, 'must be an ISO 3166-1 alpha-2 country code in upper case, e.g. US');

export const currencyCodeSchema = z
  .string()
  .refine(isCurrencyCode, 'must be an ISO 4217 currency code in upper case, e.g. USD');

const text = (max: number) => z.string().trim().min(1).max(max);

export const postalAddressSchema = z
  .strictObject({
    line1: text(200),
    line2: text(200).optional(),
    city: text(100),
    region: text(100).optional(),
    postalCode: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9][A-Za-z0-9 -]{1,10}$/, 'letters, digits, spaces or hyphens, 2 to 11 characters'),
    country: countryCodeSchema,
  })
  .meta({
    examples: [{ line1: '1 Microsoft Way', city: 'Redmond', region: 'WA', postalCode: '98052', country: 'US' }],
  });

/** An address as entered: its postal code is also checked against its country's format where one is known. */
export const postalAddressInputSchema = postalAddressSchema
  .superRefine((address, ctx) => {
    const problem = postalCodeProblem(address.country, address.postalCode);
    if (problem) ctx.addIssue({ code: 'custom', path: ['postalCode'], message: problem });
  })
  .meta({
    examples: [{ line1: '1 Microsoft Way', city: 'Redmond', region: 'WA', postalCode: '98052', country: 'US' }],
  });

export const phoneSchema = z
  .string()
  .trim()
  .regex(/^\+?[0-9 ()./-]{5,25}$/, 'digits with an optional leading +, spaces, dots, dashes or parentheses');

export const companyProfileSchema = z.strictObject({
  phone: phoneSchema.optional(),
  website: z
    .url({ protocol: /^https?$/ })
    .max(300)
    .optional(),
  email: z.email().max(254).optional(),
  address: postalAddressSchema.optional(),
});

/**
 * The company profile as entered: stricter than what is read back, so that rows stored before a rule existed
 * still read (the next change of the customer must then fix them).
 */
export const companyProfileInputSchema = companyProfileSchema.extend({ address: postalAddressInputSchema.optional() });

const customerFields = {
  name: text(200),
  billingDay: billingDaySchema,
  currency: currencyCodeSchema,
  country: countryCodeSchema,
  company: companyProfileInputSchema,
  /** The customer's Microsoft (Entra) tenant, which Partner Center calls the customer id. */
  tenantId: z
    .uuid()
    .transform((id) => id.toLowerCase())
    .optional(),
  /** F-CONFIRM: whether actions that raise this customer's bill must be confirmed (off by default). */
  billingChangeConfirmation: z.boolean(),
  /** The reseller (VAR) that owns this customer; none for the partner's direct customers. Must exist when set. */
  resellerId: z
    .uuid()
    .transform((id) => id.toLowerCase())
    .optional(),
};

export const customerFieldsSchema = z.strictObject({
  ...customerFields,
  company: companyProfileInputSchema.default({}),
  billingChangeConfirmation: z.boolean().default(false),
});

/** A partial update: fields given replace the stored ones (`company` as a whole); no defaults apply; `resellerId: null` makes the customer direct. */
export const customerPatchSchema = z
  .strictObject({ ...customerFields, resellerId: customerFields.resellerId.unwrap().nullable() })
  .partial();
export type CustomerPatch = z.infer<typeof customerPatchSchema>;

export const customerSchema = customerFieldsSchema.extend({
  company: companyProfileSchema.default({}),
  id: z.uuid(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

export type CustomerFields = z.infer<typeof customerFieldsSchema>;
export type Customer = z.infer<typeof customerSchema>;
export type CompanyProfile = z.infer<typeof companyProfileSchema>;
export type PostalAddress = z.infer<typeof postalAddressSchema>;
