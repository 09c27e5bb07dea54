import { localEnv } from './settings.ts';
import { startLocalHost } from './host.ts';
import { demoPortalUsers } from './seed.ts';
import { ensurePortalBuild } from './portal-build.ts';
import { AZURITE_BLOB_PORT, AZURITE_TABLE_PORT } from './azurite.ts';
import { describeStartupError, portFrom } from './startup-errors.ts';

/** `npm start`: the local host on http://localhost:7071 (PORT overrides), with Azurite and demo data. */
const ports = { port: 7071, blobPort: AZURITE_BLOB_PORT, tablePort: AZURITE_TABLE_PORT };
const portal = process.env.PORTAL_BUILD === 'skip' || ensurePortalBuild();
const host = await (async () => {
  try {
    ports.port = portFrom(process.env.PORT, 7071);
    return await startLocalHost({ env: localEnv(), port: ports.port, azurite: 'persistent', seed: true });
  } catch (error) {
    const line = describeStartupError(error, ports);
    if (!line) throw error;
    console.error(line);
    process.exit(1);
  }
})();
const customers = await host.services.customers.list(20);
const example = (customers.items.find((c) => c.name === 'Contoso Ltd') ?? customers.items[0])?.id ?? '<customerId>';
const idOf = (name: string) => customers.items.find((c) => c.name === name)?.id;
const signIns = demoPortalUsers
  .filter((u) => idOf(u.customer))
  .map(
    (u) =>
      `  ${u.role.padEnd(6)} of ${u.customer.padEnd(19)} npm run token -- --email ${u.email} --customer ${idOf(u.customer)} --role ${u.role}`,
  )
  .join('\n');
const clock = host.services.simulatorClock
  ? `\n  App time:   ${host.services.clock.now().toISOString()} (simulator clock: GET/POST ${host.url}/api/simulator/clock)`
  : '';
console.log(`
CSP portal backend is running.
  Portal:     ${portal ? `${host.url}/   (sign in as a demo user and role)` : 'not built (see the messages above); npm run build --prefix portal'}
  API:        ${host.url}/api/…        (health: ${host.url}/api/health)
  API docs:   ${host.url}/api/docs/
  OpenAPI:    ${host.url}/api/openapi.json${clock}

Get a sign-in token (prints it on its last line):
  npm run token -- --email you@partner.example --role PartnerAdmin
Demo portal users (one of each role):
${signIns || `  npm run token -- --email alice@contoso.example --customer ${example} --role Admin`}
Then: curl -H "Authorization: Bearer <token>" ${host.url}/api/me

Press Ctrl-C to stop.`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping…');
  await host.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
