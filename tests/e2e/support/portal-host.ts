import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { startLocalHost, type LocalHost } from '../../../dev/host.ts';
import { localEnv } from '../../../dev/settings.ts';
import { ensurePortalBuild } from '../../../dev/portal-build.ts';
import type { DemoIdentity } from '../../../dev/portal.ts';

export interface PortalHost {
  host: LocalHost;
  url: string;
  /** The app's time: the simulator clock's, shared by the seed, the host's timers and every request. */
  now(): Date;
  dataDir: string;
  identities(): Promise<DemoIdentity[]>;
  identity(customerName: string, role: DemoIdentity['role']): Promise<DemoIdentity>;
  token(body: { id: string } | { email: string; customerId?: string }): Promise<string>;
  api(
    method: string,
    pathAndQuery: string,
    token: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Response>;
  /** The invitation link of the newest invitation mail sent to `email`. */
  invitationLink(email: string): Promise<string>;
}

/**
 * The local host as `npm start` runs it: in-memory Azurite, the portal's build at /, and the demo seed replayed on
 * the simulator clock (COMMERCE_MODE=simulator), the same clock the host's timers and requests then run on. The
 * last `months` of the demo's history are replayed (its usage pulls, renewals and monthly billing runs), so that
 * NCE windows have closed, Usage has months to chart and Invoices has more than one invoice.
 */
export async function startPortalHost(months = 3): Promise<PortalHost> {
  if (!ensurePortalBuild(() => undefined))
    throw new Error('The portal could not be built (npm run build --prefix portal)');
  const dataDir = await mkdtemp(path.join(tmpdir(), 'csp-e2e-'));
  const host = await startLocalHost({
    env: {
      ...localEnv(),
      AUTH_MODE: 'local',
      COMMERCE_MODE: 'simulator',
      DATA_DIR: dataDir,
      STORAGE_NAME_PREFIX: `e${randomBytes(4).toString('hex')}`,
      ROLE_CACHE_SECONDS: '0',
      RATE_LIMIT_WRITES_PER_MINUTE: '0',
      MAIL_MODE: 'folder',
    },
    port: 0,
    azurite: 'memory',
    seed: { months },
    log: () => undefined,
  });
  if (!host.services.simulatorClock) throw new Error('The e2e host runs without the simulator clock');
  const url = host.url;
  const json = async (response: Response) => {
    if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
    return response.json() as Promise<unknown>;
  };
  const identities = async () =>
    ((await json(await fetch(`${url}/api/dev/sign-in`))) as { identities: DemoIdentity[] }).identities;
  return {
    host,
    url,
    dataDir,
    now: () => host.services.clock.now(),
    identities,
    async identity(customerName, role) {
      const found = (await identities()).find(
        (i) => i.role === role && (role === 'PartnerAdmin' || i.customerName === customerName),
      );
      if (!found) throw new Error(`No demo identity ${role} of ${customerName}`);
      return found;
    },
    async token(body) {
      const response = await fetch(`${url}/api/dev/sign-in`, { method: 'POST', body: JSON.stringify(body) });
      return ((await json(response)) as { token: string }).token;
    },
    api(method, pathAndQuery, token, body, headers = {}) {
      return fetch(`${url}${pathAndQuery}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    },
    async invitationLink(email) {
      const dir = path.join(dataDir, 'mail');
      const files = (await readdir(dir)).sort().reverse();
      for (const file of files) {
        const text = await readFile(path.join(dir, file), 'utf8');
        if (!text.toLowerCase().includes(email.toLowerCase())) continue;
        const match = /\/invitations\/([A-Za-z0-9_-]+)/.exec(text);
        if (match) return `${url}/invitations/${match[1]}`;
      }
      throw new Error(`No invitation mail to ${email} in ${dir}`);
    },
  };
}

/** Signs in through the portal's local sign-in page as the demo identity whose label matches. */
export async function signIn(page: Page, url: string, identity: DemoIdentity): Promise<void> {
  await page.goto(`${url}/`);
  await page.getByRole('combobox', { name: 'Demo user' }).click();
  await page.getByRole('option', { name: new RegExp(escape(identity.email)) }).click();
  await page.getByRole('button', { name: 'Sign in' }).first().click();
  await page.getByRole('navigation').waitFor();
}

export function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
