import type { LogoStore } from '../ports/logo-store.port.ts';
import type { SettingsStore } from '../ports/settings.port.ts';

/** What the partner profile and the public branding need. */
export interface PartnerProfileDeps {
  settings: Pick<SettingsStore, 'partnerProfile' | 'savePartnerProfile'>;
  /** PARTNER_NAME: the partner's name until a profile is saved. */
  config: { PARTNER_NAME: string };
}

export interface BrandingDeps extends PartnerProfileDeps {
  logos: Pick<LogoStore, 'get'>;
}
