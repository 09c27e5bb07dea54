import type { Config } from '../config.ts';
import { roleSatisfies, type CustomerRole } from '../domain/roles.ts';
import type { AccessRepository } from './ports/access.repository.port.ts';
import type { Identity, Principal } from './ports/identity.port.ts';

export type { Identity, Principal };

export function isPartnerAdmin(
  identity: Identity,
  config: Pick<Config, 'PARTNER_TENANT_ID' | 'PARTNER_ADMIN_OBJECT_IDS' | 'PARTNER_ADMIN_APP_ROLE'>,
): boolean {
  if (identity.tenantId.toLowerCase() !== config.PARTNER_TENANT_ID.toLowerCase()) return false;
  return (
    config.PARTNER_ADMIN_OBJECT_IDS.some((id) => id.toLowerCase() === identity.objectId.toLowerCase()) ||
    identity.appRoles.includes(config.PARTNER_ADMIN_APP_ROLE)
  );
}

export async function resolvePrincipal(
  identity: Identity,
  access: AccessRepository,
  config: Parameters<typeof isPartnerAdmin>[1],
): Promise<Principal> {
  const memberships = await access.membershipsOf(identity.tenantId, identity.objectId);
  return {
    identity,
    isPartnerAdmin: isPartnerAdmin(identity, config),
    memberships: memberships.filter((m) => m.enabled),
  };
}

export function canActFor(principal: Principal, customerId: string, required: CustomerRole): boolean {
  if (principal.isPartnerAdmin) return true;
  const membership = principal.memberships.find((m) => m.customerId === customerId);
  return membership !== undefined && roleSatisfies(membership.role, required);
}
