import type { Config } from '../../config.ts';
import type { BillingLine, Invoice } from '../../domain/billing.ts';
import type { SubscriptionHistory } from '../../domain/billing-lines.ts';
import type { Customer } from '../../domain/customer.ts';
import type { BillingRun, BillingRunStore, BillingStore } from '../ports/billing.port.ts';
import type { CatalogPort } from '../ports/catalog.port.ts';
import type { Clock } from '../ports/clock.port.ts';
import type { BillingQueue } from '../ports/billing-queue.port.ts';
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
  /** The cycle's lines when this call billed it (the report writer need not read them again). */
  lines?: BillingLine[];
  /** The customer's subscription histories when this call billed it (the reports' subscription facts). */
  histories?: SubscriptionHistory[];
}

/** What a billing run needs: billing a cycle, the runs and the customers, and what to do after each. */
export interface RunStartDeps {
  billingRuns: BillingRunStore;
  customers: Pick<CustomerRepository, 'list'>;
  clock: Clock;
  /** Absent: the run is recorded but nothing is enqueued (it is worked through with `continueBillingRun`). */
  billingQueue?: BillingQueue;
}

export type RunDeps = BillingDeps &
  RunStartDeps & {
    customers: Pick<CustomerRepository, 'list' | 'get'>;
    /** Called after each customer's cycle is billed (the reports issue writes its files here). */
    afterCustomer?: (customer: Customer, bill: CycleBill) => Promise<void>;
    /** Called when the run's last customer is done, before the run is marked completed (manifest, notice). */
    afterRun?: (run: BillingRun) => Promise<void>;
  };

/** The partner's mark-up is read at most once a minute per process, not once per customer. */
const MARKUP_TTL_MS = 60_000;
const markups = new WeakMap<object, { at: number; value: Promise<string> }>();

function cachedMarkup(services: Pick<BillingPorts, 'settings'>): Promise<string> {
  const now = Date.now();
  const cached = markups.get(services.settings);
  if (cached && now - cached.at < MARKUP_TTL_MS) return cached.value;
  const value = usageMarkupPercent(services.settings);
  markups.set(services.settings, { at: now, value });
  value.catch(() => markups.delete(services.settings));
  return value;
}

/** The billing engine's dependencies from the app's services. */
export function billingDepsOf(
  services: BillingPorts & { billingQueue?: BillingQueue },
  extra: Pick<RunDeps, 'afterCustomer' | 'afterRun'> = {},
): RunDeps {
  return { ...services, usageMarkupPercent: () => cachedMarkup(services), ...extra };
}
