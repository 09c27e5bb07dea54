import { parseArgs } from 'node:util';
import path from 'node:path';
import { loadConfig, type Config } from '../src/config.ts';
import { createServices } from '../src/main.ts';
import { customerRoles, type CustomerRole } from '../src/domain/roles.ts';
import { registerPortalUser as registerActivePortalUser } from '../src/app/portal-users/portal-users.ts';
import { guidFrom, loadOrCreateLocalKeys, signLocalToken } from '../src/adapters/auth/local-keys.ts';
import { AZURITE_BLOB_PORT, AZURITE_TABLE_PORT, isLocalHostStorage, portAnswers, startAzurite } from './azurite.ts';
import { localEnv } from './settings.ts';

/**
 * `npm run token -- --email alice@contoso.example --customer <id> --role Admin` (or `--role PartnerAdmin`):
 * signs a local token and, for a customer role, registers the user as an active portal user of that customer
 * with that role. The token is printed alone on the last line.
 */
const usage =
  'usage: npm run token -- --email <address> (--role PartnerAdmin | --customer <customerId> --role View|Modify|Admin) [--name "First Last"] [--hours 8]';

const { values } = parseArgs({
  options: {
    email: { type: 'string' },
    customer: { type: 'string' },
    role: { type: 'string' },
    name: { type: 'string' },
    hours: { type: 'string', default: '8' },
  },
});

function fail(message: string): never {
  console.error(`${message}\n${usage}`);
  process.exit(2);
}

const email = values.email?.trim().toLowerCase();
if (!email || !/^[^@\s]+@[^@\s]+$/.test(email)) fail('--email must be an e-mail address');
const role = values.role;
const hours = Number(values.hours);
if (!Number.isFinite(hours) || hours <= 0 || hours > 24 * 30) fail('--hours must be between 0 and 720');

const config = loadConfig(localEnv());
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
