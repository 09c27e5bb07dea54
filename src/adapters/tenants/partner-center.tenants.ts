import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { commerceBadAnswer } from '../../app/commerce-errors.ts';
import { AppError, conflict } from '../../app/errors.ts';
import type { CreatedTenant, CustomerTenants, NewTenant } from '../../app/ports/customer-tenants.port.ts';
import {
  partnerCenterHttp,
  type PartnerCenterConfig,
  type PartnerCenterOptions,
} from '../partner-center/partner-center-http.ts';

/**
 * Customer tenants through Partner Center REST v1: `HEAD /v1/domains/{domain}` (404: available, 200: taken) and
 * `POST /v1/customers`, which creates the Entra tenant, the reseller relationship and the first admin, and answers
 * with the admin's credentials. MS-RequestId makes a retried creation return the same customer. Calls, retries and
 * errors are the shared Partner Center client's (partner-center-http.ts).
 */
const createdSchema = z.object({
  id: z.string().min(1),
  companyProfile: z.object({ domain: z.string().nullish(), tenantId: z.string().nullish() }).nullish(),
  userCredentials: z.object({ userName: z.string().nullish(), password: z.string().nullish() }).nullish(),
});

export function partnerCenterTenants(config: PartnerCenterConfig, options: PartnerCenterOptions = {}): CustomerTenants {
  const send = partnerCenterHttp(config, options);
  const domainPath = (domain: string) => `/v1/domains/${encodeURIComponent(domain)}`;

  const isDomainAvailable = async (domain: string) =>
    (await send({ method: 'HEAD', path: domainPath(domain), answer: [404] })).status === 404;

  return {
    isDomainAvailable,

    async createTenant(tenant: NewTenant, requestId: string): Promise<CreatedTenant> {
      const correlationId = randomUUID();
      let body: unknown;
      try {
        ({ body } = await send({
          method: 'POST',
          path: '/v1/customers',
          requestId,
          correlationId,
          body: customerBody(tenant),
        }));
      } catch (error) {
        // Microsoft's refusal of a taken domain has no documented code: ask the domain itself before saying so.
        if (
          error instanceof AppError &&
          error.code === 'COMMERCE.REFUSED' &&
          !(await isDomainAvailable(tenant.domain))
        ) {
          throw conflict('TENANT.DOMAIN_TAKEN', `${tenant.domain} is taken.`);
        }
        throw error;
      }
      const parsed = createdSchema.safeParse(body);
      if (!parsed.success) throw commerceBadAnswer('a created customer without its documented fields');
      const { id, companyProfile, userCredentials } = parsed.data;
      const domain = companyProfile?.domain ?? tenant.domain;
      const userName = userCredentials?.userName ?? 'admin';
      return {
        tenantId: (companyProfile?.tenantId ?? id).toLowerCase(),
        domain,
        adminUserName: userName.includes('@') ? userName : `${userName}@${domain}`,
        ...(userCredentials?.password ? { adminPassword: userCredentials.password } : {}),
      };
    },
  };
}

function customerBody(tenant: NewTenant) {
  const { address } = tenant;
  return {
    companyProfile: { domain: tenant.domain },
    billingProfile: {
      email: tenant.email,
      culture: tenant.culture,
      language: tenant.language,
      companyName: tenant.companyName,
      defaultAddress: {
        country: address.country,
        city: address.city,
        ...(address.state ? { state: address.state } : {}),
        addressLine1: address.addressLine1,
        ...(address.addressLine2 ? { addressLine2: address.addressLine2 } : {}),
        postalCode: address.postalCode,
        firstName: tenant.admin.firstName,
        lastName: tenant.admin.lastName,
        ...(address.phoneNumber ? { phoneNumber: address.phoneNumber } : {}),
      },
    },
  };
}
