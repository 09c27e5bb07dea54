import { z } from 'zod';
import { customerRoles } from '../../domain/roles.ts';
import { defineRoute } from '../route.ts';

const meSchema = z
  .object({
    tenantId: z.uuid(),
    objectId: z.uuid(),
    email: z.string().optional(),
    name: z.string().optional(),
    isPartnerAdmin: z.boolean(),
    customers: z.array(z.object({ customerId: z.uuid(), customerName: z.string(), role: z.enum(customerRoles) })),
  })
  .meta({ id: 'Me' });

export const getMe = defineRoute({
  name: 'getMe',
  method: 'GET',
  path: '/me',
  access: 'signedIn',
  summary: 'The signed-in user, and the customers and roles it has',
  tags: ['me'],
  responses: { 200: { description: 'The verified principal', schema: meSchema } },
  async handler({ principal }) {
    const { identity } = principal;
    return {
      status: 200,
      body: {
        tenantId: identity.tenantId,
        objectId: identity.objectId,
        ...(identity.email ? { email: identity.email } : {}),
        ...(identity.name ? { name: identity.name } : {}),
        isPartnerAdmin: principal.isPartnerAdmin,
        customers: principal.memberships.map(({ customerId, customerName, role }) => ({
          customerId,
          customerName,
          role,
        })),
      },
    };
  },
});
