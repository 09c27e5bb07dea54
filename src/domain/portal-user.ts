import { z } from 'zod';
import { customerRoles } from './roles.ts';

/**
 * F-USERS. A portal user is invited by name and Microsoft 365 e-mail (`inactive`), receives a single-use link,
 * and becomes `active` when that address signs in with Microsoft and accepts it: the identity (tenant id +
 * object id) is then bound to the user. `portalAccess: disabled` turns the user `disabled` whatever else holds.
 */
export const portalUserStatuses = ['inactive', 'active', 'disabled'] as const;
export type PortalUserStatus = (typeof portalUserStatuses)[number];
export const portalAccessValues = ['enabled', 'disabled'] as const;

const name = z.string().trim().min(1).max(100);
/** Addresses compare case-insensitively: stored in lower case. */
export const emailSchema = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email())
  .transform((email) => email.toLowerCase());
const instant = z.iso.datetime();
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

export const portalUserSchema = z.object({
  id: z.uuid(),
  customerId: z.uuid(),
  firstName: name,
  lastName: name,
  email: emailSchema,
  role: z.enum(customerRoles),
  portalAccess: z.enum(portalAccessValues),
  /** The Microsoft identity bound when the invitation was accepted. */
  identity: z.object({ tenantId: z.uuid(), objectId: z.uuid() }).optional(),
  /** The one invitation that can still be accepted: only its SHA-256 hash is kept. */
  invitation: z.object({ hash: sha256Hex, sentAt: instant, expiresAt: instant }).optional(),
  /** Hash of the invitation that was accepted, so that its reuse is recognised as such. */
  acceptedInvitation: sha256Hex.optional(),
  acceptedAt: instant.optional(),
  createdAt: instant,
  updatedAt: instant,
});
export type PortalUser = z.infer<typeof portalUserSchema>;

export function statusOf(user: Pick<PortalUser, 'portalAccess' | 'identity'>): PortalUserStatus {
  if (user.portalAccess === 'disabled') return 'disabled';
  return user.identity ? 'active' : 'inactive';
}

export const inviteRequestSchema = z.strictObject({
  firstName: name,
  lastName: name,
  /** The Microsoft 365 (Entra ID) sign-in address of the user; any tenant. */
  email: emailSchema,
  role: z.enum(customerRoles).default('View'),
});
export type InviteRequest = z.infer<typeof inviteRequestSchema>;

export const portalUserPatchSchema = z.strictObject({
  firstName: name.optional(),
  lastName: name.optional(),
  role: z.enum(customerRoles).optional(),
  portalAccess: z.enum(portalAccessValues).optional(),
});
export type PortalUserPatch = z.infer<typeof portalUserPatchSchema>;

/** Invitation links carry 32 random bytes in base64url (43 characters, no padding). */
export const invitationTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'an invitation token from the link');
