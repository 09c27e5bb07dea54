import { z } from 'zod';
import { phoneSchema } from './customer.ts';
import { emailSchema } from './portal-user.ts';

/** F-PROFILE: a signed-in user's own profile, one per identity (tenant id + object id). */
export const contactMethods = ['email', 'phone', 'teams'] as const;

const text = (max: number) => z.string().trim().min(1).max(max);

const firstName = text(100);
const lastName = text(100);
const organization = text(200);
const title = text(100);

export const userProfileSchema = z.object({
  firstName: firstName.optional(),
  lastName: lastName.optional(),
  /** Where to reach the user; not necessarily the sign-in address. */
  email: emailSchema.optional(),
  businessPhone: phoneSchema.optional(),
  organization: organization.optional(),
  title: title.optional(),
  preferredContactMethod: z.enum(contactMethods),
  updatedAt: z.iso.datetime(),
});
export type UserProfile = z.infer<typeof userProfileSchema>;

/** A partial update: fields given replace the stored ones; `null` clears one. */
export const userProfilePatchSchema = z
  .strictObject({
    firstName: firstName.nullable().optional(),
    lastName: lastName.nullable().optional(),
    email: emailSchema.nullable().optional(),
    businessPhone: phoneSchema.nullable().optional(),
    organization: organization.nullable().optional(),
    title: title.nullable().optional(),
    preferredContactMethod: z.enum(contactMethods).optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'name at least one field to change');
export type UserProfilePatch = z.infer<typeof userProfilePatchSchema>;

/** A first profile from what the sign-in token says. */
export function initialProfile(identity: { email?: string; name?: string }, now: Date): UserProfile {
  const [first, ...rest] = (identity.name ?? '').trim().split(/\s+/).filter(Boolean);
  const email = emailSchema.safeParse(identity.email ?? '');
  return {
    ...(first ? { firstName: first.slice(0, 100) } : {}),
    ...(rest.length ? { lastName: rest.join(' ').slice(0, 100) } : {}),
    ...(email.success ? { email: email.data } : {}),
    preferredContactMethod: 'email',
    updatedAt: now.toISOString(),
  };
}

/** Applies a patch: given values replace, nulls remove. */
export function applyPatch<T extends Record<string, unknown>>(current: T, patch: Record<string, unknown>): T {
  const next: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete next[key];
    else if (value !== undefined) next[key] = value;
  }
  return next as T;
}
