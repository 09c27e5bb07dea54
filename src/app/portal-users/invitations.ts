import { createHash, randomBytes } from 'node:crypto';
import { statusOf, type PortalUser } from '../../domain/portal-user.ts';
import { AppError, conflict, notFound } from '../errors.ts';
import type { Versioned } from '../ports/customer.repository.port.ts';
import type { Caller, PortalUserDeps } from './deps.ts';
import { bindIdentity, customerNameOf, getUser } from './portal-users.ts';

const TOKEN_BYTES = 32;

export const hashOfToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

export interface SentInvitation {
  user: Versioned<PortalUser>;
  sentTo: string;
  expiresAt: string;
}

/**
 * Sends (or sends again) a user's invitation: a new random token, kept only as its SHA-256 hash with its expiry;
 * the previous token stops working. The link goes out by mail and nowhere else.
 */
export async function sendInvitation(
  deps: PortalUserDeps,
  customerId: string,
  userId: string,
): Promise<SentInvitation> {
  const user = await getUser(deps, customerId, userId);
  const status = statusOf(user.value);
  if (status === 'disabled')
    throw conflict(
      'PORTAL_USER.DISABLED',
      'Portal access of this user is disabled: enable it before sending an invitation.',
    );
  if (status === 'active')
    throw conflict('PORTAL_USER.ALREADY_ACTIVE', 'This user has accepted an invitation already.');
  const customerName = await customerNameOf(deps, customerId);

  const token = randomBytes(TOKEN_BYTES).toString('base64url');
  const hash = hashOfToken(token);
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + deps.config.INVITATION_TTL_HOURS * 3_600_000).toISOString();
  await deps.portalUsers.putInvitation({ hash, customerId, userId, expiresAt });
  let saved: Versioned<PortalUser>;
  try {
    saved = await deps.portalUsers.replace(
      { ...user.value, invitation: { hash, sentAt: now.toISOString(), expiresAt }, updatedAt: now.toISOString() },
      user.etag,
    );
  } catch (error) {
    await deps.portalUsers.deleteInvitation(hash);
    if (error instanceof AppError && error.kind === 'PreconditionFailed') {
      throw conflict('PORTAL_USER.CHANGED', 'The portal user changed while the invitation was being sent; try again.');
    }
    throw error;
  }
  if (user.value.invitation) await deps.portalUsers.deleteInvitation(user.value.invitation.hash);

  const link = `${deps.config.PORTAL_BASE_URL.replace(/\/+$/, '')}/invitations/${token}`;
  await deps.notifier.send({
    id: `invitation-${hash.slice(0, 32)}`,
    to: user.value.email,
    kind: 'invitation',
    subject: `Your invitation to the ${customerName} portal`,
    text: [
      `Hello ${user.value.firstName},`,
      '',
      `You are invited to manage the Microsoft services of ${customerName} in its self-service portal, as ${user.value.role}.`,
      `Open this link and sign in with your Microsoft account ${user.value.email}:`,
      '',
      link,
      '',
      `The link works once and expires on ${expiresAt.slice(0, 16).replace('T', ' ')} UTC.`,
    ].join('\n'),
  });
  return { user: saved, sentTo: user.value.email, expiresAt };
}

const refused = (kind: 'Forbidden' | 'Conflict', code: string, message: string) => new AppError(kind, code, message);

/**
 * Accepts an invitation for the signed-in caller: the token must be the user's current one, unexpired and
 * unused, the user enabled, and the caller's e-mail the invited one. Then the caller's identity is bound to
 * the user (active) with its membership. Every refusal comes before any write.
 */
export async function acceptInvitation(
  deps: PortalUserDeps,
  token: string,
  caller: Caller,
): Promise<Versioned<PortalUser>> {
  const hash = hashOfToken(token);
  const lookup = await deps.portalUsers.invitation(hash);
  const user = lookup && (await deps.portalUsers.get(lookup.customerId, lookup.userId));
  if (!lookup || !user)
    throw notFound(
      'INVITATION.NOT_FOUND',
      'This invitation link is not valid, or was replaced by a newer one: use the link of the latest invitation.',
    );
  const { value } = user;
  if (value.acceptedInvitation === hash)
    throw refused(
      'Conflict',
      'INVITATION.ALREADY_ACCEPTED',
      'This invitation has been accepted already; sign in to the portal instead.',
    );
  if (value.invitation?.hash !== hash)
    throw refused(
      'Conflict',
      'INVITATION.SUPERSEDED',
      'A newer invitation was sent for this user: use the link of the latest one.',
    );
  if (deps.clock.now().getTime() >= Date.parse(value.invitation.expiresAt)) {
    throw refused(
      'Conflict',
      'INVITATION.EXPIRED',
      'This invitation has expired: ask an admin of your company to send a new one.',
    );
  }
  if (value.portalAccess === 'disabled')
    throw refused(
      'Forbidden',
      'INVITATION.USER_DISABLED',
      'Portal access of this user is disabled: ask an admin of your company.',
    );
  if (!caller.email || caller.email.toLowerCase() !== value.email) {
    throw refused(
      'Forbidden',
      'INVITATION.WRONG_ACCOUNT',
      'This invitation was sent to another address: sign in with the Microsoft account it was sent to.',
    );
  }
  return bindIdentity(deps, user, caller, { invitation: undefined, acceptedInvitation: hash });
}
