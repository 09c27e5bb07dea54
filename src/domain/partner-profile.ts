import { z } from 'zod';
import { phoneSchema, postalAddressInputSchema, postalAddressSchema } from './customer.ts';

/**
 * F-BRAND: who the partner is on every report, invoice and mail: legal name, postal address, tax id, support
 * contact and the accent colour of documents and the portal. Until a partner admin saves one, the profile is the
 * PARTNER_NAME setting with the default colour and nothing else.
 */
const text = (max: number) => z.string().trim().min(1).max(max);

const hexColorSchema = z
  .string()
  .regex(/^#[0-9A-Fa-f]{6}$/, 'a hex colour #RRGGBB, e.g. #1F4E79')
  .meta({ examples: ['#1F4E79'] });
/** As entered: any case, kept in upper case. */
export const accentColorSchema = hexColorSchema.transform((hex) => hex.toUpperCase());

const profileFields = {
  legalName: text(200),
  taxId: text(50).optional(),
  supportEmail: z.email().max(254).optional(),
  supportPhone: phoneSchema.optional(),
};

/** As stored and answered (the colour already in upper case, so the answer's schema is a plain string). */
export const partnerProfileSchema = z
  .strictObject({ ...profileFields, accentColor: hexColorSchema, address: postalAddressSchema.optional() })
  .meta({
    id: 'PartnerProfile',
    examples: [
      { legalName: 'Northwind Cloud Services Ltd', supportEmail: 'support@northwind.example', accentColor: '#1F4E79' },
    ],
  });
/** As entered: the address's postal code is also checked against its country's format. */
export const partnerProfileInputSchema = z
  .strictObject({
    ...profileFields,
    accentColor: accentColorSchema,
    address: postalAddressInputSchema.optional(),
  })
  .meta({
    examples: [
      { legalName: 'Northwind Cloud Services Ltd', supportEmail: 'support@northwind.example', accentColor: '#1F4E79' },
    ],
  });
export type PartnerProfile = z.infer<typeof partnerProfileSchema>;

export const DEFAULT_ACCENT_COLOR = '#1F4E79';

/** The profile in force: the stored one, else the configured partner name alone. */
export function effectivePartnerProfile(stored: PartnerProfile | undefined, defaultName: string): PartnerProfile {
  return stored ?? { legalName: defaultName, accentColor: DEFAULT_ACCENT_COLOR };
}

/** The address as lines to print (street, city line, country). */
export function addressLines(address: PartnerProfile['address']): string[] {
  if (!address) return [];
  const cityLine = [address.postalCode, address.city, address.region].filter(Boolean).join(' ');
  return [address.line1, address.line2, cityLine, address.country].filter((line): line is string => !!line);
}
