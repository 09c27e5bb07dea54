import type { Config } from '../config.ts';
import { guidFrom } from '../domain/ids.ts';
import { cultureOf, initialDomainOf, resellerRelationshipUrl } from '../domain/tenant.ts';
import type { Customer } from '../domain/customer.ts';
import { getCustomer } from './customers.ts';
import { AppError, conflict } from './errors.ts';
import type { Clock } from './ports/clock.port.ts';
import type { CustomerRepository, Versioned } from './ports/customer.repository.port.ts';
import type { CustomerTenants } from './ports/customer-tenants.port.ts';
import type { Notifier } from './ports/notifier.port.ts';

export interface TenantDeps {
  customers: CustomerRepository;
  tenants: CustomerTenants;
  notifier: Notifier;
  clock: Clock;
  config: Pick<Config, 'PARTNER_TENANT_ID'>;
}

export interface DomainAvailability {
  domain: string;
  available: boolean;
  /** When taken: the request that makes the partner the reseller of the tenant that has it. */
  relationshipRequestUrl?: string;
}

export async function checkDomain(
  deps: Pick<TenantDeps, 'tenants' | 'config'>,
  prefix: string,
): Promise<DomainAvailability> {
  const domain = initialDomainOf(prefix);
  const available = await deps.tenants.isDomainAvailable(domain);
  return {
    domain,
    available,
    ...(available ? {} : { relationshipRequestUrl: resellerRelationshipUrl(deps.config.PARTNER_TENANT_ID) }),
  };
}

export interface CreatedCustomerTenant {
  tenantId: string;
  domain: string;
  adminUserName: string;
  /** Where the admin's temporary password was sent; absent when Microsoft did not return one again. */
  credentialsSentTo?: string;
  customer: Versioned<Customer>;
}

const MAX_STORE_ATTEMPTS = 3;

/**
 * Creates the customer's Microsoft tenant with its first admin, records the tenant id on the customer and mails
 * the admin's credentials to the company's e-mail. Needs the company's address and e-mail; a taken domain is
 * answered with the reseller relationship request, which is what a customer with a tenant needs instead.
 */
export async function createCustomerTenant(
  deps: TenantDeps,
  input: { customerId: string; domainPrefix: string; admin: { firstName: string; lastName: string } },
): Promise<CreatedCustomerTenant> {
  const { value: customer } = await getCustomer(deps, input.customerId);
  if (customer.tenantId)
    throw conflict('TENANT.EXISTS', `This customer has a Microsoft tenant already (${customer.tenantId}).`);
  const { address, email, phone } = customer.company;
  const missing = [...(address ? [] : ['company.address']), ...(email ? [] : ['company.email'])];
  if (!address || !email) {
    throw new AppError(
      'Conflict',
      'TENANT.COMPANY_PROFILE_INCOMPLETE',
      `Complete the company profile first: Microsoft needs ${missing.join(' and ')} to create a tenant.`,
      {
        errors: missing.map((path) => ({ path, message: 'required to create a Microsoft tenant' })),
      },
    );
  }

  const domain = initialDomainOf(input.domainPrefix);
  let created;
  try {
    created = await deps.tenants.createTenant(
      {
        domain,
        companyName: customer.name,
        email,
        ...cultureOf(address.country),
        address: {
          country: address.country,
          city: address.city,
          ...(address.region ? { state: address.region } : {}),
          addressLine1: address.line1,
          ...(address.line2 ? { addressLine2: address.line2 } : {}),
          postalCode: address.postalCode,
          ...(phone ? { phoneNumber: phone } : {}),
        },
        admin: input.admin,
      },
      // The same customer and domain make the same request: a retry after a failure cannot create a second tenant.
      guidFrom(`tenant:${customer.id}:${domain}`),
    );
  } catch (error) {
    if (error instanceof AppError && error.code === 'TENANT.DOMAIN_TAKEN')
      throw domainTaken(domain, deps.config.PARTNER_TENANT_ID);
    throw error;
  }

  const saved = await storeTenantId(deps, customer.id, created.tenantId);
  if (created.adminPassword) {
    await deps.notifier.send({
      id: `tenant-${created.tenantId}`,
      to: email,
      kind: 'new-tenant-admin',
      subject: `Your Microsoft 365 tenant ${created.domain} is ready`,
      text: [
        `Your Microsoft tenant ${created.domain} has been created for ${customer.name}.`,
        '',
        `Administrator: ${input.admin.firstName} ${input.admin.lastName}`,
        `Sign-in name: ${created.adminUserName}`,
        `Temporary password: ${created.adminPassword}`,
        '',
        'Sign in at https://admin.microsoft.com: you will be asked to choose a new password at the first sign-in.',
      ].join('\n'),
    });
  }
  return {
    tenantId: created.tenantId,
    domain: created.domain,
    adminUserName: created.adminUserName,
    ...(created.adminPassword ? { credentialsSentTo: email } : {}),
    customer: saved,
  };
}

function domainTaken(domain: string, partnerTenantId: string): AppError {
  return new AppError(
    'Conflict',
    'TENANT.DOMAIN_TAKEN',
    `${domain} belongs to an existing Microsoft tenant, so no new tenant can be created with it. If it is this customer's tenant, ` +
      "send the customer the CSP reseller relationship request instead (relationshipRequestUrl): once its Global Administrator accepts it, record the tenant's id on the customer. " +
      'Otherwise choose another domain.',
    { domain, relationshipRequestUrl: resellerRelationshipUrl(partnerTenantId) },
  );
}

/**
 * Records the tenant on the customer, conditional on the customer's ETag; a concurrent change of the customer
 * makes it read again and retry, since the tenant exists at Microsoft now whatever else changed.
 */
async function storeTenantId(
  deps: Pick<TenantDeps, 'customers' | 'clock'>,
  customerId: string,
  tenantId: string,
): Promise<Versioned<Customer>> {
  for (let attempt = 1; ; attempt += 1) {
    const current = await getCustomer(deps, customerId);
    if (current.value.tenantId === tenantId) return current;
    if (current.value.tenantId)
      throw conflict(
        'TENANT.EXISTS',
        `This customer was given another Microsoft tenant (${current.value.tenantId}) meanwhile.`,
      );
    try {
      return await deps.customers.replace(
        { ...current.value, tenantId, updatedAt: deps.clock.now().toISOString() },
        current.etag,
      );
    } catch (error) {
      if (!(error instanceof AppError && error.kind === 'PreconditionFailed') || attempt >= MAX_STORE_ATTEMPTS)
        throw error;
    }
  }
}
