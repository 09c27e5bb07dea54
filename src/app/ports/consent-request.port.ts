import type { ConsentRequest } from '../../domain/consent-request.ts';

/** Admin-consent requests of a customer (kept by the portal: Microsoft has no record of them). */
export interface ConsentRequestStore {
  create(request: ConsentRequest): Promise<void>;
  /** The customer's requests, newest first. */
  list(customerId: string, limit: number): Promise<ConsentRequest[]>;
}
