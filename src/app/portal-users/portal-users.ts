import {
  inviteRequestSchema,
  statusOf,
  type InviteRequest,
  type PortalUser,
  type PortalUserPatch,
  type PortalUserStatus,
} from '../../domain/portal-user.ts';
import type { CustomerRole } from '../../domain/roles.ts';
import { AppError, conflict, notFound, preconditionFailed, validation } from '../errors.ts';
import type { Page, Versioned } from '../ports/customer.repository.port.ts';
import type { Caller, PortalUserDeps } from './deps.ts';

/** A portal user as the API shows it: no identity, no invitation hash. */
export interface PortalUserView {
  id: string;
  customerId: string;
  firstName: string;
  lastName: string;
  email: string;
  role: CustomerRole;
  portalAccess: PortalUser['portalAccess'];
  status: PortalUserStatus;
  invitation?: { sentAt: string; expiresAt: string };
  acceptedAt?: string;
  createdAt: string;
  updatedAt: string;
  etag: string;
}

export function portalUserView({ value: user, etag }: Versioned<PortalUser>): PortalUserView {
  return {
    id: user.id,
    customerId: user.customerId,
    firstName: user.firstName,
    lastName: user.lastName,
    email: user.email,
    role: user.role,
    portalAccess: user.portalAccess,
    status: statusOf(user),
    ...(user.invitation
      ? { invitation: { sentAt: user.invitation.sentAt, expiresAt: user.invitation.expiresAt } }
      : {}),
    ...(user.acceptedAt ? { acceptedAt: user.acceptedAt } : {}),
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
    etag,
  };
}

export async function customerNameOf(deps: Pick<PortalUserDeps, 'customers'>, customerId: string): Promise<string> {
  const customer = await deps.customers.get(customerId);
  if (!customer) throw notFound('CUSTOMER.NOT_FOUND', `No customer ${customerId}.`);
  return customer.value.name;
}

/** Invites a user: listed as inactive until the user accepts an invitation (sent separately). */
export async function inviteUser(
  deps: PortalUserDeps,
  customerId: string,
  request: InviteRequest,
): Promise<Versioned<PortalUser>> {
  await customerNameOf(deps, customerId);
  const now = deps.clock.now().toISOString();
  return deps.portalUsers.create({
    ...request,
    id: deps.ids.next(),
    customerId,
    portalAccess: 'enabled',
    createdAt: now,
    updatedAt: now,
  });
}

export async function getUser(
  deps: Pick<PortalUserDeps, 'portalUsers'>,
  customerId: string,
  userId: string,
): Promise<Versioned<PortalUser>> {
  const found = await deps.portalUsers.get(customerId, userId);
  if (!found) throw notFound('PORTAL_USER.NOT_FOUND', `No portal user ${userId} in this customer.`);
  return found;
}

export function listUsers(
  deps: Pick<PortalUserDeps, 'portalUsers'>,
  customerId: string,
  status: PortalUserStatus | undefined,
  pageSize: number,
  continuationToken?: string,
): Promise<Page<Versioned<PortalUser>>> {
  return deps.portalUsers.list(customerId, status, pageSize, continuationToken);
}

const isSelf = (user: PortalUser, caller: Caller) =>
  user.identity !== undefined &&
  user.identity.tenantId === caller.tenantId.toLowerCase() &&
  user.identity.objectId === caller.objectId.toLowerCase();

/**
 * Changes a user's name, role or portal access, conditional on `ifMatch`. A bound user's membership follows at
 * once (the next request sees it, after the role cache). The last active admin may not demote or disable
 * themselves: the customer would be left without anyone to manage its users.
 */
export async function updateUser(
  deps: PortalUserDeps,
  input: { customerId: string; userId: string; patch: PortalUserPatch; ifMatch: string; caller: Caller },
): Promise<Versioned<PortalUser>> {
  const current = await getUser(deps, input.customerId, input.userId);
  if (current.etag !== input.ifMatch) throw preconditionFailed();
  const next: PortalUser = { ...current.value, ...input.patch, updatedAt: deps.clock.now().toISOString() };
  const losesAdmin = current.value.role === 'Admin' && (next.role !== 'Admin' || next.portalAccess === 'disabled');
  if (
    losesAdmin &&
    statusOf(current.value) === 'active' &&
    isSelf(current.value, input.caller) &&
    (await deps.portalUsers.countActiveAdmins(input.customerId)) <= 1
  ) {
    throw conflict(
      'PORTAL_USER.LAST_ADMIN',
      'You are the last active admin of this customer: make another user Admin before you demote or disable yourself.',
    );
  }
  const saved = await deps.portalUsers.replace(next, input.ifMatch);
  if (saved.value.identity) await syncMembership(deps, saved.value);
  return saved;
}

/** Writes the membership of a bound user as its record says (role, enabled), for sign-in to read. */
export async function syncMembership(
  deps: Pick<PortalUserDeps, 'access' | 'customers'>,
  user: PortalUser,
): Promise<void> {
  if (!user.identity) return;
  await deps.access.grant(user.identity.tenantId, user.identity.objectId, {
    customerId: user.customerId,
    customerName: await customerNameOf(deps, user.customerId),
    userId: user.id,
    role: user.role,
    enabled: user.portalAccess === 'enabled',
  });
}

/**
 * Binds an identity to a user (the user becomes active) and writes its membership, conditional on the user's
 * ETag. Refused when the identity is bound to another user of the same customer already.
 */
export async function bindIdentity(
  deps: PortalUserDeps,
  user: Versioned<PortalUser>,
  identity: { tenantId: string; objectId: string },
  changes: Partial<PortalUser> = {},
): Promise<Versioned<PortalUser>> {
  const bound = { tenantId: identity.tenantId.toLowerCase(), objectId: identity.objectId.toLowerCase() };
  const memberships = await deps.access.membershipsOf(bound.tenantId, bound.objectId);
  const other = memberships.find((m) => m.customerId === user.value.customerId && m.userId !== user.value.id);
  if (other) {
    throw conflict(
      'PORTAL_USER.IDENTITY_ALREADY_BOUND',
      'This Microsoft account is bound to another portal user of this customer already.',
    );
  }
  const now = deps.clock.now().toISOString();
  let saved: Versioned<PortalUser>;
  try {
    saved = await deps.portalUsers.replace(
      { ...user.value, ...changes, identity: bound, acceptedAt: now, updatedAt: now },
      user.etag,
    );
  } catch (error) {
    if (error instanceof AppError && error.kind === 'PreconditionFailed') {
      throw conflict('PORTAL_USER.CHANGED', 'The portal user changed while this was being done; try again.');
    }
    throw error;
  }
  const previous = user.value.identity;
  if (previous && (previous.tenantId !== bound.tenantId || previous.objectId !== bound.objectId)) {
    await syncMembership(deps, { ...saved.value, identity: previous, portalAccess: 'disabled' });
  }
  await syncMembership(deps, saved.value);
  // A change of role or access that landed between the write above and the membership write wins: re-apply it.
  const latest = await deps.portalUsers.get(saved.value.customerId, saved.value.id);
  if (latest && latest.etag !== saved.etag) await syncMembership(deps, latest.value);
  return latest ?? saved;
}

/**
 * Makes `email` an active portal user of the customer with `role`, bound to `identity`: invited first if new.
 * For local sign-in (`npm run token`) and seeding; the same rules as an accepted invitation, without the mail.
 */
export async function registerPortalUser(
  deps: PortalUserDeps,
  input: {
    customerId: string;
    email: string;
    firstName: string;
    lastName: string;
    role: CustomerRole;
    identity: { tenantId: string; objectId: string };
  },
): Promise<Versioned<PortalUser>> {
  const parsed = inviteRequestSchema.safeParse({
    firstName: input.firstName,
    lastName: input.lastName,
    email: input.email,
    role: input.role,
  });
  if (!parsed.success)
    throw validation(
      'The portal user is not valid.',
      parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  const existing =
    (await deps.portalUsers.findByEmail(input.customerId, parsed.data.email)) ??
    (await inviteUser(deps, input.customerId, parsed.data));
  return bindIdentity(deps, existing, input.identity, {
    role: input.role,
    portalAccess: 'enabled',
    invitation: undefined,
  });
}
