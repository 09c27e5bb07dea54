import type { AgreementAddition, PsaMapping } from '../../domain/psa.ts';
import type { Versioned } from './customer.repository.port.ts';

/** F-PSA: the partner's mapping to its PSA and what has been sent there. */
export interface PsaStore {
  mapping(): Promise<Versioned<PsaMapping> | undefined>;
  /** Creates (no etag) or replaces (etag) the mapping. */
  saveMapping(mapping: PsaMapping, etag?: string): Promise<Versioned<PsaMapping>>;
  /** The PSA record an addition became, if it was sent. */
  sent(additionId: string): Promise<{ psaId: string; sentAt: string } | undefined>;
  markSent(additionId: string, psaId: string, sentAt: string): Promise<void>;
}

/** ConnectWise Manage's REST API: one agreement addition created per call. */
export interface AgreementAdditionsApi {
  /** Creates the addition on its agreement; returns ConnectWise's id of it. */
  create(addition: AgreementAddition): Promise<{ id: string }>;
}
