import type { Customer } from '../../domain/customer.ts';
import type { Config } from '../../config.ts';
import type { CatalogAdmin } from '../ports/catalog-admin.port.ts';
import type { Clock } from '../ports/clock.port.ts';
import type { IdGenerator } from '../ports/ids.port.ts';
import type { ConsentRequestStore } from '../ports/consent-request.port.ts';
import type { CustomerDataStore } from '../ports/customer-data.port.ts';
import type { CustomerRepository } from '../ports/customer.repository.port.ts';
import type { DirectoryPort } from '../ports/directory.port.ts';
import type { Notifier } from '../ports/notifier.port.ts';
import type { SettingsStore } from '../ports/settings.port.ts';
import { AppError, notFound } from '../errors.ts';

/** The ports the Microsoft 365 users-and-licenses use cases (F-LICENSES) use. */
export interface M365Deps {
  config: Config;
  clock: Clock;
  ids: IdGenerator;
  customers: CustomerRepository;
  /** Customers' Microsoft 365 directories (users, licenses, groups, consent). */
  directory: DirectoryPort;
  catalogAdmin: CatalogAdmin;
  customerData: CustomerDataStore;
  settings: SettingsStore;
  notifier: Notifier;
  consentRequests: ConsentRequestStore;
}

/** The customer and its Microsoft tenant (the directory's tenant id comes from the customer record). */
export async function requireTenant(
  deps: Pick<M365Deps, 'customers'>,
  customerId: string,
): Promise<Customer & { tenantId: string }> {
  const customer = (await deps.customers.get(customerId))?.value;
  if (!customer) throw notFound('CUSTOMER.NOT_FOUND', `No customer ${customerId}.`);
  if (!customer.tenantId) {
    throw new AppError(
      'Conflict',
      'CUSTOMER.NO_TENANT',
      'This customer has no Microsoft tenant yet: create one or link the existing tenant first.',
    );
  }
  return { ...customer, tenantId: customer.tenantId };
}
