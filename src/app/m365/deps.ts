import type { Customer } from '../../domain/customer.ts';
import type { Services } from '../../main.ts';
import { AppError, notFound } from '../errors.ts';

/** What the Microsoft 365 users-and-licenses use cases need from the composition root. */
export type M365Deps = Pick<
  Services,
  | 'config'
  | 'clock'
  | 'customers'
  | 'directory'
  | 'catalogAdmin'
  | 'customerData'
  | 'settings'
  | 'notifier'
  | 'consentRequests'
>;

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
