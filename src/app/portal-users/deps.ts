import type { Config } from '../../config.ts';
import type { AccessRepository } from '../ports/access.repository.port.ts';
import type { Clock } from '../ports/clock.port.ts';
import type { IdGenerator } from '../ports/ids.port.ts';
import type { CustomerRepository } from '../ports/customer.repository.port.ts';
import type { Notifier } from '../ports/notifier.port.ts';
import type { PortalUserStore } from '../ports/portal-users.port.ts';

export interface PortalUserDeps {
  portalUsers: PortalUserStore;
  customers: Pick<CustomerRepository, 'get'>;
  access: AccessRepository;
  clock: Clock;
  ids: IdGenerator;
  notifier: Notifier;
  config: Pick<Config, 'INVITATION_TTL_HOURS' | 'PORTAL_BASE_URL'>;
}

/** The signed-in caller, as far as these use cases need it. */
export interface Caller {
  tenantId: string;
  objectId: string;
  email?: string;
}
