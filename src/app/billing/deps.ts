import type { Config } from '../../config.ts';
import type { Invoice } from '../../domain/billing.ts';
import type { Customer } from '../../domain/customer.ts';
import type { BillingRun, BillingRunStore, BillingStore } from '../ports/billing.port.ts';
import type { CatalogPort } from '../ports/catalog.port.ts';
import type { Clock } from '../ports/clock.port.ts';
import type { CustomerDataStore } from '../ports/customer-data.port.ts';
import type { CustomerRepository } from '../ports/customer.repository.port.ts';
import type { SettingsStore } from '../ports/settings.port.ts';
import type { UsageStore } from '../ports/usage.port.ts';
import { usageMarkupPercent } from '../usage/usage-view.ts';

/** The ports the billing engine (F-BILLING) uses. */
export interface BillingPorts {
  config: Config;
  clock: Clock;
  customers: CustomerRepository;
  customerData: CustomerDataStore;
  catalog: CatalogPort;
  billing: BillingStore;
  billingRuns: BillingRunStore;
  usageStore: UsageStore;
  settings: SettingsStore;
}

/** What billing one customer cycle needs. */
export type BillingDeps = Pick<BillingPorts, 'clock' | 'customerData' | 'catalog' | 'billing' | 'config'> & {
  usageStore: Pick<UsageStore, 'list'>;
  /** The partner's mark-up on Azure usage, in percent (decimal string). */
  usageMarkupPercent: () => Promise<string>;
};

export interface CycleBill {
  cycle: string;
  invoice: Invoice;
  /** Lines this run added (0 when the cycle was billed already). */
  added: number;
}

/** What a billing run needs: billing a cycle, the runs and the customers, and what to do after each. */
export type RunDeps = BillingDeps &
  Pick<BillingPorts, 'billingRuns' | 'customers'> & {
    /** Called after each customer's cycle is billed (the reports issue writes its files here). */
    afterCustomer?: (customer: Customer, bill: CycleBill) => Promise<void>;
    /** Called when a pass leaves the run finished and either finished it or billed someone (manifest, notice). */
    afterRun?: (run: BillingRun) => Promise<void>;
  };

/** The billing engine's dependencies from the app's services. */
export function billingDepsOf(
  services: BillingPorts,
  extra: Pick<RunDeps, 'afterCustomer' | 'afterRun'> = {},
): RunDeps {
  return { ...services, usageMarkupPercent: () => usageMarkupPercent(services.settings), ...extra };
}
