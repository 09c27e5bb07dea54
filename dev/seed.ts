import { createHash } from 'node:crypto';
import { savePartnerProfile } from '../src/app/partner-profile/partner-profile.ts';
import type { PartnerProfile } from '../src/domain/partner-profile.ts';
import type { z } from 'zod';
import { createCustomer } from '../src/app/customers.ts';
import { AppError } from '../src/app/errors.ts';
import { changeSubscription } from '../src/app/subscriptions/change-subscription.ts';
import { buyAddOn, buySubscription } from '../src/app/subscriptions/buy.ts';
import { syncSubscriptions } from '../src/app/subscriptions/sync.ts';
import { legacyReasons } from '../src/domain/legacy-subscription.ts';
import { registerPortalUser } from '../src/app/portal-users/portal-users.ts';
import { assignUserLicenses } from '../src/app/m365/licenses.ts';
import { guidFrom } from '../src/adapters/auth/local-keys.ts';
import { customerFieldsSchema, type Customer } from '../src/domain/customer.ts';
import type { CustomerRole } from '../src/domain/roles.ts';
import type { ChangeRequest } from '../src/domain/subscription.ts';
import type { AddOnChange, PurchaseRequest } from '../src/domain/purchase.ts';
import type { Services } from '../src/main.ts';
import { seedDemoCatalog } from './demo-catalog.ts';
import { seedDemoDirectory } from './demo-directory.ts';

/**
 * The demo: four customers of different sizes, currencies and billing days, and a year of their history made by
 * replaying it through the simulator clock (F-CLOCK) from a fixed start: every purchase, change, renewal, daily
 * usage pull and monthly billing run happens at its own simulated time, through the same use cases and jobs as
 * in production. The script, the start and the seed of the ids are fixed, and the clock is held at each step's
 * instant while the demo is written, so two seeds give the same bytes in every table and blob.
 */
export const DEMO_START = '2025-10-31T08:00:00.000Z';
export const DEMO_END = '2026-11-25T08:00:00.000Z';

const BASIC = 'CFQ7TTC0LH18:0001';
const PREMIUM = 'CFQ7TTC0LCHC:0002';
const EXCHANGE = 'CFQ7TTC0LH16:0001';
const TEAMS_PHONE = 'CFQ7TTC0LH1G:0001';
const AZURE_PLAN = 'DZH318Z0BPS6:0001';

/** Demo customers: four countries, three currencies, four billing days. */
export const demoCustomers: z.input<typeof customerFieldsSchema>[] = [
  {
    name: 'Contoso Ltd',
    tenantId: '4a1e0d2c-6b3f-4c55-9d0e-000000c0a701',
    billingDay: 1,
    currency: 'USD',
    country: 'US',
    company: {
      phone: '+1 425 555 0100',
      website: 'https://contoso.example',
      email: 'it@contoso.example',
      address: { line1: '1 Microsoft Way', city: 'Redmond', region: 'WA', postalCode: '98052', country: 'US' },
    },
  },
  {
    name: 'Fabrikam GmbH',
    tenantId: '4a1e0d2c-6b3f-4c55-9d0e-000000fab402',
    billingChangeConfirmation: true,
    billingDay: 16,
    currency: 'EUR',
    country: 'DE',
    company: {
      phone: '+49 89 555 0100',
      email: 'it@fabrikam.example',
      address: { line1: 'Walter-Gropius-Straße 5', city: 'München', postalCode: '80807', country: 'DE' },
    },
  },
  {
    name: 'Northwind Traders',
    tenantId: '4a1e0d2c-6b3f-4c55-9d0e-0000000a0703',
    billingDay: 'last',
    currency: 'GBP',
    country: 'GB',
    company: { email: 'ops@northwind.example' },
  },
  {
    name: 'Adatum Corporation',
    tenantId: '4a1e0d2c-6b3f-4c55-9d0e-00000ada7804',
    billingDay: 10,
    currency: 'USD',
    country: 'US',
    company: {
      email: 'it@adatum.example',
      address: { line1: '500 Pine St', city: 'Seattle', region: 'WA', postalCode: '98101', country: 'US' },
    },
  },
];

/** Portal users of every role, to sign in as (`npm run token -- --email … --customer … --role …`). */
export const demoPortalUsers: {
  customer: string;
  email: string;
  firstName: string;
  lastName: string;
  role: CustomerRole;
}[] = [
  { customer: 'Contoso Ltd', email: 'alice@contoso.example', firstName: 'Alice', lastName: 'Admin', role: 'Admin' },
  { customer: 'Contoso Ltd', email: 'bob@contoso.example', firstName: 'Bob', lastName: 'Modify', role: 'Modify' },
  { customer: 'Contoso Ltd', email: 'carol@contoso.example', firstName: 'Carol', lastName: 'View', role: 'View' },
  { customer: 'Fabrikam GmbH', email: 'dana@fabrikam.example', firstName: 'Dana', lastName: 'Admin', role: 'Admin' },
  { customer: 'Fabrikam GmbH', email: 'erik@fabrikam.example', firstName: 'Erik', lastName: 'View', role: 'View' },
  { customer: 'Northwind Traders', email: 'fay@northwind.example', firstName: 'Fay', lastName: 'Admin', role: 'Admin' },
  { customer: 'Adatum Corporation', email: 'gus@adatum.example', firstName: 'Gus', lastName: 'Modify', role: 'Modify' },
];

export interface DemoOptions {
  /** Months of history before DEMO_END (12 by default; fewer, or 0 for none, for quicker test setups). */
  months?: number;
  /** The seed of the demo's ids (DEMO_SEED by default): the same seed gives the same bytes in every table and blob. */
  seed?: string;
  log?: (line: string) => void;
}

/** The demo's seed unless another is given. */
export const DEMO_SEED = 'lakeshore-demo';

/** Seeds the demo when there are no customers yet; returns the customers it created. */
/** The demo partner: a profile like a real partner's, so that the demo's invoices look like ones it would send. */
export const demoPartnerProfile: PartnerProfile = {
  legalName: 'Lakeshore Cloud Services Ltd',
  address: { line1: '200 Harbour Street', city: 'Seattle', region: 'WA', postalCode: '98101', country: 'US' },
  taxId: 'EIN 91-1234567',
  supportEmail: 'billing@lakeshore.example',
  supportPhone: '+1 206 555 0100',
  accentColor: '#1F4E79',
};

export async function seedDemoData(services: Services, options: DemoOptions = {}): Promise<Customer[]> {
  await seedDemoCatalog(services);
  const existing = await services.customers.list(1);
  if (existing.items.length > 0) return [];
  const control = services.simulatorClock;
  // Ids from the seed and the time held at each firing's instant while the demo is written; random ids and the
  // running clock again afterwards (ids made later must never repeat the seed's).
  services.ids.useSeed(options.seed ?? DEMO_SEED);
  control?.clock.hold(true);
  try {
    return await seedHistory(services, options);
  } finally {
    control?.clock.hold(false);
    services.ids.useRandom();
  }
}

async function seedHistory(services: Services, options: DemoOptions): Promise<Customer[]> {
  const control = services.simulatorClock;
  const end = new Date(DEMO_END);
  const months = options.months ?? 12;
  // With no months of history the demo starts (and ends) at DEMO_END: its first purchases only. Otherwise it starts
  // on the last day of a month: the first run after the purchases is the next month's, and every customer's first
  // cycle it bills holds them (begun on the 3rd, Contoso's first invoice was its cycle ending on the 1st, empty).
  const start = months ? new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth() - months, 0, 8)) : end;
  if (control && !(await control.clockStore.read())) await control.clock.startAt(start);
  // The partner as its customers see it on every report, invoice and mail (a partner admin may change it).
  if (!(await services.settings.partnerProfile())) await savePartnerProfile(services, demoPartnerProfile, undefined);
  const demo = new Demo(services);
  for (const fields of demoCustomers) await demo.createCustomer(fields);
  demo.directoryUsers = await seedDemoDirectory(services, demo.customers);

  if (!control || control.clock.now().getTime() > start.getTime() + 86_400_000) {
    // No simulator clock (Partner Center, or a test's own clock): today's purchases only, no history.
    for (const step of timeline.filter((s) => s.day === 0)) await step.run(demo);
  } else {
    const began = performance.now();
    for (const step of timeline) {
      const at = new Date(start.getTime() + step.day * 86_400_000);
      if (at.getTime() > end.getTime()) break;
      if (at.getTime() > control.clock.now().getTime()) await control.advance(at);
      await step.run(demo);
    }
    if (end.getTime() > control.clock.now().getTime()) await control.advance(end);
    await markOlderInvoicesPaid(services, demo.customers, end);
    options.log?.(
      `Demo history replayed from ${start.toISOString().slice(0, 10)} to ${end.toISOString().slice(0, 10)} in ${((performance.now() - began) / 1000).toFixed(1)} s.`,
    );
  }
  await seedLegacySubscription(services, demo.customers);
  for (const customer of demo.customers) await syncSubscriptions(services, customer.id);
  // Licensed on the day after the first purchases (the timeline's day 1), so that every daily seat snapshot of the
  // year counts them in use; a demo with no history licenses its users now.
  if (!demo.licensed) await demo.licenseUsers();
  await demo.portalUsers();
  return demo.customers;
}

/** The demo's story, by day from the start; each step runs at 08:00 UTC of its day. */
const timeline: { day: number; run: (demo: Demo) => Promise<void> }[] = [
  {
    day: 0,
    run: async (d) => {
      await d.buy('contoso-premium', 'Contoso Ltd', {
        productId: PREMIUM,
        term: 'P1Y',
        billingFrequency: 'monthly',
        quantity: 25,
      });
      await d.buy('contoso-basic', 'Contoso Ltd', {
        productId: BASIC,
        term: 'P1M',
        billingFrequency: 'monthly',
        quantity: 10,
      });
      await d.buy('contoso-azure', 'Contoso Ltd', {
        productId: AZURE_PLAN,
        term: 'P1M',
        billingFrequency: 'monthly',
        quantity: 1,
      });
      await d.buy('fabrikam-premium', 'Fabrikam GmbH', {
        productId: PREMIUM,
        term: 'P1Y',
        billingFrequency: 'annual',
        quantity: 40,
        confirmBillingChange: true,
      });
      await d.buy('northwind-basic', 'Northwind Traders', {
        productId: BASIC,
        term: 'P1M',
        billingFrequency: 'monthly',
        quantity: 5,
      });
      await d.buy('northwind-azure', 'Northwind Traders', {
        productId: AZURE_PLAN,
        term: 'P1M',
        billingFrequency: 'monthly',
        quantity: 1,
      });
      await d.buy('adatum-basic', 'Adatum Corporation', {
        productId: BASIC,
        term: 'P1M',
        billingFrequency: 'monthly',
        quantity: 12,
      });
      await d.buy('adatum-premium', 'Adatum Corporation', {
        productId: PREMIUM,
        term: 'P1M',
        billingFrequency: 'monthly',
        quantity: 6,
      });
    },
  },
  // The tenants' first users licensed, within the seats bought the day before.
  { day: 1, run: (d) => d.licenseUsers() },
  // Increase, then a decrease inside the 7-day window of the added seats (refunded pro rata).
  { day: 2, run: (d) => d.change('contoso-premium', { kind: 'quantity', quantity: 30, effective: 'immediately' }) },
  { day: 4, run: (d) => d.change('contoso-premium', { kind: 'quantity', quantity: 28, effective: 'immediately' }) },
  // Two things done in Partner Center behind the portal's back, for reconciliation (F-RECON) to find: Exchange
  // bought through the portal and cancelled there two days later (Microsoft refunds it; the customer never sees
  // the refund), and three Basic seats added there (the portal's sync bills them from the next cycle, but the
  // pro-rata charge for the rest of the current term is never billed).
  {
    day: 8,
    run: (d) =>
      d.buy('adatum-exchange-direct', 'Adatum Corporation', {
        productId: EXCHANGE,
        term: 'P1M',
        billingFrequency: 'monthly',
        quantity: 5,
      }),
  },
  { day: 10, run: (d) => d.inPartnerCenter('adatum-exchange-direct', { status: 'deleted' }) },
  { day: 14, run: (d) => d.inPartnerCenter('adatum-basic', { quantity: 15 }) },
  {
    day: 17,
    run: (d) =>
      d.addOn('contoso-phone', 'contoso-premium', {
        kind: 'addOn',
        productId: TEAMS_PHONE,
        quantity: 5,
        effective: 'immediately',
      }),
  },
  // A decrease outside the window is refused; it is scheduled for the renewal instead.
  { day: 42, run: (d) => d.decreaseOrSchedule('contoso-premium', 24) },
  { day: 70, run: (d) => d.change('northwind-basic', { kind: 'quantity', quantity: 8, effective: 'immediately' }) },
  {
    day: 91,
    run: (d) =>
      d.change('fabrikam-premium', {
        kind: 'quantity',
        quantity: 45,
        effective: 'immediately',
        confirmBillingChange: true,
      }),
  },
  {
    day: 119,
    run: (d) =>
      d.buy('adatum-exchange', 'Adatum Corporation', {
        productId: EXCHANGE,
        term: 'P1M',
        billingFrequency: 'monthly',
        quantity: 8,
      }),
  },
  // Cancelled three days after purchase, inside the window: refunded.
  { day: 122, run: (d) => d.change('adatum-exchange', { kind: 'cancel', effective: 'immediately' }) },
  // Suspended (still billed), and still suspended at its term end: it expires.
  { day: 190, run: (d) => d.change('adatum-premium', { kind: 'suspend', effective: 'immediately' }) },
  { day: 229, run: (d) => d.change('contoso-basic', { kind: 'quantity', quantity: 14, effective: 'immediately' }) },
  // Microsoft re-rates a day of Azure usage in a closed cycle: the next run bills the difference as a correction.
  { day: 250, run: (d) => d.rerateUsage('contoso-azure', 200) },
  // Auto-renew switched off, and on again before the term ends (its monthly term ends on day 301).
  {
    day: 299,
    run: (d) => d.change('northwind-basic', { kind: 'autoRenew', enabled: false, effective: 'immediately' }),
  },
  { day: 300, run: (d) => d.change('northwind-basic', { kind: 'autoRenew', enabled: true, effective: 'immediately' }) },
  // Pending at the end of the demo: a decrease at Fabrikam's next renewal and a dated increase at Northwind.
  { day: 385, run: (d) => d.change('fabrikam-premium', { kind: 'quantity', quantity: 42, effective: 'onRenewal' }) },
  {
    day: 386,
    run: (d) =>
      d.change('northwind-basic', { kind: 'quantity', quantity: 10, effective: 'custom', effectiveDate: '2026-11-27' }),
  },
];

const actor = { id: 'demo', label: 'Demo seed' };

class Demo {
  readonly customers: Customer[] = [];
  private readonly subscriptions = new Map<string, { customerId: string; id: string }>();
  /** Each demo customer's directory users (seedDemoDirectory), and whether they have been licensed. */
  directoryUsers = new Map<string, string[]>();
  licensed = false;

  constructor(private readonly services: Services) {}

  async createCustomer(fields: z.input<typeof customerFieldsSchema>): Promise<void> {
    this.customers.push((await createCustomer(this.services, customerFieldsSchema.parse(fields))).value);
  }

  private customer(name: string): Customer {
    const found = this.customers.find((c) => c.name === name);
    if (!found) throw new Error(`No demo customer ${name}`);
    return found;
  }

  private subscription(label: string) {
    const found = this.subscriptions.get(label);
    if (!found) throw new Error(`No demo subscription ${label}`);
    return found;
  }

  async buy(label: string, customerName: string, request: PurchaseRequest): Promise<void> {
    const customer = this.customer(customerName);
    const result = await buySubscription(this.services, {
      customerId: customer.id,
      idempotencyKey: `demo-${label}`,
      request,
      actor,
      acceptLanguage: null,
    });
    const bought = (result.body as { subscriptions?: { id: string }[] }).subscriptions?.[0];
    if (!bought) throw new Error(`The demo purchase ${label} made no subscription`);
    this.subscriptions.set(label, { customerId: customer.id, id: bought.id });
  }

  async addOn(label: string, baseLabel: string, change: AddOnChange): Promise<void> {
    const base = this.subscription(baseLabel);
    const current = await this.services.customerData.subscription(base.customerId, base.id);
    const result = await buyAddOn(this.services, {
      customerId: base.customerId,
      subscriptionId: base.id,
      ifMatch: current?.etag ?? '',
      change,
      actor,
      isAdmin: true,
      acceptLanguage: null,
      idempotencyKey: `demo-${label}`,
    });
    const bought = (result.body as { subscriptions?: { id: string }[] }).subscriptions?.[0];
    if (bought) this.subscriptions.set(label, { customerId: base.customerId, id: bought.id });
  }

  async change(label: string, change: ChangeRequest): Promise<void> {
    const { customerId, id } = this.subscription(label);
    const current = await this.services.customerData.subscription(customerId, id);
    await changeSubscription(this.services, {
      customerId,
      subscriptionId: id,
      ifMatch: current?.etag ?? '',
      change,
      actor,
      isAdmin: true,
      acceptLanguage: null,
    });
  }

  /**
   * A change made directly at Microsoft (the partner's staff in Partner Center), not through the portal. The
   * portal learns of it only at its next sync of the customer's subscriptions (here: when Microsoft next renews
   * one of them), and bills from then on.
   */
  async inPartnerCenter(label: string, update: { quantity?: number; status?: 'deleted' }): Promise<void> {
    const { customerId, id } = this.subscription(label);
    const customer = this.customers.find((c) => c.id === customerId);
    if (!customer?.tenantId) throw new Error(`Demo customer ${customerId} has no tenant`);
    await this.services.commerce.updateSubscription(customer.tenantId, id, update, `demo-direct-${label}`);
  }

  /** What a customer does when the portal refuses a decrease outside the window: schedules it for renewal. */
  async decreaseOrSchedule(label: string, quantity: number): Promise<void> {
    try {
      await this.change(label, { kind: 'quantity', quantity, effective: 'immediately' });
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'SUBSCRIPTION.WINDOW_CLOSED')) throw error;
      await this.change(label, { kind: 'quantity', quantity, effective: 'onRenewal' });
    }
  }

  /** A day of usage `daysAgo` back, re-rated by Microsoft at 1.5 times its cost after its cycle was billed. */
  async rerateUsage(label: string, daysAgo: number): Promise<void> {
    const { customerId, id } = this.subscription(label);
    const day = new Date(this.services.clock.now().getTime() - daysAgo * 86_400_000).toISOString().slice(0, 10);
    const records = [];
    for await (const record of this.services.usageStore.list(customerId, day, nextDay(day), id)) records.push(record);
    const [first] = records;
    if (!first) return;
    const cost = (Number(first.cost) * 1.5).toFixed(4); // a demo figure, stored as a decimal string
    await this.services.usageStore.save([{ ...first, cost, source: 'graph' }]);
  }

  /** Four users of each tenant licensed (the Global Administrator and three more), within the seats bought. */
  async licenseUsers(users = this.directoryUsers): Promise<void> {
    this.licensed = true;
    const skus: Record<string, string[]> = {
      'Contoso Ltd': ['SPB', 'O365_BUSINESS_ESSENTIALS'],
      'Fabrikam GmbH': ['SPB'],
      'Northwind Traders': ['O365_BUSINESS_ESSENTIALS'],
      'Adatum Corporation': ['O365_BUSINESS_ESSENTIALS'],
    };
    for (const customer of this.customers) {
      const ids = users.get(customer.id) ?? [];
      for (const [index, userId] of ids.slice(0, 4).entries()) {
        const add = (skus[customer.name] ?? []).filter((_, i) => i === 0 || index === 3);
        await assignUserLicenses(this.services, customer.id, userId, { add, remove: [] }, actor).catch(
          () => undefined, // a user Microsoft cannot license (no usage location) stays unlicensed, as in a real tenant
        );
      }
    }
  }

  async portalUsers(): Promise<void> {
    for (const user of demoPortalUsers) {
      const customer = this.customer(user.customer);
      const tenantId = customer.tenantId ?? guidFrom(`tenant:${customer.id}`);
      await registerPortalUser(this.services, {
        customerId: customer.id,
        email: user.email,
        firstName: user.firstName,
        lastName: user.lastName,
        role: user.role,
        identity: { tenantId, objectId: guidFrom(`${tenantId}:${user.email}`) },
      });
    }
  }
}

/** Invoices of cycles that ended more than 40 days before `end` were paid. */
async function markOlderInvoicesPaid(services: Services, customers: Customer[], end: Date): Promise<void> {
  const before = new Date(end.getTime() - 40 * 86_400_000).toISOString().slice(0, 10);
  for (const customer of customers) {
    for (const { value, etag } of await services.billing.invoices(customer.id)) {
      if (value.status !== 'open' || value.cycle >= before) continue;
      const paidAt = new Date(Date.parse(`${value.cycle}T00:00:00Z`) + paymentDays(value.id) * 86_400_000);
      await services.billing.saveInvoice(
        { ...value, status: 'paid', paidAt: paidAt.toISOString(), paidBy: 'Demo seed' },
        etag,
      );
    }
  }
}

/** Payment took 5 to 24 days, the same for the same invoice every time. */
function paymentDays(invoiceId: string): number {
  return 5 + (createHash('sha256').update(invoiceId).digest().readUInt8(0) % 20);
}

function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

/**
 * Contoso still has an Azure (legacy) subscription, as real partners' customers do: My Services shows it read-only
 * with its reason. Its body is Partner Center's documented one (get-a-subscription-by-id, standard subscription).
 */
async function seedLegacySubscription(services: Services, created: Customer[]): Promise<void> {
  const contoso = created.find((c) => c.name === 'Contoso Ltd');
  if (!services.simulator || !contoso?.tenantId) return;
  await services.simulator.addLegacySubscription(contoso.tenantId, {
    id: 'a356ac8c-e310-44f4-bf85-c7f29044af99',
    orderId: 'b23fdedd-d6bd-415a-8b71-3624c81c9644',
    offerId: 'MS-AZR-0145P',
    friendlyName: 'Microsoft Azure (legacy)',
    quantity: 1,
    status: 'active',
    billingType: 'usage',
    creationDate: '2016-05-10T07:30:05.427Z',
    autoRenewEnabled: false,
    reason: legacyReasons.azure,
  });
}
