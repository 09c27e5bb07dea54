import type { Config } from './config.ts';
import { loadConfig } from './config.ts';
import type { Clock } from './app/ports/clock.port.ts';
import { systemClock } from './app/ports/clock.port.ts';
import type { CustomerRepository } from './app/ports/customer.repository.port.ts';
import type { AccessRepository } from './app/ports/access.repository.port.ts';
import type { Storage } from './adapters/storage/storage.ts';
import type { Authenticator } from './http/authenticate.ts';

/** Everything a handler or job may use, built once per process. */
export interface Services {
  config: Config;
  clock: Clock;
  storage: Storage;
  customers: CustomerRepository;
  access: AccessRepository;
  authenticate: Authenticator;
}

export interface ServiceOverrides {
  clock?: Clock;
}

/**
 * The composition root. Adapters and SDKs are imported here on first use (not at module load), so that
 * importing the function app stays cheap and each cold start pays only for what it calls.
 */
export async function createServices(config: Config, overrides: ServiceOverrides = {}): Promise<Services> {
  const [{ createStorage }, { customerTable }, { accessTable }, { createAuthenticator }] = await Promise.all([
    import('./adapters/storage/storage.ts'),
    import('./adapters/tables/customer.table.ts'),
    import('./adapters/tables/access.table.ts'),
    import('./http/authenticate.ts'),
  ]);
  const storage = await createStorage(config);
  const access = accessTable(storage.table('access'));
  return {
    config,
    clock: overrides.clock ?? systemClock,
    storage,
    customers: customerTable(storage.table('customers')),
    access,
    authenticate: await createAuthenticator(config, access),
  };
}

let services: Promise<Services> | undefined;

/** The process-wide services, from the environment, built on first call. */
export function getServices(): Promise<Services> {
  services ??= Promise.resolve()
    .then(async () => {
      const config = loadConfig();
      const { startTelemetry } = await import('./telemetry.ts');
      await startTelemetry(config.APPLICATIONINSIGHTS_CONNECTION_STRING);
      return createServices(config);
    })
    .catch((error: unknown) => {
      services = undefined;
      throw error;
    });
  return services;
}
