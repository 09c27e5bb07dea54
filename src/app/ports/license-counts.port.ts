import type { StoredLicenseCounts } from '../../domain/license-counts.ts';
import type { Versioned } from './customer.repository.port.ts';

/** The partner's manually entered license counts, one record per month. */
export interface LicenseCountStore {
  get(period: string): Promise<Versioned<StoredLicenseCounts> | undefined>;
  /** Creates (no etag; 412 when it exists meanwhile) or replaces (etag; 412 when stale). */
  save(counts: StoredLicenseCounts, etag?: string): Promise<Versioned<StoredLicenseCounts>>;
}
