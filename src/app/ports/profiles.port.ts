import type { UserProfile } from '../../domain/user-profile.ts';
import type { Versioned } from './customer.repository.port.ts';

/** User profiles by identity; the identity always comes from the verified token. */
export interface ProfileStore {
  get(tenantId: string, objectId: string): Promise<Versioned<UserProfile> | undefined>;
  /** Creates the profile unless one exists; returns whichever is stored. */
  createIfAbsent(tenantId: string, objectId: string, profile: UserProfile): Promise<Versioned<UserProfile>>;
  /** Fails with PreconditionFailed when `etag` is no longer current (or there is no profile). */
  replace(tenantId: string, objectId: string, profile: UserProfile, etag: string): Promise<Versioned<UserProfile>>;
}
