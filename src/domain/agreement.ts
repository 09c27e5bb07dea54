import { z } from 'zod';
import { phoneSchema } from './customer.ts';
import { emailSchema } from './portal-user.ts';

/**
 * F-AGREEMENTS. Agreements a customer must accept; each is pending until accepted, once. Today that is the
 * Microsoft Customer Agreement (required before Microsoft provisions new-commerce offers).
 */
export const agreementDefinitions = [
  {
    id: 'microsoft-customer-agreement',
    type: 'MicrosoftCustomerAgreement',
    name: 'Microsoft Customer Agreement',
    url: 'https://www.microsoft.com/licensing/docs/customeragreement',
  },
] as const;
export type AgreementDefinition = (typeof agreementDefinitions)[number];

export const agreementIdSchema = z
  .string()
  .regex(/^[a-z0-9-]{1,64}$/, 'an agreement id, e.g. microsoft-customer-agreement');

const name = z.string().trim().min(1).max(100);

/** Who accepted on the customer's behalf: Microsoft records this person as the agreement's primary contact. */
export const signerSchema = z.strictObject({
  firstName: name,
  lastName: name,
  email: emailSchema,
  phone: phoneSchema.optional(),
});
export type Signer = z.infer<typeof signerSchema>;

export const acceptanceSchema = z.object({
  customerId: z.uuid(),
  agreementId: agreementIdSchema,
  signer: signerSchema,
  acceptedAt: z.iso.datetime(),
  /** The portal user or partner admin who recorded it. */
  acceptedBy: z.object({ id: z.string(), label: z.string() }),
});
export type Acceptance = z.infer<typeof acceptanceSchema>;
