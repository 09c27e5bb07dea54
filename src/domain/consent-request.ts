import { z } from 'zod';

/**
 * F-LICENSES: a portal user's request that the customer's Global Administrator grant the portal's app admin
 * consent in the customer's Microsoft 365 tenant, with the justification they gave and where it was sent.
 */
export const consentRequestSchema = z.object({
  id: z.uuid(),
  customerId: z.uuid(),
  tenantId: z.uuid(),
  justification: z.string(),
  requestedBy: z.object({ id: z.string(), label: z.string() }),
  requestedAt: z.iso.datetime(),
  /** The admin-consent link sent to the Global Administrator(s). */
  consentUrl: z.url(),
  /** Addresses notified. */
  sentTo: z.array(z.string()),
  /** `directory`: the tenant's Global Administrators; `companyEmail`: the customer's company e-mail (no directory access yet). */
  routedVia: z.enum(['directory', 'companyEmail']),
  missingPermissions: z.array(z.string()),
});
export type ConsentRequest = z.infer<typeof consentRequestSchema>;
