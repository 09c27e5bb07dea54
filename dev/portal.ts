import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { z } from 'zod';
import type { Config } from '../src/config.ts';
import type { Services } from '../src/main.ts';
import { customerRoles } from '../src/domain/roles.ts';
import { registerPortalUser } from '../src/app/portal-users/portal-users.ts';
import { guidFrom, loadOrCreateLocalKeys, signLocalToken } from '../src/adapters/auth/local-keys.ts';

/**
 * What the local host adds for the portal: its static build (portal/dist) at `/` with the SPA's navigation
 * fallback, the runtime `config.json` the portal reads at start, and in AUTH_MODE=local only the demo sign-in
 * (`/api/dev/sign-in`): a list of demo identities and a local token for one of them, signed with the same key pair
 * as `npm run token`, so it is verified on the same path as every other token.
 */
export const portalDist = path.resolve(import.meta.dirname, '..', 'portal', 'dist');

const staticTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Serves a file of the portal's build, or index.html for a client-side route; false when there is no build. */
export function servePortal(res: ServerResponse, pathname: string, config: Config, dist = portalDist): boolean {
  if (pathname === '/config.json') {
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.setHeader('cache-control', 'no-store');
    res.end(JSON.stringify(portalRuntimeConfig(config)));
    return true;
  }
  const index = path.join(dist, 'index.html');
  if (!existsSync(index)) return false;
  const relative = decodeURIComponent(pathname).replace(/^\/+/, '');
  const file = path.resolve(dist, relative);
  const inside = file.startsWith(dist + path.sep);
  const isFile = inside && existsSync(file) && statSync(file).isFile();
  // Files with an extension that do not exist are 404s; everything else is a page of the SPA.
  if (!isFile && path.extname(relative)) {
    res.statusCode = 404;
    res.setHeader('content-type', 'text/plain; charset=utf-8');
    res.end('Not found');
    return true;
  }
  const target = isFile ? file : index;
  if (target === index) {
    // The page with its runtime settings written in and the opened page's chunk preloaded: neither waits for the bundle.
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('cache-control', 'no-cache');
    res.end(portalPage(dist, pathname, config));
    return true;
  }
  res.setHeader('content-type', staticTypes[path.extname(target)] ?? 'application/octet-stream');
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader(
    'cache-control',
    target.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
  );
  createReadStream(target).pipe(res);
  return true;
}

/** The source of each page's chunk (portal/src/app/App.tsx's pageLoaders), by the path that opens it. */
const pageSources: Record<string, string> = {
  '/': 'src/pages/customer/Home.tsx',
  '/services': 'src/pages/customer/Services.tsx',
  '/catalog': 'src/pages/customer/Catalog.tsx',
  '/future-changes': 'src/pages/customer/FutureChanges.tsx',
  '/change-log': 'src/pages/customer/ChangeLog.tsx',
  '/licenses': 'src/pages/customer/Licenses.tsx',
  '/portal-users': 'src/pages/customer/PortalUsers.tsx',
  '/company': 'src/pages/customer/Company.tsx',
  '/profile': 'src/pages/customer/Profile.tsx',
  '/agreements': 'src/pages/customer/Agreements.tsx',
  '/invoices': 'src/pages/customer/Invoices.tsx',
  '/usage': 'src/pages/customer/Usage.tsx',
  '/billing-reports': 'src/pages/customer/BillingReports.tsx',
  '/partner/customers': 'src/pages/partner/Customers.tsx',
  '/partner/prices': 'src/pages/partner/PriceLists.tsx',
  '/partner/sale-profiles': 'src/pages/partner/SaleProfiles.tsx',
  '/partner/billing-settings': 'src/pages/partner/BillingSettings.tsx',
  '/partner/billing-runs': 'src/pages/partner/BillingRuns.tsx',
  '/partner/provider-reports': 'src/pages/partner/ProviderReports.tsx',
  '/partner/resellers': 'src/pages/partner/Resellers.tsx',
  '/partner/branding': 'src/pages/partner/Branding.tsx',
};

interface ManifestChunk {
  file: string;
  imports?: string[];
}

let built: { mtimeMs: number; html: string; manifest: Record<string, ManifestChunk> } | undefined;

/**
 * index.html as the portal's build wrote it, with the runtime settings in a JSON script element in place of the
 * preload of /config.json, and `<link rel="modulepreload">` for the opened page's chunk and the chunks it imports
 * (from Vite's manifest), so that they load beside the main bundle rather than after it.
 */
export function portalPage(dist: string, pathname: string, config: Config): string {
  const index = path.join(dist, 'index.html');
  const mtimeMs = statSync(index).mtimeMs;
  if (built?.mtimeMs !== mtimeMs) {
    const manifestFile = path.join(dist, '.vite', 'manifest.json');
    built = {
      mtimeMs,
      html: readFileSync(index, 'utf8'),
      manifest: existsSync(manifestFile)
        ? (JSON.parse(readFileSync(manifestFile, 'utf8')) as Record<string, ManifestChunk>)
        : {},
    };
  }
  const { html, manifest } = built;
  const files = new Set<string>();
  const add = (key: string) => {
    const chunk = manifest[key];
    if (!chunk || files.has(chunk.file)) return;
    files.add(chunk.file);
    for (const imported of chunk.imports ?? []) add(imported);
  };
  const source = pageSources[pathname.replace(/\/+$/, '') || '/'];
  if (source) add(source);
  // The main bundle and what it imports are in the page already.
  const inPage = new Set([...html.matchAll(/(?:src|href)="\/([^"]+)"/g)].map((m) => m[1]));
  const preloads = [...files]
    .filter((file) => !inPage.has(file))
    .map((file) => `<link rel="modulepreload" crossorigin href="/${file}">`)
    .join('');
  // `<` escaped: the settings cannot end the script element.
  const settings = JSON.stringify(portalRuntimeConfig(config)).replace(/</g, '\\u003c');
  return html.replace(
    /<link rel="preload" href="\/config\.json"[^>]*>/,
    `<script id="portal-config" type="application/json">${settings}</script>${preloads}`,
  );
}

/** The settings the portal reads at runtime (never secrets): how to sign in. */
export function portalRuntimeConfig(config: Config) {
  return config.AUTH_MODE === 'entra'
    ? {
        authMode: 'entra' as const,
        clientId: config.AUTH_AUDIENCE.replace(/^api:\/\//, ''),
        authority: config.PORTAL_AUTHORITY,
        ...(config.PORTAL_KNOWN_AUTHORITIES.length ? { knownAuthorities: config.PORTAL_KNOWN_AUTHORITIES } : {}),
        scopes: [`${config.AUTH_AUDIENCE}/.default`],
      }
    : { authMode: config.AUTH_MODE };
}

export interface DemoIdentity {
  id: string;
  email: string;
  name: string;
  role: 'PartnerAdmin' | (typeof customerRoles)[number];
  customerId?: string;
  customerName?: string;
}

const signInBody = z.union([
  z.strictObject({ id: z.string().min(1).max(200) }),
  z.strictObject({ email: z.email().max(254), customerId: z.uuid().optional() }),
]);

/** The demo sign-in of AUTH_MODE=local. Returns undefined for other paths. */
export async function devSignIn(
  method: string,
  pathname: string,
  body: Uint8Array,
  services: Services,
  config: Config,
): Promise<{ status: number; body: unknown } | undefined> {
  if (pathname !== '/api/dev/sign-in' || config.AUTH_MODE !== 'local') return undefined;
  const identities = await demoIdentities(services);
  if (method === 'GET') return { status: 200, body: { identities } };
  if (method !== 'POST') return problem(405, 'REQUEST.METHOD_NOT_ALLOWED', 'Use GET or POST here.');
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(body));
  } catch {
    return problem(400, 'REQUEST.INVALID', 'The body must be JSON: { "id": … } or { "email": … }.');
  }
  const parsed = signInBody.safeParse(json);
  if (!parsed.success)
    return problem(400, 'REQUEST.INVALID', 'Send { "id" } of a demo identity or { "email", "customerId"? }.', [
      ...parsed.error.issues.map((i) => ({ path: i.path.join('.') || 'body', message: i.message })),
    ]);
  const keys = await loadOrCreateLocalKeys(config.DATA_DIR);
  const sign = (tenantId: string, objectId: string, email: string, name: string, roles: string[] = []) =>
    signLocalToken(
      keys,
      { tenantId, objectId, email, name, roles },
      { issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE, expiresInSeconds: 8 * 3600 },
    );

  if ('email' in parsed.data) {
    // Any account (e.g. an invitee opening their invitation link): signed in, with no records of its own.
    const email = parsed.data.email.toLowerCase();
    const customer = parsed.data.customerId ? await services.customers.get(parsed.data.customerId) : undefined;
    if (parsed.data.customerId && !customer)
      return problem(404, 'CUSTOMER.NOT_FOUND', `No customer ${parsed.data.customerId}.`);
    const tenantId = customer
      ? (customer.value.tenantId ?? guidFrom(`tenant:${customer.value.id}`))
      : guidFrom(`tenant:${email.split('@')[1] ?? email}`);
    return {
      status: 200,
      body: { token: await sign(tenantId, guidFrom(`${tenantId}:${email}`), email, email.split('@')[0] ?? email) },
    };
  }
  const chosen = identities.find((i) => i.id === (parsed.data as { id: string }).id);
  if (!chosen) return problem(404, 'DEV.IDENTITY_NOT_FOUND', 'No demo identity with that id: list them with GET.');
  if (chosen.role === 'PartnerAdmin')
    return {
      status: 200,
      body: {
        token: await sign(config.PARTNER_TENANT_ID, guidFrom(`partner:${chosen.email}`), chosen.email, chosen.name, [
          config.PARTNER_ADMIN_APP_ROLE,
        ]),
      },
    };
  const customer = chosen.customerId ? await services.customers.get(chosen.customerId) : undefined;
  if (!customer) return problem(404, 'CUSTOMER.NOT_FOUND', 'The customer of this identity no longer exists.');
  const tenantId = customer.value.tenantId ?? guidFrom(`tenant:${customer.value.id}`);
  const objectId = guidFrom(`${tenantId}:${chosen.email}`);
  const [firstName = chosen.role, lastName = 'Demo'] = chosen.name.split(' ');
  // The same rules as `npm run token` and an accepted invitation: an active portal user bound to this identity.
  await registerPortalUser(services, {
    customerId: customer.value.id,
    email: chosen.email,
    firstName,
    lastName,
    role: chosen.role,
    identity: { tenantId, objectId },
  });
  return { status: 200, body: { token: await sign(tenantId, objectId, chosen.email, chosen.name) } };
}

/** The partner admin, and an Admin, a Modify and a View user of each customer (the first 20). */
async function demoIdentities(services: Services): Promise<DemoIdentity[]> {
  const customers = await services.customers.list(20);
  const identities: DemoIdentity[] = [
    { id: 'partner-admin', email: 'admin@partner.example', name: 'Pat Partner', role: 'PartnerAdmin' },
  ];
  for (const customer of customers.items) {
    const domain = `${customer.name.toLowerCase().split(/[^a-z0-9]+/)[0] || 'customer'}.example`;
    for (const role of [...customerRoles].reverse()) {
      identities.push({
        id: `${customer.id}:${role}`,
        email: `${role.toLowerCase()}@${domain}`,
        name: `${role} User`,
        role,
        customerId: customer.id,
        customerName: customer.name,
      });
    }
  }
  return identities;
}

function problem(status: number, code: string, detail: string, errors?: { path: string; message: string }[]) {
  return {
    status,
    body: {
      type: `https://errors.csp-portal.example/${code}`,
      title: code,
      status,
      code,
      detail,
      instance: '',
      errors,
    },
  };
}
