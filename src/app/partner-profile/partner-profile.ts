import { effectivePartnerProfile, type PartnerProfile } from '../../domain/partner-profile.ts';
import type { Versioned } from '../ports/customer.repository.port.ts';
import type { BrandingDeps, PartnerProfileDeps } from './deps.ts';

/**
 * F-BRAND: the partner profile in force (stored, else PARTNER_NAME alone) with its ETag when stored, and its
 * public part for the portal's theme, which anyone may read.
 */
export async function partnerProfile(deps: {
  settings: Pick<PartnerProfileDeps['settings'], 'partnerProfile'>;
  config: PartnerProfileDeps['config'];
}): Promise<{ value: PartnerProfile; etag: string | undefined }> {
  const stored = await deps.settings.partnerProfile();
  return { value: effectivePartnerProfile(stored?.value, deps.config.PARTNER_NAME), etag: stored?.etag };
}

/** Creates the profile (no If-Match) or replaces it (If-Match, 412 when stale). */
export function savePartnerProfile(
  deps: PartnerProfileDeps,
  value: PartnerProfile,
  ifMatch: string | undefined,
): Promise<Versioned<PartnerProfile>> {
  return deps.settings.savePartnerProfile(value, ifMatch);
}

export const LOGO_PATH = '/api/branding/logo';

export interface PublicBranding {
  partnerName: string;
  accentColor: string;
  /** The logo's route, or null when none was uploaded. */
  logoUrl: string | null;
}

export async function publicBranding(deps: BrandingDeps): Promise<PublicBranding> {
  const [{ value }, logo] = await Promise.all([partnerProfile(deps), deps.logos.get()]);
  return { partnerName: value.legalName, accentColor: value.accentColor, logoUrl: logo ? LOGO_PATH : null };
}
