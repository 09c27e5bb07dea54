import type { Acceptance } from '../../domain/agreement.ts';

/**
 * Customers' acceptances of agreements. Stored in Table Storage here; with Partner Center the same record is
 * `POST /v1/customers/{customer-tenant-id}/agreements` (primaryContact, dateAgreed, templateId), which an
 * adapter of this port would send as well.
 */
export interface AgreementStore {
  acceptances(customerId: string): Promise<Acceptance[]>;
  /** Records an acceptance once: conflict AGREEMENT.ALREADY_ACCEPTED when it exists. */
  recordAcceptance(acceptance: Acceptance): Promise<void>;
}
