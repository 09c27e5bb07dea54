import { customerFieldsSchema, type Customer, type CustomerFields } from '../domain/customer.ts';
import { notFound, validation } from './errors.ts';
import type { Clock } from './ports/clock.port.ts';
import type { IdGenerator } from './ports/ids.port.ts';
import type { CustomerRepository, Page, Versioned } from './ports/customer.repository.port.ts';
import type { ResellerStore } from './ports/reseller.port.ts';

export interface CustomerDeps {
  customers: CustomerRepository;
  clock: Clock;
  /** Needed to set a customer's reseller (it must exist). */
  resellers?: Pick<ResellerStore, 'get'>;
}

async function checkReseller(deps: CustomerDeps, resellerId: string | null | undefined): Promise<void> {
  if (!resellerId) return;
  if (!deps.resellers) throw new Error('Setting a reseller needs the reseller store');
  if (!(await deps.resellers.get(resellerId)))
    throw validation(`No reseller ${resellerId}.`, [{ path: 'body.resellerId', message: 'no reseller with this id' }]);
}

export async function createCustomer(
  deps: CustomerDeps & { ids: IdGenerator },
  fields: CustomerFields,
): Promise<Versioned<Customer>> {
  await checkReseller(deps, fields.resellerId);
  const now = deps.clock.now().toISOString();
  return deps.customers.create({ ...fields, id: deps.ids.next(), createdAt: now, updatedAt: now });
}

export async function getCustomer(deps: CustomerDeps, customerId: string): Promise<Versioned<Customer>> {
  const found = await deps.customers.get(customerId);
  if (!found) throw notFound('CUSTOMER.NOT_FOUND', `No customer ${customerId}.`);
  return found;
}

export function listCustomers(
  deps: CustomerDeps,
  pageSize: number,
  continuationToken?: string,
): Promise<Page<Customer>> {
  return deps.customers.list(pageSize, continuationToken);
}

/**
 * Applies a partial update: top-level fields given replace the stored ones (`company` as a whole). The write is
 * conditional on `etag`, so a concurrent change is refused rather than overwritten.
 */
export async function updateCustomer(
  deps: CustomerDeps,
  customerId: string,
  patch: Omit<Partial<CustomerFields>, 'resellerId'> & { resellerId?: string | null },
  etag: string,
): Promise<Versioned<Customer>> {
  const current = await getCustomer(deps, customerId);
  await checkReseller(deps, patch.resellerId);
  const { resellerId, ...rest } = patch;
  const { resellerId: stored, ...fields } = pickFields(current.value);
  const reseller = resellerId === null ? undefined : (resellerId ?? stored);
  const merged = { ...fields, ...rest, ...(reseller ? { resellerId: reseller } : {}) };
  const checked = customerFieldsSchema.safeParse(merged);
  if (!checked.success) {
    throw validation(
      'The change would leave the customer invalid.',
      checked.error.issues.map((i) => ({ path: `body.${i.path.join('.')}`, message: i.message })),
    );
  }
  const { resellerId: _previous, ...base } = current.value;
  const next: Customer = { ...base, ...checked.data, updatedAt: deps.clock.now().toISOString() };
  return deps.customers.replace(next, etag);
}

function pickFields({ id: _id, createdAt: _created, updatedAt: _updated, ...fields }: Customer): CustomerFields {
  return fields;
}

/** Every customer, by name (a run or a report walks them all; the partner has thousands at most). */
export async function allCustomers(deps: { customers: Pick<CustomerRepository, 'list'> }): Promise<Customer[]> {
  const customers: Customer[] = [];
  let token: string | undefined;
  do {
    const page = await deps.customers.list(200, token);
    customers.push(...page.items);
    token = page.continuationToken;
  } while (token);
  return customers.sort((a, b) => a.name.localeCompare(b.name, 'en') || a.id.localeCompare(b.id));
}
