import type { BillingConfirmationSettings } from '../../domain/billing-confirmation.ts';
import type { PartnerProfile } from '../../domain/partner-profile.ts';
import type { UsageSettings } from '../../domain/usage.ts';
import type { Versioned } from './customer.repository.port.ts';

/** The partner's settings. */
export interface SettingsStore {
  billingConfirmation(): Promise<Versioned<BillingConfirmationSettings> | undefined>;
  /** Creates (no etag) or replaces (etag, 412 when stale) the settings. */
  saveBillingConfirmation(
    value: BillingConfirmationSettings,
    etag?: string,
  ): Promise<Versioned<BillingConfirmationSettings>>;
  /** F-USAGE: the mark-up on Azure usage; undefined until saved (then 0 %). */
  usage(): Promise<Versioned<UsageSettings> | undefined>;
  /** Creates (no etag) or replaces (etag, 412 when stale) the usage settings. */
  saveUsage(value: UsageSettings, etag?: string): Promise<Versioned<UsageSettings>>;
  /** F-BRAND: the partner's profile on reports, invoices and mail; undefined until saved. */
  partnerProfile(): Promise<Versioned<PartnerProfile> | undefined>;
  /** Creates (no etag) or replaces (etag, 412 when stale) the partner profile. */
  savePartnerProfile(value: PartnerProfile, etag?: string): Promise<Versioned<PartnerProfile>>;
}
