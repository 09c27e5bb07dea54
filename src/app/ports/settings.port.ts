import type { BillingConfirmationSettings } from '../../domain/billing-confirmation.ts';
import type { Versioned } from './customer.repository.port.ts';

/** The partner's settings. */
export interface SettingsStore {
  billingConfirmation(): Promise<Versioned<BillingConfirmationSettings> | undefined>;
  /** Creates (no etag) or replaces (etag, 412 when stale) the settings. */
  saveBillingConfirmation(value: BillingConfirmationSettings, etag?: string): Promise<Versioned<BillingConfirmationSettings>>;
}
