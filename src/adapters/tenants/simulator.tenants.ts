import { randomBytes } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import { z } from 'zod';
import { conflict } from '../../app/errors.ts';
import { systemClock, type Clock } from '../../app/ports/clock.port.ts';
import { randomIds, type IdGenerator } from '../../app/ports/ids.port.ts';
import type { CreatedTenant, CustomerTenants, NewTenant } from '../../app/ports/customer-tenants.port.ts';
import { INITIAL_DOMAIN_SUFFIX } from '../../domain/tenant.ts';
import { corruptRow, storageStatus } from '../tables/table-errors.ts';

/**
 * Microsoft's customer tenants, simulated on Table Storage (`tenantsim`): partition `domain` holds one row per
 * initial domain taken (created atomically: the first creation wins), partition `tenant` one row per tenant
 * created. Microsoft's own sample names are taken from the start, as they are in Entra ID. A creation repeated
 * with the same request id returns the same tenant, without its password (Microsoft sends that once).
 */
const DOMAIN = 'domain';
const TENANT = 'tenant';
const takenFromTheStart = [
  'microsoft',
  'contoso',
  'fabrikam',
  'northwind',
  'adatum',
  'woodgrove',
  'litware',
  'tailspintoys',
  'wingtiptoys',
];

const domainRowSchema = z.object({ tenantId: z.uuid(), requestId: z.string(), adminUserName: z.string() });

/** `ids` and `clock` make the tenants' ids and creation times (random ids and the system clock unless given). */
export function simulatorTenants(
  client: TableClient,
  { ids = randomIds, clock = systemClock }: { ids?: IdGenerator; clock?: Clock } = {},
): CustomerTenants {
  /** The row of a taken domain, `reserved` for a sample name, undefined when the domain is free. */
  const holderOf = async (domain: string): Promise<z.infer<typeof domainRowSchema> | 'reserved' | undefined> => {
    if (takenFromTheStart.includes(domain.slice(0, -INITIAL_DOMAIN_SUFFIX.length))) return 'reserved';
    let entity: unknown;
    try {
      entity = await client.getEntity(DOMAIN, domain);
    } catch (error) {
      if (storageStatus(error) === 404) return undefined;
      throw error;
    }
    const parsed = domainRowSchema.safeParse(entity);
    if (!parsed.success) throw corruptRow('tenantsim', `${DOMAIN}/${domain}`, parsed.error);
    return parsed.data;
  };

  return {
    async isDomainAvailable(domain) {
      return (await holderOf(domain.toLowerCase())) === undefined;
    },

    async createTenant(tenant: NewTenant, requestId: string): Promise<CreatedTenant> {
      const domain = tenant.domain.toLowerCase();
      const refused = () => conflict('TENANT.DOMAIN_TAKEN', `${domain} is taken.`);
      if ((await holderOf(domain)) === 'reserved') throw refused();
      const tenantId = ids.next();
      const adminUserName = `admin@${domain}`;
      try {
        await client.createEntity({
          partitionKey: DOMAIN,
          rowKey: domain,
          tenantId,
          requestId,
          adminUserName,
          createdAt: clock.now().toISOString(),
        });
      } catch (error) {
        if (storageStatus(error) !== 409) throw error;
        const holder = await holderOf(domain);
        if (typeof holder === 'object' && holder.requestId === requestId)
          return { tenantId: holder.tenantId, domain, adminUserName: holder.adminUserName };
        throw refused();
      }
      await client.upsertEntity(
        {
          partitionKey: TENANT,
          rowKey: tenantId,
          domain,
          companyName: tenant.companyName,
          country: tenant.address.country,
          email: tenant.email,
        },
        'Replace',
      );
      return { tenantId, domain, adminUserName, adminPassword: temporaryPassword() };
    },
  };
}

/** 16 characters with upper and lower case letters, digits and a symbol, as Entra ID requires. */
function temporaryPassword(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  const random = [...randomBytes(12)].map((byte) => alphabet[byte % alphabet.length]).join('');
  return `Tq7!${random}`;
}
