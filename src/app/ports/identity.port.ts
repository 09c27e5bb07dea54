import type { Membership } from './access.repository.port.ts';

/** A request's headers, as far as verifying its sender needs them. */
export interface HeaderReader {
  get(name: string): string | null;
}

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

/**
 * Token verification (F-AUTH): who sent a request, from its bearer token (Entra ID's keys, or the local key pair)
 * or, when AUTH_MODE is `easyauth`, the platform's client-principal header. Refuses with `Unauthenticated`.
 */
export type IdentityVerifier = (headers: HeaderReader) => Promise<Identity>;

/** A verified identity with the roles the product's own records give it. */
export type Authenticator = (headers: HeaderReader) => Promise<Principal>;
