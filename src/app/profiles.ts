import type { CompanyProfile } from '../domain/customer.ts';
import {
  applyPatch,
  initialProfile,
  userProfileSchema,
  type UserProfile,
  type UserProfilePatch,
} from '../domain/user-profile.ts';
import { getCustomer, updateCustomer, type CustomerDeps } from './customers.ts';
import { preconditionFailed, validation } from './errors.ts';
import type { Versioned } from './ports/customer.repository.port.ts';
import type { ProfileStore } from './ports/profiles.port.ts';
import type { Identity } from './principal.ts';

/** The company profile is the customer record's `company`; its version is the customer's ETag. */
export async function companyProfile(deps: CustomerDeps, customerId: string): Promise<Versioned<CompanyProfile>> {
  const { value, etag } = await getCustomer(deps, customerId);
  return { value: value.company, etag };
}

/** Fields given replace the stored ones (the address as a whole), `null` removes one; conditional on `ifMatch`. */
export async function updateCompanyProfile(
  deps: CustomerDeps,
  customerId: string,
  patch: Partial<Record<keyof CompanyProfile, unknown>>,
  ifMatch: string,
): Promise<Versioned<CompanyProfile>> {
  const current = await getCustomer(deps, customerId);
  const company = applyPatch(current.value.company, patch);
  const updated = await updateCustomer(deps, customerId, { company }, ifMatch);
  return { value: updated.value.company, etag: updated.etag };
}

export interface ProfileDeps {
  profiles: ProfileStore;
  clock: { now(): Date };
}

/** The ETag of a profile not saved yet: send it as If-Match to save the first version. */
export const UNSAVED_PROFILE_ETAG = 'W/"unsaved"';

/** The caller's profile; until first saved, one made from the token's name and e-mail (reading stores nothing). */
export async function myProfile(deps: ProfileDeps, identity: Identity): Promise<Versioned<UserProfile>> {
  return (
    (await deps.profiles.get(identity.tenantId, identity.objectId)) ?? {
      value: initialProfile(identity, deps.clock.now()),
      etag: UNSAVED_PROFILE_ETAG,
    }
  );
}

export async function updateMyProfile(
  deps: ProfileDeps,
  identity: Identity,
  patch: UserProfilePatch,
  ifMatch: string,
): Promise<Versioned<UserProfile>> {
  const current = await myProfile(deps, identity);
  if (current.etag !== ifMatch) throw preconditionFailed();
  const next = userProfileSchema.safeParse({
    ...applyPatch(current.value, patch),
    updatedAt: deps.clock.now().toISOString(),
  });
  if (!next.success)
    throw validation(
      'The change would leave the profile invalid.',
      next.error.issues.map((i) => ({ path: `body.${i.path.join('.')}`, message: i.message })),
    );
  if (ifMatch !== UNSAVED_PROFILE_ETAG)
    return deps.profiles.replace(identity.tenantId, identity.objectId, next.data, ifMatch);
  const created = await deps.profiles.createIfAbsent(identity.tenantId, identity.objectId, next.data);
  // Saved by a concurrent first save: this one was based on a version that no longer exists.
  if (created.value !== next.data) throw preconditionFailed();
  return created;
}
