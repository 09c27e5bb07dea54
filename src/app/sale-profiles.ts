import { type SaleProfile, type SaleProfileFields } from '../domain/sale-profile.ts';
import { createOrReplace } from './create-or-replace.ts';
import { notFound, validation, type FieldError } from './errors.ts';
import type { CatalogAdmin } from './ports/catalog-admin.port.ts';
import type { CustomerRepository, Versioned } from './ports/customer.repository.port.ts';

export interface SaleProfileDeps {
  catalogAdmin: CatalogAdmin;
  customers: CustomerRepository;
}

export interface SaleProfileAssignment {
  customerId: string;
  profileId: string | null;
}

export async function listSaleProfiles(deps: SaleProfileDeps): Promise<SaleProfile[]> {
  return (await deps.catalogAdmin.saleProfiles.all()).sort((a, b) => a.id.localeCompare(b.id));
}

export async function getSaleProfile(deps: SaleProfileDeps, profileId: string): Promise<Versioned<SaleProfile>> {
  const found = await deps.catalogAdmin.saleProfiles.get(profileId);
  if (!found) throw notFound('SALE_PROFILE.NOT_FOUND', `No sale profile ${profileId}.`);
  return found;
}

/** Creates the profile, or replaces it when `etag` is given (see createOrReplace). Every product must be in the catalog. */
export async function putSaleProfile(
  deps: SaleProfileDeps,
  profileId: string,
  fields: SaleProfileFields,
  etag: string | undefined,
) {
  const known = new Set((await deps.catalogAdmin.products.all()).map((row) => row.value.id));
  const errors: FieldError[] = fields.productIds.flatMap((id, i) =>
    known.has(id) ? [] : [{ path: `body.productIds.${i}`, message: `no product ${id} in the catalog` }],
  );
  if (errors.length) throw validation('A sale profile may only list products of the catalog.', errors);
  return createOrReplace(deps.catalogAdmin.saleProfiles, profileId, { id: profileId, ...fields }, etag);
}

export async function getAssignment(deps: SaleProfileDeps, customerId: string): Promise<SaleProfileAssignment> {
  await requireCustomer(deps, customerId);
  return { customerId, profileId: (await deps.catalogAdmin.saleProfiles.profileOf(customerId)) ?? null };
}

/** Limits the customer to a profile's products, or with `null` lets it order the whole catalog again. */
export async function assignSaleProfile(
  deps: SaleProfileDeps,
  customerId: string,
  profileId: string | null,
): Promise<SaleProfileAssignment> {
  await requireCustomer(deps, customerId);
  if (profileId !== null && !(await deps.catalogAdmin.saleProfiles.get(profileId))) {
    throw validation('No such sale profile.', [{ path: 'body.profileId', message: `no sale profile ${profileId}` }]);
  }
  await deps.catalogAdmin.saleProfiles.assign(customerId, profileId);
  return { customerId, profileId };
}

async function requireCustomer(deps: SaleProfileDeps, customerId: string): Promise<void> {
  if (!(await deps.customers.get(customerId))) throw notFound('CUSTOMER.NOT_FOUND', `No customer ${customerId}.`);
}
