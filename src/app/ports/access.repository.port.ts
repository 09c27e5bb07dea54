import type { CustomerRole } from '../../domain/roles.ts';

/** A portal user's access to one customer, keyed by the identity bound to it (tenant id + object id). */
export interface Membership {
  customerId: string;
  customerName: string;
  userId: string;
  role: CustomerRole;
  enabled: boolean;
}

export interface AccessRepository {
  membershipsOf(tenantId: string, objectId: string): Promise<Membership[]>;
  /** Creates or replaces the membership of an identity in one customer. */
  grant(tenantId: string, objectId: string, membership: Membership): Promise<void>;
}
