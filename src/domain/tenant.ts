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
  .pipe(z.string().regex(/^[a-z0-9]{1,63}$/, 'letters and digits only (at most 63), e.g. contoso for contoso.onmicrosoft.com'));

export const initialDomainOf = (prefix: string) => `${prefix}${INITIAL_DOMAIN_SUFFIX}`;

/**
 * Where a customer who has a Microsoft tenant already accepts the partner as its CSP reseller (the request a
 * partner sends instead of creating a tenant).
 */
export const resellerRelationshipUrl = (partnerTenantId: string) =>
  `https://admin.microsoft.com/Adminportal/Home?invType=ResellerRelationship&partnerId=${encodeURIComponent(partnerTenantId)}#/BillingAccounts/partner-invitation`;
