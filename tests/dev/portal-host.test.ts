import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalHost, type LocalHost } from '../../dev/host.ts';
import { devSignIn, servePortal, type DemoIdentity } from '../../dev/portal.ts';
import { testEnv } from '../support/test-app.ts';

let host: LocalHost;

beforeAll(async () => {
  host = await startLocalHost({
    env: testEnv(),
    port: 0,
    azurite: 'memory',
    seed: { months: 0 },
    jobs: [],
    log: () => undefined,
  });
});

afterAll(async () => {
  await host.close();
});

const signIn = (body: unknown) =>
  fetch(`${host.url}/api/dev/sign-in`, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('the portal’s demo sign-in (AUTH_MODE=local)', () => {
  it('lists the partner admin and an Admin, Modify and View user of each customer', async () => {
    const { identities } = (await (await fetch(`${host.url}/api/dev/sign-in`)).json()) as {
      identities: DemoIdentity[];
    };
    expect(identities[0]).toMatchObject({ role: 'PartnerAdmin' });
    const contoso = identities.filter((i) => i.customerName === 'Contoso Ltd').map((i) => i.role);
    expect(contoso).toEqual(['Admin', 'Modify', 'View']);
    expect(new Set(identities.map((i) => i.customerName).filter(Boolean))).toEqual(
      new Set(['Contoso Ltd', 'Fabrikam GmbH', 'Northwind Traders', 'Adatum Corporation']),
    );
  });

  it('signs a token that the API verifies like any other, with the role of the chosen user', async () => {
    const { identities } = (await (await fetch(`${host.url}/api/dev/sign-in`)).json()) as {
      identities: DemoIdentity[];
    };
    const viewer = identities.find((i) => i.customerName === 'Fabrikam GmbH' && i.role === 'View')!;
    const { token } = (await (await signIn({ id: viewer.id })).json()) as { token: string };
    const me = await fetch(`${host.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { customers: unknown[] }).customers).toEqual([
      { customerId: viewer.customerId, customerName: 'Fabrikam GmbH', role: 'View' },
    ]);
    // A View user may read but not change.
    const write = await fetch(`${host.url}/api/customers/${viewer.customerId}/portal-users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ firstName: 'A', lastName: 'B', email: 'a@b.example', role: 'View' }),
    });
    expect(write.status).toBe(403);

    const partner = (await (await signIn({ id: 'partner-admin' })).json()) as { token: string };
    const partnerMe = await fetch(`${host.url}/api/me`, { headers: { authorization: `Bearer ${partner.token}` } });
    expect(((await partnerMe.json()) as { isPartnerAdmin: boolean }).isPartnerAdmin).toBe(true);
  });

  it('signs any email in without records (an invitee), and refuses bad input with a problem naming the field', async () => {
    const { token } = (await (await signIn({ email: 'someone@elsewhere.example' })).json()) as { token: string };
    const me = await fetch(`${host.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(await me.json()).toMatchObject({ email: 'someone@elsewhere.example', isPartnerAdmin: false, customers: [] });

    const bad = await signIn({ email: 'not-an-email' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(((await bad.json()) as { errors: { path: string }[] }).errors.map((e) => e.path)).toContain('email');
    expect((await signIn('{')).status).toBe(400);
    expect((await signIn({ id: 'nobody' })).status).toBe(404);
  });

  it('does not exist outside local mode', async () => {
    const config = { ...host.services.config, AUTH_MODE: 'entra' as const };
    expect(await devSignIn('GET', '/api/dev/sign-in', new Uint8Array(), host.services, config)).toBeUndefined();
  });
});

describe('serving the portal’s build', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    const dist = await mkdtemp(path.join(tmpdir(), 'portal-dist-'));
    await mkdir(path.join(dist, 'assets'));
    // As Vite writes it: the main bundle and its static imports, the preload of the runtime settings.
    await writeFile(
      path.join(dist, 'index.html'),
      '<!doctype html><head><link rel="preload" href="/config.json" as="fetch" crossorigin="anonymous" />' +
        '<script type="module" crossorigin src="/assets/app-1.js"></script>' +
        '<link rel="modulepreload" crossorigin href="/assets/runtime-1.js"></head><div id="root"></div>',
    );
    await writeFile(path.join(dist, 'assets', 'app-1.js'), 'console.log(1)');
    await mkdir(path.join(dist, '.vite'));
    await writeFile(
      path.join(dist, '.vite', 'manifest.json'),
      JSON.stringify({
        'index.html': { file: 'assets/app-1.js', imports: ['_runtime-1.js'] },
        '_runtime-1.js': { file: 'assets/runtime-1.js' },
        '_Badge-1.js': { file: 'assets/Badge-1.js', imports: ['_runtime-1.js'] },
        'src/pages/customer/Services.tsx': {
          file: 'assets/Services-1.js',
          imports: ['_runtime-1.js', '_Badge-1.js', 'index.html'],
        },
      }),
    );
    server = createServer((req, res) => {
      const pathname = new URL(req.url ?? '/', 'http://x').pathname;
      if (!servePortal(res, pathname, host.services.config, dist)) res.writeHead(599).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('serves files, falls back to index.html for the SPA’s pages, and 404s missing files and escapes', async () => {
    const asset = await fetch(`${url}/assets/app-1.js`);
    expect(asset.headers.get('content-type')).toContain('text/javascript');
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect(await asset.text()).toBe('console.log(1)');
    const page = await fetch(`${url}/invitations/abc`);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('id="root"');
    expect((await fetch(`${url}/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${url}/..%2F..%2Fetc%2Fpasswd.txt`)).status).toBe(404);
    const config = (await (await fetch(`${url}/config.json`)).json()) as { authMode: string };
    expect(config).toEqual({ authMode: 'local' });
  });

  it('writes the runtime settings into the page and preloads the opened page’s chunks, not the bundle’s', async () => {
    const page = await (await fetch(`${url}/services`)).text();
    expect(page).not.toContain('href="/config.json"');
    const settings = /<script id="portal-config" type="application\/json">([^<]*)<\/script>/.exec(page)?.[1];
    expect(JSON.parse(settings ?? 'null')).toEqual({ authMode: 'local' });
    const preloads = [...page.matchAll(/<link rel="modulepreload" crossorigin href="([^"]+)">/g)].map((m) => m[1]);
    expect(preloads.sort()).toEqual(['/assets/Badge-1.js', '/assets/Services-1.js', '/assets/runtime-1.js']);
    expect(page.match(/runtime-1\.js/g)).toHaveLength(1); // already in the page: not preloaded twice
    // A page without a chunk of its own (the invitation) gets the settings only.
    expect(await (await fetch(`${url}/invitations/abc`)).text()).not.toContain('Services-1.js');
  });
});
