import { AppError, notFound } from './errors.ts';

/**
 * How the directory's failures reach callers (both adapters raise the same ones): throttling and outages are
 * 503 with Retry-After; Microsoft's license rules refused are 409 with a stable code; a missing user or group is
 * 404; a tenant that has not granted the portal's app admin consent is 409 DIRECTORY.CONSENT_REQUIRED.
 */
export function directoryThrottled(retryAfterSeconds: number): AppError {
  return new AppError(
    'Unavailable',
    'DIRECTORY.THROTTLED',
    'Microsoft Graph is throttling requests; try again after the Retry-After delay.',
    { retryAfterSeconds },
  );
}

export function directoryUnavailable(detail: string, retryAfterSeconds = 30): AppError {
  return new AppError(
    'Unavailable',
    'DIRECTORY.UNAVAILABLE',
    `Microsoft Graph did not answer in time or failed (${detail}).`,
    { retryAfterSeconds },
  );
}

/** Graph answered something this product cannot read: nothing is assumed changed; try again later. */
export function directoryBadAnswer(detail: string, retryAfterSeconds = 60): AppError {
  return new AppError(
    'Unavailable',
    'DIRECTORY.BAD_ANSWER',
    `Microsoft Graph answered in a form this portal cannot read (${detail}). Check again in a few minutes; if it persists, contact your partner.`,
    { retryAfterSeconds },
  );
}

export function countViolation(skuId: string): AppError {
  return new AppError(
    'Conflict',
    'DIRECTORY.COUNT_VIOLATION',
    `No license of SKU ${skuId} is left: every purchased unit is assigned. Buy more seats or unassign a license first.`,
    { skuId },
  );
}

export function usageLocationRequired(userId?: string): AppError {
  return new AppError(
    'Conflict',
    'DIRECTORY.USAGE_LOCATION_REQUIRED',
    'Microsoft assigns licenses only to users with a usage location (their country); set one first.',
    userId ? { userId } : {},
  );
}

export function licenseInherited(skuId?: string, groupIds: string[] = []): AppError {
  return new AppError(
    'Conflict',
    'DIRECTORY.LICENSE_INHERITED',
    'This license comes from a group the user belongs to; it cannot be removed from the user directly. Remove it from the group, or the user from the group.',
    { ...(skuId ? { skuId } : {}), ...(groupIds.length ? { groupIds } : {}) },
  );
}

export function licenseNotAssigned(skuId?: string): AppError {
  return new AppError(
    'Conflict',
    'DIRECTORY.LICENSE_NOT_ASSIGNED',
    `The license${skuId ? ` ${skuId}` : ''} is not assigned here, so it cannot be removed.`,
    skuId ? { skuId } : {},
  );
}

export function skuNotInTenant(skuId: string): AppError {
  return new AppError('Conflict', 'DIRECTORY.SKU_NOT_FOUND', `The tenant has no subscription for SKU ${skuId}.`, {
    skuId,
  });
}

export function userExists(userPrincipalName?: string): AppError {
  return new AppError(
    'Conflict',
    'DIRECTORY.USER_EXISTS',
    `A user ${userPrincipalName ?? 'with this user principal name'} already exists in the tenant.`,
    userPrincipalName ? { userPrincipalName } : {},
  );
}

export function consentRequired(missing: string[]): AppError {
  return new AppError(
    'Conflict',
    'DIRECTORY.CONSENT_REQUIRED',
    "The portal's app has no admin consent in this Microsoft 365 tenant (or not for this operation): a Global Administrator must grant it.",
    { missingPermissions: missing },
  );
}

export function directoryRefused(graphCode: string, message: string, extra: Record<string, unknown> = {}): AppError {
  return new AppError('Conflict', 'DIRECTORY.REFUSED', message, { graphCode, ...extra });
}

export const userNotFound = (userId: string) =>
  notFound('DIRECTORY.USER_NOT_FOUND', `The tenant has no user ${userId}.`);
export const groupNotFound = (groupId: string) =>
  notFound('DIRECTORY.GROUP_NOT_FOUND', `The tenant has no group ${groupId}.`);
