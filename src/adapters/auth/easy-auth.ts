import { z } from 'zod';
import { AppError } from '../../app/errors.ts';
import type { Identity } from '../../app/ports/identity.port.ts';

/**
 * App Service authentication ("Easy Auth") puts the signed-in user in `x-ms-client-principal`. The platform
 * strips that header from client requests, so it is read only when AUTH_MODE is `easyauth`.
 */
const clientPrincipalSchema = z.object({
  claims: z.array(z.object({ typ: z.string(), val: z.string() })),
  role_typ: z.string().optional(),
});

const claimTypes = {
  tenantId: ['http://schemas.microsoft.com/identity/claims/tenantid', 'tid'],
  objectId: ['http://schemas.microsoft.com/identity/claims/objectidentifier', 'oid'],
  email: ['preferred_username', 'email', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress', 'upn'],
  name: ['name'],
};

export function identityFromClientPrincipal(header: string | null): Identity {
  if (!header)
    throw new AppError('Unauthenticated', 'AUTH.MISSING', 'Sign in first: no client principal was presented.');
  let parsed: z.infer<typeof clientPrincipalSchema>;
  try {
    parsed = clientPrincipalSchema.parse(JSON.parse(Buffer.from(header, 'base64').toString('utf8')));
  } catch {
    throw new AppError('Unauthenticated', 'AUTH.INVALID_TOKEN', 'The client principal header is not valid.');
  }
  const first = (types: string[]) => parsed.claims.find((c) => types.includes(c.typ))?.val;
  const tenantId = first(claimTypes.tenantId);
  const objectId = first(claimTypes.objectId);
  if (!tenantId || !objectId) {
    throw new AppError('Unauthenticated', 'AUTH.INVALID_TOKEN', 'The client principal has no tenant or object id.');
  }
  const email = first(claimTypes.email);
  const name = first(claimTypes.name);
  const roleType = parsed.role_typ ?? 'roles';
  return {
    tenantId: tenantId.toLowerCase(),
    objectId: objectId.toLowerCase(),
    ...(email ? { email: email.toLowerCase() } : {}),
    ...(name ? { name } : {}),
    appRoles: parsed.claims.filter((c) => c.typ === roleType || c.typ === 'roles').map((c) => c.val),
  };
}
