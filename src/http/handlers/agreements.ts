import { z } from 'zod';
import { acceptAgreement, listAgreements } from '../../app/agreements.ts';
import { agreementIdSchema, signerSchema } from '../../domain/agreement.ts';
import { defineRoute } from '../route.ts';
import { customerIdParams } from '../schemas.ts';
import { actorOf } from './subscriptions.ts';

const agreementSchema = z
  .object({
    id: z.string(),
    type: z.string(),
    name: z.string(),
    url: z.string(),
    status: z.enum(['pending', 'accepted']),
    acceptedAt: z.iso.datetime().optional(),
    acceptedBy: z.string().optional().describe('The portal user or partner admin who recorded the acceptance'),
    signer: z
      .object({ firstName: z.string(), lastName: z.string(), email: z.string(), phone: z.string().optional() })
      .optional(),
  })
  .meta({ id: 'Agreement' });

export const listAgreementsRoute = defineRoute({
  name: 'listAgreements',
  method: 'GET',
  path: '/customers/{customerId}/agreements',
  access: { customer: 'View' },
  summary: 'My Agreements: accepted and pending (the Microsoft Customer Agreement is pending until accepted)',
  tags: ['agreements'],
  params: customerIdParams,
  responses: {
    200: {
      description: 'The agreements',
      schema: z
        .object({ accepted: z.array(agreementSchema), pending: z.array(agreementSchema) })
        .meta({ id: 'AgreementList' }),
    },
  },
  async handler({ params, services }) {
    return { status: 200, body: await listAgreements(services, params.customerId) };
  },
});

export const acceptAgreementRoute = defineRoute({
  name: 'acceptAgreement',
  method: 'POST',
  path: '/customers/{customerId}/agreements/{agreementId}/accept',
  access: { customer: 'Admin' },
  summary: 'Accept an agreement on the customer’s behalf, naming the person who signs; once only',
  tags: ['agreements'],
  params: z.strictObject({ customerId: z.uuid(), agreementId: agreementIdSchema }),
  body: signerSchema.meta({ id: 'AgreementSigner' }),
  responses: {
    201: { description: 'Accepted: who and when are recorded', schema: agreementSchema },
    409: { description: 'Accepted already' },
  },
  async handler({ params, body, principal, services }) {
    const accepted = await acceptAgreement(services, {
      customerId: params.customerId,
      agreementId: params.agreementId,
      signer: body,
      actor: actorOf(principal),
    });
    return { status: 201, body: accepted };
  },
});
