import type { Reseller } from '../../domain/reseller.ts';
import type { Versioned } from './customer.repository.port.ts';

export interface ResellerStore {
  /** Every reseller, by name (a partner has tens, not thousands). */
  list(): Promise<Versioned<Reseller>[]>;
  get(resellerId: string): Promise<Versioned<Reseller> | undefined>;
  create(reseller: Reseller): Promise<Versioned<Reseller>>;
  /** PreconditionFailed when `etag` is no longer current. */
  replace(reseller: Reseller, etag: string): Promise<Versioned<Reseller>>;
}
