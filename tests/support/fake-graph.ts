import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TableClient } from '@azure/data-tables';
import { Agent } from 'undici';
import { z } from 'zod';
import { AppError } from '../../src/app/errors.ts';
import type { Clock } from '../../src/app/ports/clock.port.ts';
import type { DirectoryUser, DirectoryUserUpdate, SubscribedSku } from '../../src/app/ports/directory.port.ts';
import type { CommerceSimulator } from '../../src/adapters/commerce/simulator.commerce.ts';
import { DirectorySimulator } from '../../src/adapters/directory/simulator.directory.ts';
import { createTableSimulator } from './fake-partner-center.ts';

/**
 * Microsoft Graph v1.0 at the wire, for the Graph directory adapter's tests: the documented routes and JSON of
 * users, subscribedSkus, groups, assignLicense and directory roles, with `$select`, `$top`, `$search` (which
 * needs `ConsistencyLevel: eventual`), `$filter=userPrincipalName in (…)` and `@odata.nextLink` paging, and Graph's
 * error bodies `{ error: { code, message } }`. The business is a real DirectorySimulator on Azurite, over a real
 * CommerceSimulator (buy seats there to get licenses). Served over https with a self-signed certificate for
 * 127.0.0.1, because the Graph client sends its token and follows next links only on https; `fetch` trusts it.
 * Tokens come from `tokenFor`, which behaves like Entra ID: none without the app's service principal in the
 * tenant, else a JWT-shaped token whose `roles` are the consented permissions.
 */
export interface RecordedRequest {
  method: string;
  /** Path and query, as sent. */
  path: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: unknown;
}

export interface FaultPlan {
  times: number;
  /** `unexpectedShape`: a 200 whose JSON has none of the documented shape. */
  answer: 429 | 500 | 503 | 400 | 404 | 'hang' | 'unexpectedShape';
  retryAfter?: string;
  method?: string;
  path?: RegExp;
  /**
   * Only requests made with a token of this tenant. A request the app sent in parallel for another tenant (or an
   * earlier test's request still in flight) then cannot take the fault meant for this one.
   */
  tenantId?: string;
  /** Graph error body to send instead of the default one. */
  error?: { code: string; message: string };
}

export interface FakeGraph {
  /** `https://127.0.0.1:{port}`, the GRAPH_BASE_URL. */
  url: string;
  simulator: DirectorySimulator;
  commerce: CommerceSimulator;
  requests: RecordedRequest[];
  /** Caps every page at this many items whatever `$top` asks (Graph pages by its own limits too). */
  maxPageSize: number | undefined;
  /** A fetch that trusts the fake's certificate. */
  fetch: typeof fetch;
  /** Entra ID's answer to the app's token request for the tenant. */
  tokenFor(tenantId: string): Promise<string>;
  failNext(plan: FaultPlan): void;
  /** Forgets recorded requests and pending faults. */
  reset(): void;
  close(): Promise<void>;
}

/** Test catalog: the SKU part number of each product the tests buy. */
export const TEST_PRODUCTS: Record<string, { skuPartNumber: string; catalogItemId: string }> = {
  'CFQ7TTC0LCHC:0002': { skuPartNumber: 'SPB', catalogItemId: 'CFQ7TTC0LCHC:0002:CFQ7TTC0K5JV' },
  'CFQ7TTC0LH18:0001': { skuPartNumber: 'O365_BUSINESS_ESSENTIALS', catalogItemId: 'CFQ7TTC0LH18:0001:CFQ7TTC0K5B1' },
  'CFQ7TTC0LH16:0001': { skuPartNumber: 'EXCHANGESTANDARD', catalogItemId: 'CFQ7TTC0LH16:0001:CFQ7TTC0K4ZR' },
};

/** A directory simulator on tables of its own in the run's Azurite, over a commerce simulator of its own. */
export async function createDirectorySimulator(
  connectionString: string,
  clock: Clock,
): Promise<{ simulator: DirectorySimulator; commerce: CommerceSimulator }> {
  const commerce = await createTableSimulator(connectionString, clock);
  const table = TableClient.fromConnectionString(connectionString, `dirsim${randomBytes(6).toString('hex')}`, {
    allowInsecureConnection: true,
  });
  await table.createTable();
  const simulator = new DirectorySimulator(table, {
    clock,
    commerce,
    catalog: { getProduct: async (id) => TEST_PRODUCTS[id] },
  });
  return { simulator, commerce };
}

let certificate: { key: string; cert: string } | undefined;

/** A self-signed certificate for IP 127.0.0.1, made once per process with openssl. */
export function selfSignedCertificate(): { key: string; cert: string } {
  if (certificate) return certificate;
  const dir = mkdtempSync(path.join(tmpdir(), 'fake-graph-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    certificate = {
      key: readFileSync(path.join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(path.join(dir, 'cert.pem'), 'utf8'),
    };
    return certificate;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

class GraphHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const USER_DEFAULT_PROPERTIES = [
  'id',
  'displayName',
  'userPrincipalName',
  'mail',
  'businessPhones',
  'givenName',
  'surname',
  'jobTitle',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
];

const assignLicenseSchema = z.strictObject({
  addLicenses: z.array(z.strictObject({ skuId: z.guid(), disabledPlans: z.array(z.guid()) })),
  removeLicenses: z.array(z.guid()),
});
/** user-update, v1.0: the writable properties this product sends; any other property is refused here. */
const text = z.string().nullable().optional();
const userUpdateSchema = z.strictObject({
  displayName: z.string().optional(),
  usageLocation: z.string().optional(),
  givenName: text,
  surname: text,
  jobTitle: text,
  department: text,
  officeLocation: text,
  mobilePhone: text,
  businessPhones: z.array(z.string()).optional(),
  streetAddress: text,
  city: text,
  state: text,
  postalCode: text,
  country: text,
  preferredLanguage: text,
});
const newUserSchema = z.looseObject({
  accountEnabled: z.boolean(),
  displayName: z.string(),
  mailNickname: z.string(),
  userPrincipalName: z.string(),
  usageLocation: z.string().optional(),
  passwordProfile: z.object({ password: z.string(), forceChangePasswordNextSignIn: z.boolean().optional() }),
});

export async function startFakeGraph(options: { connectionString: string; clock: Clock }): Promise<FakeGraph> {
  const { simulator, commerce } = await createDirectorySimulator(options.connectionString, options.clock);
  const requests: RecordedRequest[] = [];
  const faults: FaultPlan[] = [];
  const tokens = new Map<string, string>();
  const { key, cert } = selfSignedCertificate();
  const agent = new Agent({ connect: { ca: cert } });
  let base = '';

  const graphUser = (user: DirectoryUser) => ({
    id: user.id,
    displayName: user.displayName,
    userPrincipalName: user.userPrincipalName,
    mail: user.mail ?? null,
    usageLocation: user.usageLocation ?? null,
    accountEnabled: user.accountEnabled,
    businessPhones: user.businessPhones ?? [],
    givenName: user.givenName ?? null,
    surname: user.surname ?? null,
    jobTitle: user.jobTitle ?? null,
    mobilePhone: user.mobilePhone ?? null,
    officeLocation: user.officeLocation ?? null,
    preferredLanguage: user.preferredLanguage ?? null,
    department: user.department ?? null,
    streetAddress: user.streetAddress ?? null,
    city: user.city ?? null,
    state: user.state ?? null,
    postalCode: user.postalCode ?? null,
    country: user.country ?? null,
    assignedLicenses: user.assignedLicenses,
    licenseAssignmentStates: user.licenseAssignmentStates.map((s) => ({
      assignedByGroup: s.assignedByGroup ?? null,
      disabledPlans: [],
      error: s.error,
      lastUpdatedDateTime: options.clock.now().toISOString(),
      skuId: s.skuId,
      state: s.state,
    })),
  });
  const graphSku = (tenantId: string, sku: SubscribedSku) => ({
    accountName: 'contoso',
    appliesTo: 'User',
    capabilityStatus: sku.capabilityStatus,
    consumedUnits: sku.consumedUnits,
    id: `${tenantId}_${sku.skuId}`,
    prepaidUnits: sku.prepaidUnits,
    servicePlans: [],
    skuId: sku.skuId,
    skuPartNumber: sku.skuPartNumber,
    subscriptionIds: [],
  });
  const select = (item: Record<string, unknown>, url: URL, defaults?: string[]) => {
    const wanted = url.searchParams.get('$select')?.split(',') ?? defaults;
    return wanted ? Object.fromEntries(wanted.filter((k) => k in item).map((k) => [k, item[k]])) : item;
  };
  const top = (url: URL, max: number) => {
    const value = url.searchParams.get('$top');
    const n = value === null ? 100 : Number(value);
    if (!Number.isInteger(n) || n < 1 || n > max)
      throw new GraphHttpError(
        400,
        'Request_BadRequest',
        `Invalid page size specified: '${value}'. Must be between 1 and ${max} inclusive.`,
      );
    return Math.min(n, fake.maxPageSize ?? n);
  };
  const nextLink = (url: URL, skiptoken: string) => {
    const params = [...url.searchParams]
      .filter(([k]) => k !== '$skiptoken')
      .map(([k, v]) => `${k}=${encodeURIComponent(v)}`);
    params.push(`$skiptoken=${encodeURIComponent(skiptoken)}`);
    return `${base}${url.pathname}?${params.join('&')}`;
  };
  const collection = (url: URL, value: unknown[], skiptoken?: string) => ({
    '@odata.context': `${base}/v1.0/$metadata#${url.pathname.split('/').pop()}`,
    value,
    ...(skiptoken ? { '@odata.nextLink': nextLink(url, skiptoken) } : {}),
  });
  /** Pages of a list the simulator answers whole, with the offset as skiptoken. */
  const offsetPage = (url: URL, items: unknown[], size: number) => {
    const offset = Number(url.searchParams.get('$skiptoken') ?? '0');
    const end = offset + size;
    return collection(url, items.slice(offset, end), end < items.length ? String(end) : undefined);
  };
  const allUsers = async (tenantId: string) => {
    const users: DirectoryUser[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await simulator.listUsers(tenantId, {
        pageSize: 500,
        ...(continuationToken ? { continuationToken } : {}),
      });
      users.push(...page.items);
      continuationToken = page.continuationToken;
    } while (continuationToken);
    return users;
  };

  async function handle(
    tenantId: string,
    method: string,
    url: URL,
    headers: Record<string, string>,
    body: unknown,
  ): Promise<{ status: number; body?: unknown; headers?: Record<string, string> }> {
    const p = decodeURIComponent(url.pathname);
    let m: RegExpMatchArray | null;

    if (method === 'GET' && p === '/v1.0/users') {
      const search = url.searchParams.get('$search');
      const filter = url.searchParams.get('$filter');
      if (search !== null) {
        if (headers.consistencylevel !== 'eventual') {
          throw new GraphHttpError(
            400,
            'Request_UnsupportedQuery',
            "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
          );
        }
        const phrase = /^"displayName:((?:[^"\\]|\\.)*)"/.exec(search)?.[1];
        if (phrase === undefined)
          throw new GraphHttpError(400, 'Request_BadRequest', 'Unsupported $search expression.');
        const text = phrase.replace(/\\(.)/g, '$1');
        const page = await simulator.listUsers(tenantId, {
          search: text,
          pageSize: top(url, 999),
          ...(url.searchParams.get('$skiptoken')
            ? { continuationToken: url.searchParams.get('$skiptoken') ?? '' }
            : {}),
        });
        return {
          status: 200,
          body: collection(
            url,
            page.items.map((u) => select(graphUser(u), url, USER_DEFAULT_PROPERTIES)),
            page.continuationToken,
          ),
        };
      }
      if (filter !== null) {
        const list = /^userPrincipalName in \((.*)\)$/.exec(filter)?.[1];
        if (list === undefined)
          throw new GraphHttpError(
            400,
            'Request_UnsupportedQuery',
            'Unsupported or invalid query filter clause specified.',
          );
        const upns = [...list.matchAll(/'((?:[^']|'')*)'/g)].map((x) => (x[1] ?? '').replace(/''/g, "'").toLowerCase());
        if (upns.length > 15)
          throw new GraphHttpError(
            400,
            'Request_BadRequest',
            "Too many child clauses specified in search filter expression containing 'OR' operators: 16. Max allowed: 15.",
          );
        const found = (await allUsers(tenantId)).filter((u) => upns.includes(u.userPrincipalName.toLowerCase()));
        return {
          status: 200,
          body: offsetPage(
            url,
            found.map((u) => select(graphUser(u), url, USER_DEFAULT_PROPERTIES)),
            top(url, 999),
          ),
        };
      }
      const page = await simulator.listUsers(tenantId, {
        pageSize: top(url, 999),
        ...(url.searchParams.get('$skiptoken') ? { continuationToken: url.searchParams.get('$skiptoken') ?? '' } : {}),
      });
      return {
        status: 200,
        body: collection(
          url,
          page.items.map((u) => select(graphUser(u), url, USER_DEFAULT_PROPERTIES)),
          page.continuationToken,
        ),
      };
    }

    if (method === 'POST' && p === '/v1.0/users') {
      const input = newUserSchema.safeParse(body);
      if (!input.success)
        throw new GraphHttpError(400, 'Request_BadRequest', `Invalid request: ${z.prettifyError(input.error)}`);
      const user = await simulator.createUser(tenantId, {
        displayName: input.data.displayName,
        userPrincipalName: input.data.userPrincipalName,
        mailNickname: input.data.mailNickname,
        password: input.data.passwordProfile.password,
        ...(input.data.usageLocation ? { usageLocation: input.data.usageLocation } : {}),
      });
      return {
        status: 201,
        body: {
          '@odata.context': `${base}/v1.0/$metadata#users/$entity`,
          ...select(graphUser(user), url, USER_DEFAULT_PROPERTIES),
        },
      };
    }

    if ((m = /^\/v1\.0\/users\/([^/]+)$/.exec(p)) && method === 'GET') {
      return {
        status: 200,
        body: select(graphUser(await simulator.getUser(tenantId, m[1] ?? '')), url, USER_DEFAULT_PROPERTIES),
      };
    }

    // user-update, v1.0: "If successful, this method returns a 204 No Content response code."
    if ((m = /^\/v1\.0\/users\/([^/]+)$/.exec(p)) && method === 'PATCH') {
      const input = userUpdateSchema.safeParse(body);
      if (!input.success)
        throw new GraphHttpError(400, 'Request_BadRequest', `Invalid request: ${z.prettifyError(input.error)}`);
      await simulator.updateUser(tenantId, m[1] ?? '', input.data as DirectoryUserUpdate);
      return { status: 204 };
    }

    if ((m = /^\/v1\.0\/users\/([^/]+)\/assignLicense$/.exec(p)) && method === 'POST') {
      const input = assignLicenseSchema.safeParse(body);
      if (!input.success)
        throw new GraphHttpError(
          400,
          'Request_BadRequest',
          `One or more parameters of the operation 'assignLicense' are missing or invalid: ${z.prettifyError(input.error)}`,
        );
      await simulator.assignLicenses(tenantId, m[1] ?? '', {
        add: input.data.addLicenses.map((l) => l.skuId),
        remove: input.data.removeLicenses,
      });
      return {
        status: 200,
        body: select(graphUser(await simulator.getUser(tenantId, m[1] ?? '')), url, USER_DEFAULT_PROPERTIES),
      };
    }

    if (method === 'GET' && p === '/v1.0/subscribedSkus') {
      return {
        status: 200,
        body: collection(
          url,
          (await simulator.subscribedSkus(tenantId)).map((s) => graphSku(tenantId, s)),
        ),
      };
    }

    if (method === 'GET' && p === '/v1.0/groups') {
      const groups = (await simulator.listGroups(tenantId)).map((g) =>
        select({ ...g, securityEnabled: true, mailEnabled: false }, url),
      );
      return { status: 200, body: offsetPage(url, groups, top(url, 999)) };
    }

    if ((m = /^\/v1\.0\/groups\/([^/]+)$/.exec(p)) && method === 'GET') {
      const group = (await simulator.listGroups(tenantId)).find((g) => g.id === m?.[1]);
      if (!group)
        throw new GraphHttpError(
          404,
          'Request_ResourceNotFound',
          `Resource '${m[1]}' does not exist or one of its queried reference-property objects are not present.`,
        );
      return { status: 200, body: select({ ...group }, url) };
    }

    if ((m = /^\/v1\.0\/groups\/([^/]+)\/assignLicense$/.exec(p)) && method === 'POST') {
      const input = assignLicenseSchema.safeParse(body);
      if (!input.success)
        throw new GraphHttpError(
          400,
          'Request_BadRequest',
          `One or more parameters of the operation 'assignLicense' are missing or invalid: ${z.prettifyError(input.error)}`,
        );
      const group = await simulator.assignGroupLicenses(tenantId, m[1] ?? '', {
        add: input.data.addLicenses.map((l) => l.skuId),
        remove: input.data.removeLicenses,
      });
      // group-assignlicense, v1.0, "Example 1: Add licenses to the group", Response: 202 Accepted, a Location to the
      // directory object and a short body of id, createdDateTime, groupTypes and securityEnabled only.
      return {
        status: 202,
        headers: {
          location: `${base}/v2/${tenantId}/directoryObjects/${group.id}/Microsoft.DirectoryServices.Group`,
        },
        body: { id: group.id, createdDateTime: '2021-03-12T11:15:03Z', groupTypes: [], securityEnabled: true },
      };
    }

    if (method === 'GET' && (m = /^\/v1\.0\/directoryRoles\(roleTemplateId='([^']+)'\)\/members$/.exec(p))) {
      if (m[1] !== '62e90394-69f5-4237-9190-012177145e10')
        throw new GraphHttpError(404, 'Request_ResourceNotFound', 'The role is not activated in this tenant.');
      const admins = await simulator.globalAdmins(tenantId);
      return {
        status: 200,
        body: collection(
          url,
          admins.map((a) => select({ '@odata.type': '#microsoft.graph.user', ...a, mail: a.mail ?? null }, url)),
        ),
      };
    }

    throw new GraphHttpError(400, 'BadRequest', `Resource not found for the segment '${p.split('/').pop() ?? ''}'.`);
  }

  /** The simulator's refusals as Graph words them. */
  function wire(error: AppError): GraphHttpError {
    const skuId = typeof error.extra.skuId === 'string' ? error.extra.skuId : '';
    switch (error.code) {
      case 'DIRECTORY.USER_NOT_FOUND':
      case 'DIRECTORY.GROUP_NOT_FOUND':
        return new GraphHttpError(
          404,
          'Request_ResourceNotFound',
          'Resource does not exist or one of its queried reference-property objects are not present.',
        );
      case 'DIRECTORY.COUNT_VIOLATION':
        return new GraphHttpError(
          400,
          'Request_BadRequest',
          `Subscription with SKU ${skuId} does not have any available licenses.`,
        );
      case 'DIRECTORY.USAGE_LOCATION_REQUIRED':
        return new GraphHttpError(
          400,
          'Request_BadRequest',
          'License assignment cannot be done for user with invalid usage location.',
        );
      case 'DIRECTORY.LICENSE_INHERITED':
        return new GraphHttpError(
          400,
          'Request_BadRequest',
          'User license is inherited from a group membership and it cannot be removed directly from the user.',
        );
      case 'DIRECTORY.LICENSE_NOT_ASSIGNED':
        return new GraphHttpError(400, 'Request_BadRequest', 'User does not have a corresponding license.');
      case 'DIRECTORY.SKU_NOT_FOUND':
        return new GraphHttpError(
          400,
          'Request_BadRequest',
          `License ${skuId} does not correspond to a valid company License.`,
        );
      case 'DIRECTORY.USER_EXISTS':
        return new GraphHttpError(
          400,
          'Request_BadRequest',
          'Another object with the same value for property userPrincipalName already exists.',
        );
      case 'DIRECTORY.CONSENT_REQUIRED':
        return new GraphHttpError(
          403,
          'Authorization_RequestDenied',
          'Insufficient privileges to complete the operation.',
        );
      case 'DIRECTORY.REFUSED':
        return new GraphHttpError(400, String(error.extra.graphCode ?? 'Request_BadRequest'), error.message);
      case 'DIRECTORY.THROTTLED':
        return new GraphHttpError(429, 'TooManyRequests', 'Too many requests.', {
          'retry-after': String(error.extra.retryAfterSeconds ?? 1),
        });
      case 'DIRECTORY.UNAVAILABLE':
        return new GraphHttpError(503, 'serviceNotAvailable', 'Service unavailable.');
      default:
        return new GraphHttpError(
          error.kind === 'Validation' || error.kind === 'Conflict' ? 400 : 500,
          error.kind === 'Validation' ? 'Request_BadRequest' : 'generalException',
          error.message,
        );
    }
  }

  function takeFault(method: string, target: string, tenantId: string | undefined): FaultPlan | undefined {
    const plan = faults.find(
      (f) =>
        f.times > 0 &&
        (!f.method || f.method === method) &&
        (!f.path || f.path.test(target)) &&
        (!f.tenantId || f.tenantId === tenantId),
    );
    if (plan) plan.times -= 1;
    return plan;
  }

  const server: Server = createServer({ key, cert }, (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const text = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', base);
      const method = req.method ?? 'GET';
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]),
      );
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
      requests.push({ method, path: req.url ?? '/', headers, body });
      const requestId = randomBytes(16).toString('hex');
      const send = (status: number, payload: unknown, extra: Record<string, string> = {}) => {
        res.writeHead(status, {
          'content-type':
            'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8',
          'request-id': requestId,
          ...extra,
        });
        res.end(payload === undefined ? '' : JSON.stringify(payload));
      };
      const fail = (error: GraphHttpError) =>
        send(
          error.status,
          {
            error: {
              code: error.code,
              message: error.message,
              innerError: { date: new Date().toISOString(), 'request-id': requestId },
            },
          },
          error.headers,
        );

      const fault = takeFault(method, url.pathname, tokens.get((headers.authorization ?? '').replace(/^Bearer /, '')));
      if (fault?.answer === 'hang') return;
      if (fault?.answer === 'unexpectedShape') {
        send(200, { value: 'not a list', id: 42 });
        return;
      }
      if (fault) {
        const defaults = {
          429: ['TooManyRequests', 'Too many requests.'],
          500: ['generalException', 'General exception while processing.'],
          503: ['serviceNotAvailable', 'Service unavailable.'],
          400: ['Request_BadRequest', 'Bad request.'],
          404: [
            'Request_ResourceNotFound',
            'Resource does not exist or one of its queried reference-property objects are not present.',
          ],
        } as const;
        const [code, message] = defaults[fault.answer];
        fail(
          new GraphHttpError(
            fault.answer,
            fault.error?.code ?? code,
            fault.error?.message ?? message,
            fault.retryAfter ? { 'retry-after': fault.retryAfter } : {},
          ),
        );
        return;
      }
      try {
        const tenantId = tokens.get((headers.authorization ?? '').replace(/^Bearer /, ''));
        if (!tenantId)
          throw new GraphHttpError(401, 'InvalidAuthenticationToken', 'Access token is empty or not valid.');
        if (body !== undefined && !/^application\/json/.test(headers['content-type'] ?? ''))
          throw new GraphHttpError(415, 'UnsupportedMediaType', 'Content-Type must be application/json.');
        const answer = await handle(tenantId, method, url, headers, body);
        send(answer.status, answer.body, answer.headers);
      } catch (error) {
        if (error instanceof GraphHttpError) fail(error);
        else if (error instanceof AppError) fail(wire(error));
        else fail(new GraphHttpError(500, 'generalException', String(error)));
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const fake: FakeGraph = {
    url: base,
    simulator,
    commerce,
    requests,
    maxPageSize: undefined,
    fetch: (input, init) => fetch(input, { ...init, dispatcher: agent } as RequestInit),
    async tokenFor(tenantId) {
      if (!(await simulator.hasServicePrincipal(tenantId))) {
        throw new Error(
          `AADSTS7000229: The client application is missing service principal in the tenant '${tenantId}'.`,
        );
      }
      const { grantedPermissions } = await simulator.consentStatus(tenantId);
      const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const token = `${part({ typ: 'JWT', alg: 'RS256' })}.${part({ aud: 'https://graph.microsoft.com', tid: tenantId, roles: grantedPermissions })}.${randomBytes(16).toString('base64url')}`;
      tokens.set(token, tenantId);
      return token;
    },
    failNext: (plan) => void faults.push({ ...plan }),
    reset() {
      requests.length = 0;
      faults.length = 0;
      fake.maxPageSize = undefined;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
        void agent.close();
      }),
  };
  return fake;
}
