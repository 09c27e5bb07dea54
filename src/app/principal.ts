import type { Config } from '../config.ts';
import { roleSatisfies, type CustomerRole } from '../domain/roles.ts';
import type { AccessRepository, Membership } from './ports/access.repository.port.ts';

/** What a verified token says about its holder; nothing here grants a customer role by itself. */
export interface Identity {
  tenantId: string;
  objectId: string;
  email?: string;
  name?: string;
  /** App roles from the token; only trusted for the partner's own tenant. */
  appRoles: string[];
}

export interface Principal {
  identity: Identity;
  isPartnerAdmin: boolean;
  /** Enabled portal memberships, from the product's own records. */
  memberships: Membership[];
}

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
  config: Config,
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
