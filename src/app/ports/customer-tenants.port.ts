/** What Microsoft needs to create a customer's tenant: the company, its address and its first admin. */
export interface NewTenant {
  /** The initial domain, e.g. `contoso.onmicrosoft.com`. */
  domain: string;
  companyName: string;
  /** Billing contact address: Microsoft records it as the customer's. */
  email: string;
  culture: string;
  language: string;
  address: {
    country: string;
    city: string;
    state?: string;
    addressLine1: string;
    addressLine2?: string;
    postalCode: string;
    phoneNumber?: string;
  };
  admin: { firstName: string; lastName: string };
}

export interface CreatedTenant {
  tenantId: string;
  domain: string;
  /** The first admin's sign-in name, e.g. `admin@contoso.onmicrosoft.com`. */
  adminUserName: string;
  /** Its temporary password; absent when Microsoft replays an earlier creation (sent the first time). */
  adminPassword?: string;
}

/**
 * Microsoft's customer tenants (F-TENANT): Partner Center in Azure, a simulator on Table Storage locally.
 * Write calls carry a request id; the same id creates at most one tenant.
 */
export interface CustomerTenants {
  isDomainAvailable(domain: string): Promise<boolean>;
  /** Fails with conflict TENANT.DOMAIN_TAKEN when the domain is someone else's. */
  createTenant(tenant: NewTenant, requestId: string): Promise<CreatedTenant>;
}
