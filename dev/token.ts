import { parseArgs } from 'node:util';
import path from 'node:path';
import { loadConfig, type Config } from '../src/config.ts';
import { createServices } from '../src/main.ts';
import { customerRoles, type CustomerRole } from '../src/domain/roles.ts';
import { registerPortalUser as registerActivePortalUser } from '../src/app/portal-users/portal-users.ts';
import { guidFrom, loadOrCreateLocalKeys, signLocalToken } from '../src/adapters/auth/local-keys.ts';
import { AZURITE_BLOB_PORT, AZURITE_TABLE_PORT, isLocalHostStorage, portAnswers, startAzurite } from './azurite.ts';
import { localEnv } from './settings.ts';
import { describeStartupError } from './startup-errors.ts';
import { statusOf } from '../src/domain/portal-user.ts';

/**
 * `npm run token -- --email alice@contoso.example --customer <id> --role Admin` (or `--role PartnerAdmin`):
 * signs a local token and, for a customer role, registers the user as an active portal user of that customer
 * with that role. Without `--role`, signs for the customer's existing portal user with that email as it stands
 * (an invited user can then accept the invitation). The token is printed alone on the last line.
 */
const usage = `usage: npm run token -- --email <address> <who> [--name "First Last"] [--hours 8]

<who> is one of:
  --role PartnerAdmin                                 a partner administrator
  --customer <customerId> --role View|Modify|Admin    a portal user of the customer with that role (created or
                                                      changed to it, active, as an accepted invitation would)
  --customer <customerId>                             the customer's existing portal user with this email, as is:
                                                      an invited user gets a token to accept the invitation with
                                                      POST /api/invitations/{token}/accept

The token is printed alone on the last line, e.g.
  TOKEN=$(npm run -s token -- --email alice@contoso.example --customer <customerId> --role Admin | tail -1)
Customer ids are printed by npm start.`;

function fail(message: string): never {
  console.error(`${message}\n\n${usage}`);
  process.exit(2);
}

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        email: { type: 'string' },
        customer: { type: 'string' },
        role: { type: 'string' },
        name: { type: 'string' },
        hours: { type: 'string', default: '8' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
})();
if (values.help) {
  console.log(usage);
  process.exit(0);
}

const email = values.email?.trim().toLowerCase();
if (!email || !/^[^@\s]+@[^@\s]+$/.test(email)) fail('--email must be an e-mail address');
const role = values.role;
const hours = Number(values.hours);
if (!Number.isFinite(hours) || hours <= 0 || hours > 24 * 30) fail('--hours must be between 0 and 720');

const config = (() => {
  try {
    return loadConfig(localEnv());
  } catch (error) {
    const line = describeStartupError(error, { port: 0 });
    if (!line) throw error;
    console.error(line);
    return process.exit(1);
  }
})();
if (config.AUTH_MODE !== 'local')
  fail(`AUTH_MODE is ${config.AUTH_MODE}: local tokens are accepted only in local mode`);
const keys = await loadOrCreateLocalKeys(config.DATA_DIR);
const name = values.name ?? email.split('@')[0] ?? email;
const sign = (tenantId: string, objectId: string, roles: string[]) =>
  signLocalToken(
    keys,
    { tenantId, objectId, email, name, roles },
    { issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE, expiresInSeconds: hours * 3600 },
  );

if (role === 'PartnerAdmin') {
  if (values.customer) fail('--role PartnerAdmin takes no --customer');
  const token = await sign(config.PARTNER_TENANT_ID, guidFrom(`partner:${email}`), [config.PARTNER_ADMIN_APP_ROLE]);
  console.log(`Partner admin ${email} (tenant ${config.PARTNER_TENANT_ID}).`);
  console.log(token);
} else if (role === undefined && values.customer) {
  const { tenantId, objectId, status, customerName } = await existingPortalUser(config, values.customer, email);
  console.log(
    status === 'active'
      ? `${email}, active portal user of ${customerName} (${values.customer}).`
      : `${email}, ${status} portal user of ${customerName} (${values.customer})${status === 'inactive' ? ': accept the invitation with POST /api/invitations/{token}/accept' : ''}.`,
  );
  console.log(await sign(tenantId, objectId, []));
} else if (customerRoles.includes(role as CustomerRole)) {
  const customerId = values.customer;
  if (!customerId) fail(`--role ${role} needs --customer <customerId>`);
  const { tenantId, objectId, customerName } = await registerPortalUser(
    config,
    customerId,
    email,
    name,
    role as CustomerRole,
  );
  console.log(`${email} is ${role} of ${customerName} (${customerId}).`);
  console.log(await sign(tenantId, objectId, []));
} else {
  fail('--role must be PartnerAdmin, Admin, Modify or View');
}

async function existingPortalUser(config: Config, customerId: string, userEmail: string) {
  return withServices(config, async (services) => {
    const customer = await customerOrFail(services, customerId);
    const found = await services.portalUsers.findByEmail(customerId, userEmail);
    if (!found) {
      const some = await services.portalUsers.list(customerId, undefined, 20).catch(() => ({ items: [] }));
      fail(
        `${customer.name} has no portal user ${userEmail}. Portal users: ${some.items.map((u) => u.value.email).join(', ') || 'none'}; invite one, or pass --role to create it.`,
      );
    }
    const tenantId = found.value.identity?.tenantId ?? customer.tenantId ?? guidFrom(`tenant:${customerId}`);
    const objectId = found.value.identity?.objectId ?? guidFrom(`${tenantId}:${userEmail}`);
    return { tenantId, objectId, status: statusOf(found.value), customerName: customer.name };
  });
}

async function customerOrFail(services: Awaited<ReturnType<typeof createServices>>, customerId: string) {
  const customer = await services.customers.get(customerId);
  if (!customer) {
    const some = await services.customers.list(10).catch(() => ({ items: [] }));
    fail(
      `No customer ${customerId}. Customers: ${some.items.map((c) => `${c.id} (${c.name})`).join(', ') || 'none yet; run npm start once to seed them'}`,
    );
  }
  return customer.value;
}

async function withServices<T>(
  config: Config,
  work: (services: Awaited<ReturnType<typeof createServices>>) => Promise<T>,
) {
  const local = isLocalHostStorage(config.STORAGE_CONNECTION_STRING);
  const azurite =
    local && !(await portAnswers(AZURITE_TABLE_PORT))
      ? await startAzurite({
          dataDir: path.resolve(config.DATA_DIR, 'azurite'),
          blobPort: AZURITE_BLOB_PORT,
          tablePort: AZURITE_TABLE_PORT,
        })
      : undefined;
  try {
    const services = await createServices(config);
    await services.storage.ensure();
    return await work(services);
  } finally {
    await azurite?.close();
  }
}

async function registerPortalUser(
  config: Config,
  customerId: string,
  userEmail: string,
  displayName: string,
  userRole: CustomerRole,
) {
  const local = isLocalHostStorage(config.STORAGE_CONNECTION_STRING);
  const azurite =
    local && !(await portAnswers(AZURITE_TABLE_PORT))
      ? await startAzurite({
          dataDir: path.resolve(config.DATA_DIR, 'azurite'),
          blobPort: AZURITE_BLOB_PORT,
          tablePort: AZURITE_TABLE_PORT,
        })
      : undefined;
  try {
    const services = await createServices(config);
    await services.storage.ensure();
    const customer = await services.customers.get(customerId);
    if (!customer) {
      const some = await services.customers.list(10).catch(() => ({ items: [] }));
      fail(
        `No customer ${customerId}. Customers: ${some.items.map((c) => `${c.id} (${c.name})`).join(', ') || 'none yet; run npm start once to seed them'}`,
      );
    }
    const tenantId = customer.value.tenantId ?? guidFrom(`tenant:${customerId}`);
    const objectId = guidFrom(`${tenantId}:${userEmail}`);
    // The same rules as an accepted invitation: an active portal user bound to this identity, with its membership.
    const [first, ...rest] = displayName.trim().split(/\s+/);
    const firstName = first || userEmail.split('@')[0] || userEmail;
    await registerActivePortalUser(services, {
      customerId,
      email: userEmail,
      firstName: firstName.slice(0, 100),
      lastName: (rest.join(' ') || '(local)').slice(0, 100),
      role: userRole,
      identity: { tenantId, objectId },
    });
    return { tenantId, objectId, customerName: customer.value.name };
  } finally {
    await azurite?.close();
  }
}
