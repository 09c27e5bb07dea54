import type { PortalUser, PortalUserStatus } from '../../domain/portal-user.ts';
import type { Page, Versioned } from './customer.repository.port.ts';

/** Where an invitation token leads: found by the SHA-256 hash of the token, never by the token itself. */
export interface InvitationLookup {
  hash: string;
  customerId: string;
  userId: string;
  expiresAt: string;
}

/** Portal users of each customer (F-USERS) and the lookup of their outstanding invitations. */
export interface PortalUserStore {
  /** Creates the user, claiming its e-mail in the customer: conflict PORTAL_USER.EMAIL_TAKEN when another user has it. */
  create(user: PortalUser): Promise<Versioned<PortalUser>>;
  get(customerId: string, userId: string): Promise<Versioned<PortalUser> | undefined>;
  findByEmail(customerId: string, email: string): Promise<Versioned<PortalUser> | undefined>;
  list(
    customerId: string,
    status: PortalUserStatus | undefined,
    pageSize: number,
    continuationToken?: string,
  ): Promise<Page<Versioned<PortalUser>>>;
  /** How many users of the customer are active admins. */
  countActiveAdmins(customerId: string): Promise<number>;
  /** Fails with PreconditionFailed when `etag` is no longer current. */
  replace(user: PortalUser, etag: string): Promise<Versioned<PortalUser>>;
  putInvitation(lookup: InvitationLookup): Promise<void>;
  invitation(hash: string): Promise<InvitationLookup | undefined>;
  /** Removes a lookup; removing one that is gone already is not an error. */
  deleteInvitation(hash: string): Promise<void>;
}
