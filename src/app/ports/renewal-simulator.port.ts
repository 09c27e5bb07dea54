/**
 * The commerce simulator's own clock work (COMMERCE_MODE=simulator): Microsoft renews subscriptions from 00:00 UTC
 * on their term end date, the simulator when asked.
 */
export interface RenewalSimulator {
  /** Customer tenants the simulator holds subscriptions for. */
  tenants(): Promise<string[]>;
  /** Tenants with a subscription to renew or expire today (a superset is allowed), without reading every row. */
  tenantsWithRenewalsDue(): Promise<string[]>;
  processRenewals(customerTenantId: string): Promise<{ renewed: string[]; expired: string[] }>;
}
