import { z } from 'zod';

/**
 * F-TENANT. A new customer tenant gets an initial domain `{prefix}.onmicrosoft.com`, which never changes
 * afterwards. Microsoft allows Latin letters and digits only in the prefix; a prefix is compared in lower case.
 */
export const INITIAL_DOMAIN_SUFFIX = '.onmicrosoft.com';

/** A prefix (`contoso`) or the whole initial domain (`contoso.onmicrosoft.com`); parsed to the prefix. */
export const domainPrefixSchema = z
  .string()
  .trim()
  .toLowerCase()
  .transform((value) => (value.endsWith(INITIAL_DOMAIN_SUFFIX) ? value.slice(0, -INITIAL_DOMAIN_SUFFIX.length) : value))
  .pipe(
    z
      .string()
      .regex(/^[a-z0-9]{1,63}$/, 'letters and digits only (at most 63), e.g. contoso for contoso.onmicrosoft.com'),
  );

export const initialDomainOf = (prefix: string) => `${prefix}${INITIAL_DOMAIN_SUFFIX}`;

/**
 * Where a customer who has a Microsoft tenant already accepts the partner as its CSP reseller (the request a
 * partner sends instead of creating a tenant).
 */
export const resellerRelationshipUrl = (partnerTenantId: string) =>
  `https://admin.microsoft.com/Adminportal/Home?invType=ResellerRelationship&partnerId=${encodeURIComponent(partnerTenantId)}#/BillingAccounts/partner-invitation`;

/** Culture and language of a new customer's billing profile, from its country; English (US) elsewhere. */
const cultures: Record<string, string> = {
  US: 'en-US',
  GB: 'en-GB',
  CA: 'en-CA',
  AU: 'en-AU',
  NZ: 'en-NZ',
  IE: 'en-IE',
  IN: 'en-IN',
  ZA: 'en-ZA',
  DE: 'de-DE',
  AT: 'de-AT',
  CH: 'de-CH',
  FR: 'fr-FR',
  BE: 'fr-BE',
  NL: 'nl-NL',
  ES: 'es-ES',
  IT: 'it-IT',
  PT: 'pt-PT',
  BR: 'pt-BR',
  MX: 'es-MX',
  SE: 'sv-SE',
  DK: 'da-DK',
  NO: 'nb-NO',
  FI: 'fi-FI',
  PL: 'pl-PL',
  JP: 'ja-JP',
};

export function cultureOf(country: string): { culture: string; language: string } {
  const culture = cultures[country] ?? 'en-US';
  return { culture, language: culture.slice(0, 2) };
}
