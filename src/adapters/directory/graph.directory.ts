import type { Client, Context, Middleware } from '@microsoft/microsoft-graph-client';
import { z } from 'zod';
import { AppError, notFound, validation } from '../../app/errors.ts';
import {
  consentRequired,
  countViolation,
  directoryBadAnswer,
  directoryRefused,
  directoryThrottled,
  directoryUnavailable,
  groupNotFound,
  licenseInherited,
  licenseNotAssigned,
  skuNotInTenant,
  usageLocationRequired,
  userExists,
  userNotFound,
} from '../../app/directory-errors.ts';
import type { Page } from '../../app/ports/customer.repository.port.ts';
import {
  licenseAssignmentErrors,
  requiredGraphPermissions,
  type ConsentStatus,
  type DirectoryAdmin,
  type DirectoryGroup,
  type DirectoryPort,
  type DirectoryUser,
  type DirectoryUserUpdate,
  type LicenseAssignmentState,
  type LicenseChange,
  type NewDirectoryUser,
  type SubscribedSku,
  type UserQuery,
  userProfileLimits,
} from '../../app/ports/directory.port.ts';
import type { Config } from '../../config.ts';
import {
  clientSecretTokens as appTokens,
  httpDependencies,
  retryingFetch,
  type HttpDependencies,
} from '../http/retrying-fetch.ts';

/**
 * The directory port over Microsoft Graph v1.0 with `@microsoft/microsoft-graph-client`, app-only in each
 * customer's tenant (a ClientSecretCredential per tenant; @azure/identity and the Graph client are loaded on first
 * use). The client's middleware chain is its AuthenticationHandler (which sends the token only to Graph hosts and
 * the configured host, listed in `customHosts`) and this adapter's transport over the shared retrying fetch: a
 * timeout per attempt, 429s retried after Retry-After, 5xx and timeouts retried with backoff (except a user
 * creation, which a retry could duplicate), all bounded by GRAPH_MAX_RETRIES and a total wait, then
 * DIRECTORY.THROTTLED / DIRECTORY.UNAVAILABLE (503). Graph's error bodies `{ error: { code, message } }` map to the port's codes.
 */
export type GraphConfig = Pick<
  Config,
  'GRAPH_BASE_URL' | 'GRAPH_CLIENT_ID' | 'GRAPH_CLIENT_SECRET' | 'GRAPH_TIMEOUT_MS' | 'GRAPH_MAX_RETRIES'
>;

export interface GraphDirectoryOptions extends Partial<HttpDependencies> {
  /** An app-only Graph token in the customer's tenant; `fresh` bypasses any token cache (consent checks). */
  getToken?: (tenantId: string, options?: { fresh?: boolean }) => Promise<string>;
}

/** The Global Administrator role's template id (the same in every tenant). */
export const GLOBAL_ADMIN_ROLE_TEMPLATE = '62e90394-69f5-4237-9190-012177145e10';

const VERSION = 'v1.0';
/** The profile properties a user update may change, read back with every user. */
const PROFILE_PROPERTIES = [
  ...Object.keys(userProfileLimits).filter((key) => key !== 'displayName'),
  'businessPhones',
] as const;
const USER_SELECT = [
  'id,displayName,userPrincipalName,mail,usageLocation,accountEnabled,assignedLicenses,licenseAssignmentStates',
  ...PROFILE_PROPERTIES,
].join(',');
/** Longest total wait between attempts of one call: past it the caller gets the 503 and retries later. */
const MAX_TOTAL_WAIT_MS = 30_000;
/** Longest wait of a quick call (`{ quick: true }`): a page waits no longer for a nice-to-have answer. */
const QUICK_TIMEOUT_MS = 3_000;
/** Graph's limit of values in one `in (…)` filter. */
const FILTER_IN_LIMIT = 15;

export function graphDirectory(config: GraphConfig, options: GraphDirectoryOptions = {}): DirectoryPort {
  return new GraphDirectory(config, {
    getToken: options.getToken ?? clientSecretTokens(config),
    ...httpDependencies(options),
  });
}

/** App-only tokens of the partner's multi-tenant Entra app, one credential per customer tenant. */
function clientSecretTokens(config: GraphConfig): NonNullable<GraphDirectoryOptions['getToken']> {
  const tenants = new Map<string, () => Promise<string>>();
  const scope = `${new URL(config.GRAPH_BASE_URL).origin}/.default`;
  return async (tenantId, { fresh = false } = {}) => {
    let tokens = fresh ? undefined : tenants.get(tenantId);
    if (!tokens) {
      tokens = appTokens(tenantId, config.GRAPH_CLIENT_ID, config.GRAPH_CLIENT_SECRET, scope);
      if (!fresh) tenants.set(tenantId, tokens);
    }
    return tokens();
  };
}

// ---- Graph's JSON, as read ----

const licenseSchema = z.object({ skuId: z.string(), disabledPlans: z.array(z.string()).nullish() });
const userSchema = z.object({
  ...Object.fromEntries(PROFILE_PROPERTIES.map((key) => [key, z.string().nullish()])),
  businessPhones: z.array(z.string()).nullish(),
  id: z.string(),
  displayName: z.string().nullish(),
  userPrincipalName: z.string(),
  mail: z.string().nullish(),
  usageLocation: z.string().nullish(),
  accountEnabled: z.boolean().nullish(),
  assignedLicenses: z.array(licenseSchema).nullish(),
  licenseAssignmentStates: z
    .array(
      z.object({
        skuId: z.string(),
        assignedByGroup: z.string().nullish(),
        state: z
          .enum(['Active', 'ActiveWithSolvedFunctionality', 'ActivationFailed', 'Error'])
          .catch('Error')
          .nullish(),
        error: z.enum(licenseAssignmentErrors).catch('Other').nullish(),
      }),
    )
    .nullish(),
});
const skuSchema = z.object({
  skuId: z.string(),
  skuPartNumber: z.string(),
  capabilityStatus: z.enum(['Enabled', 'Warning', 'Suspended', 'Deleted', 'LockedOut']).catch('Enabled').nullish(),
  prepaidUnits: z
    .object({
      enabled: z.number().int().nullish(),
      suspended: z.number().int().nullish(),
      warning: z.number().int().nullish(),
      lockedOut: z.number().int().nullish(),
    })
    .nullish(),
  consumedUnits: z.number().int().nullish(),
});
const groupSchema = z.object({
  id: z.string(),
  displayName: z.string().nullish(),
  assignedLicenses: z.array(licenseSchema).nullish(),
});
const fullGroupSchema = groupSchema.extend({ displayName: z.string(), assignedLicenses: z.array(licenseSchema) });
const memberSchema = z.object({
  '@odata.type': z.string().optional(),
  id: z.string(),
  displayName: z.string().nullish(),
  userPrincipalName: z.string().nullish(),
  mail: z.string().nullish(),
});
const collectionSchema = z.object({ value: z.array(z.unknown()), '@odata.nextLink': z.string().optional() });
const tokenPayloadSchema = z.object({ roles: z.array(z.string()).optional() });

/** What the client throws for a non-2xx answer (its GraphError), read by shape. */
const graphErrorSchema = z.object({
  statusCode: z.number(),
  code: z.string().nullish(),
  message: z.string().nullish(),
  headers: z.unknown().optional(),
});

// ---- the transport ----

/** Per-request options of the transport (a middleware option of the Graph client, keyed by its class). */
class CallOptions {
  constructor(
    readonly retryServerErrors: boolean,
    /** On a page's path: one attempt with a short timeout; the caller falls back rather than wait. */
    readonly quick = false,
  ) {}
}

interface Dependencies extends HttpDependencies {
  getToken: (tenantId: string, options?: { fresh?: boolean }) => Promise<string>;
}

/** Wraps an AppError so that the Graph client rethrows it as is (it rethrows its GraphClientError). */
type ClientErrorClass = new (message?: string) => Error & { customError?: unknown };

class Transport implements Middleware {
  constructor(
    private readonly config: GraphConfig,
    private readonly deps: Dependencies,
    private readonly ClientError: ClientErrorClass,
  ) {}

  async execute(context: Context): Promise<void> {
    const options = context.middlewareControl?.getMiddlewareOptions(CallOptions) as CallOptions | undefined;
    const { GRAPH_TIMEOUT_MS: timeoutMs, GRAPH_MAX_RETRIES: maxRetries } = this.config;
    const policy = options?.quick
      ? { timeoutMs: Math.min(timeoutMs, QUICK_TIMEOUT_MS), maxRetries: 0, maxTotalWaitMs: 0 }
      : {
          timeoutMs,
          maxRetries,
          maxTotalWaitMs: MAX_TOTAL_WAIT_MS,
          retryServerErrors: options?.retryServerErrors ?? true,
        };
    const result = await retryingFetch(context.request, context.options ?? {}, policy, this.deps);
    if (!result.ok) {
      const { retryAfterSeconds: seconds } = result;
      throw this.wrap(
        result.throttled
          ? directoryThrottled(seconds)
          : directoryUnavailable(result.detail, result.retryAfterMs === undefined ? undefined : seconds),
      );
    }
    context.response = result.response;
  }

  wrap(error: AppError): Error {
    const wrapped = new this.ClientError(error.message);
    wrapped.customError = error;
    return wrapped;
  }
}

// ---- the adapter ----

interface Request {
  method: 'get' | 'post' | 'patch';
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  retryServerErrors?: boolean;
  /** One attempt, short timeout (see CallOptions). */
  quick?: boolean;
  /** How Graph's refusals of this call read in the port's words. */
  context?: ErrorContext;
}

interface ErrorContext {
  notFound?: () => AppError;
  userId?: string;
  userPrincipalName?: string;
  change?: LicenseChange;
}

class GraphDirectory implements DirectoryPort {
  private readonly base: URL;
  private readonly clients = new Map<string, Promise<Client>>();

  constructor(
    private readonly config: GraphConfig,
    private readonly deps: Dependencies,
  ) {
    this.base = new URL(config.GRAPH_BASE_URL);
  }

  async listUsers(tenantId: string, query: UserQuery): Promise<Page<DirectoryUser>> {
    let path: string;
    if (query.continuationToken) {
      path = decodeContinuation(query.continuationToken);
    } else {
      const params = [`$select=${USER_SELECT}`, `$top=${query.pageSize}`];
      if (query.search?.trim()) params.push(`$search=${encodeURIComponent(searchExpression(query.search.trim()))}`);
      path = `/users?${params.join('&')}`;
    }
    const advanced = /[?&]\$search=/.test(path);
    const page = parse(
      collectionSchema,
      await this.send(tenantId, {
        method: 'get',
        path,
        ...(advanced ? { headers: { ConsistencyLevel: 'eventual' } } : {}),
      }),
      'user collection',
    );
    const next = page['@odata.nextLink'];
    return {
      items: page.value.map((item) => toUser(parse(userSchema, item, 'user'))),
      ...(next ? { continuationToken: Buffer.from(this.relative(next)).toString('base64url') } : {}),
    };
  }

  async getUser(tenantId: string, userId: string): Promise<DirectoryUser> {
    const body = await this.send(tenantId, {
      method: 'get',
      path: `/users/${encodeURIComponent(userId)}?$select=${USER_SELECT}`,
      context: { notFound: () => userNotFound(userId) },
    });
    return toUser(parse(userSchema, body, 'user'));
  }

  async existingUserPrincipalNames(tenantId: string, userPrincipalNames: string[]): Promise<string[]> {
    const unique = [...new Set(userPrincipalNames.map((u) => u.toLowerCase()))];
    const found: string[] = [];
    for (let at = 0; at < unique.length; at += FILTER_IN_LIMIT) {
      const chunk = unique.slice(at, at + FILTER_IN_LIMIT);
      const filter = `userPrincipalName in (${chunk.map((u) => `'${u.replace(/'/g, "''")}'`).join(',')})`;
      const users = await this.all(
        tenantId,
        `/users?$select=id,userPrincipalName&$top=${FILTER_IN_LIMIT}&$filter=${encodeURIComponent(filter)}`,
      );
      found.push(
        ...users.map(
          (item) => parse(userSchema.pick({ id: true, userPrincipalName: true }), item, 'user').userPrincipalName,
        ),
      );
    }
    return found;
  }

  async createUser(tenantId: string, user: NewDirectoryUser): Promise<DirectoryUser> {
    const body = await this.send(tenantId, {
      method: 'post',
      path: '/users',
      body: {
        accountEnabled: true,
        displayName: user.displayName,
        mailNickname: user.mailNickname,
        userPrincipalName: user.userPrincipalName,
        ...(user.usageLocation ? { usageLocation: user.usageLocation } : {}),
        passwordProfile: { forceChangePasswordNextSignIn: true, password: user.password },
      },
      // A retried creation after a lost answer could create the user twice (or fail as a duplicate).
      retryServerErrors: false,
      context: { userPrincipalName: user.userPrincipalName },
    });
    // Graph answers a creation with the user's default properties only: the usage location is the one sent.
    const created = toUser(parse(userSchema, body, 'user'));
    return {
      ...created,
      ...(created.usageLocation || !user.usageLocation ? {} : { usageLocation: user.usageLocation }),
    };
  }

  /** `PATCH /users/{id}` with the properties to change (`null` clears one); Graph answers 204 No Content. */
  async updateUser(tenantId: string, userId: string, update: DirectoryUserUpdate): Promise<void> {
    const body = Object.fromEntries(Object.entries(update).filter(([, value]) => value !== undefined));
    if (!Object.keys(body).length) return;
    await this.send(tenantId, {
      method: 'patch',
      path: `/users/${encodeURIComponent(userId)}`,
      body,
      context: { notFound: () => userNotFound(userId), userId },
    });
  }

  async subscribedSkus(tenantId: string, options?: { quick?: boolean }): Promise<SubscribedSku[]> {
    return (await this.all(tenantId, '/subscribedSkus', options?.quick ?? false)).map((item) =>
      toSku(parse(skuSchema, item, 'subscribed SKU')),
    );
  }

  async consumedUnits(tenantId: string, skuPartNumber: string): Promise<number> {
    const sku = (await this.subscribedSkus(tenantId)).find(
      (s) => s.skuPartNumber.toLowerCase() === skuPartNumber.toLowerCase(),
    );
    return sku?.consumedUnits ?? 0;
  }

  async assignLicenses(tenantId: string, userId: string, change: LicenseChange): Promise<void> {
    await this.send(tenantId, {
      method: 'post',
      path: `/users/${encodeURIComponent(userId)}/assignLicense`,
      body: assignLicenseBody(change),
      context: { notFound: () => userNotFound(userId), userId, change },
    });
  }

  async licenseStates(tenantId: string, userId: string): Promise<LicenseAssignmentState[]> {
    const body = await this.send(tenantId, {
      method: 'get',
      path: `/users/${encodeURIComponent(userId)}?$select=licenseAssignmentStates`,
      context: { notFound: () => userNotFound(userId) },
    });
    return toStates(parse(userSchema.pick({ licenseAssignmentStates: true }), body, 'user').licenseAssignmentStates);
  }

  async listGroups(tenantId: string): Promise<DirectoryGroup[]> {
    return (await this.all(tenantId, '/groups?$select=id,displayName,assignedLicenses&$top=999')).map((item) =>
      toGroup(parse(groupSchema, item, 'group')),
    );
  }

  async assignGroupLicenses(tenantId: string, groupId: string, change: LicenseChange): Promise<DirectoryGroup> {
    const body = await this.send(tenantId, {
      method: 'post',
      path: `/groups/${encodeURIComponent(groupId)}/assignLicense`,
      body: assignLicenseBody(change),
      context: { notFound: () => groupNotFound(groupId), change },
    });
    // Graph answers 202 Accepted with a short group (id, createdDateTime, securityEnabled: group-assignlicense,
    // "Response"): the group is read again unless the answer carries its name and licenses.
    const group = fullGroupSchema.safeParse(body);
    if (group.success) return toGroup(group.data);
    const read = await this.send(tenantId, {
      method: 'get',
      path: `/groups/${encodeURIComponent(groupId)}?$select=id,displayName,assignedLicenses`,
      context: { notFound: () => groupNotFound(groupId) },
    });
    return toGroup(parse(groupSchema, read, 'group'));
  }

  /**
   * Consent as Entra ID sees it: without a service principal of the app in the tenant (never consented), no token
   * is issued; otherwise the token's `roles` are the application permissions granted. A fresh token, so that a
   * consent just given shows at once.
   */
  async consentStatus(tenantId: string): Promise<ConsentStatus> {
    let token: string;
    try {
      token = await this.deps.getToken(tenantId, { fresh: true });
    } catch (error) {
      const mapped = tokenError(error);
      if (mapped.code === 'DIRECTORY.CONSENT_REQUIRED')
        return { granted: false, grantedPermissions: [], missingPermissions: [...requiredGraphPermissions] };
      throw mapped;
    }
    const granted = rolesOf(token);
    const missing = requiredGraphPermissions.filter((p) => !granted.includes(p));
    return { granted: missing.length === 0, grantedPermissions: granted, missingPermissions: missing };
  }

  async globalAdmins(tenantId: string): Promise<DirectoryAdmin[]> {
    let members: unknown[];
    try {
      members = await this.all(
        tenantId,
        `/directoryRoles(roleTemplateId='${GLOBAL_ADMIN_ROLE_TEMPLATE}')/members?$select=id,displayName,userPrincipalName,mail`,
      );
    } catch (error) {
      // The role object exists only once activated; a tenant without it has no one to ask.
      if (error instanceof AppError && error.code === 'DIRECTORY.NOT_FOUND') return [];
      throw error;
    }
    return members
      .map((item) => parse(memberSchema, item, 'directory role member'))
      .filter((m) => m.userPrincipalName && (!m['@odata.type'] || m['@odata.type'] === '#microsoft.graph.user'))
      .map((m) => ({
        id: m.id,
        displayName: m.displayName ?? m.userPrincipalName ?? m.id,
        userPrincipalName: m.userPrincipalName ?? '',
        ...(m.mail ? { mail: m.mail } : {}),
      }));
  }

  // ---- calls ----

  /** A collection, following `@odata.nextLink` to its end. */
  private async all(tenantId: string, path: string, quick = false): Promise<unknown[]> {
    const items: unknown[] = [];
    let next: string | undefined = path;
    while (next) {
      const page: z.output<typeof collectionSchema> = parse(
        collectionSchema,
        await this.send(tenantId, { method: 'get', path: next, quick }),
        'collection',
      );
      items.push(...page.value);
      const link = page['@odata.nextLink'];
      next = link ? this.relative(link) : undefined;
    }
    return items;
  }

  /** A next link as a path under the version, refusing a link to any other host. */
  private relative(link: string): string {
    const url = new URL(link, this.base);
    const prefix = `${this.base.pathname.replace(/\/$/, '')}/${VERSION}/`;
    if (url.origin !== this.base.origin || !url.pathname.startsWith(prefix))
      throw directoryBadAnswer(`a next link off the configured host, ${url.origin}`);
    return `/${url.pathname.slice(prefix.length)}${url.search}`;
  }

  private async send(tenantId: string, request: Request): Promise<unknown> {
    const client = await this.client(tenantId);
    // The token first: its failures (no consent, bad secret) read better here than through the client.
    try {
      await this.deps.getToken(tenantId);
    } catch (error) {
      throw tokenError(error);
    }
    let call = client
      .api(request.path)
      .middlewareOptions([new CallOptions(request.retryServerErrors ?? true, request.quick ?? false)]);
    for (const [name, value] of Object.entries(request.headers ?? {})) call = call.header(name, value);
    try {
      if (request.method === 'patch') return await call.patch(request.body ?? {});
      return request.method === 'get' ? await call.get() : await call.post(request.body ?? {});
    } catch (error) {
      throw fromGraphError(error, request.context ?? {});
    }
  }

  private client(tenantId: string): Promise<Client> {
    let client = this.clients.get(tenantId);
    if (!client) {
      client = import('@microsoft/microsoft-graph-client').then(
        ({ Client: GraphClient, AuthenticationHandler, GraphClientError }) =>
          GraphClient.initWithMiddleware({
            baseUrl: this.base.toString(),
            defaultVersion: VERSION,
            // The client sends the token (and follows next links) only to Graph's own hosts and these.
            customHosts: new Set([this.base.hostname]),
            middleware: [
              new AuthenticationHandler({ getAccessToken: () => this.deps.getToken(tenantId) }),
              new Transport(this.config, this.deps, GraphClientError),
            ],
          }),
      );
      client.catch(() => this.clients.delete(tenantId));
      this.clients.set(tenantId, client);
    }
    return client;
  }
}

// ---- mapping ----

function toUser(u: z.output<typeof userSchema>): DirectoryUser {
  const profile: Record<string, unknown> = {};
  for (const key of PROFILE_PROPERTIES) {
    const value = (u as Record<string, unknown>)[key];
    if (typeof value === 'string' && value) profile[key] = value;
    else if (Array.isArray(value) && value.length) profile[key] = value;
  }
  return {
    ...profile,
    id: u.id,
    displayName: u.displayName ?? u.userPrincipalName,
    userPrincipalName: u.userPrincipalName,
    ...(u.mail ? { mail: u.mail } : {}),
    ...(u.usageLocation ? { usageLocation: u.usageLocation } : {}),
    accountEnabled: u.accountEnabled ?? true,
    assignedLicenses: (u.assignedLicenses ?? []).map((l) => ({ skuId: l.skuId, disabledPlans: l.disabledPlans ?? [] })),
    licenseAssignmentStates: toStates(u.licenseAssignmentStates),
  };
}

function toStates(states: z.output<typeof userSchema>['licenseAssignmentStates']): LicenseAssignmentState[] {
  return (states ?? []).map((s) => ({
    skuId: s.skuId,
    ...(s.assignedByGroup ? { assignedByGroup: s.assignedByGroup } : {}),
    state: s.state ?? 'Active',
    error: s.error ?? 'None',
  }));
}

function toSku(s: z.output<typeof skuSchema>): SubscribedSku {
  return {
    skuId: s.skuId,
    skuPartNumber: s.skuPartNumber,
    capabilityStatus: s.capabilityStatus ?? 'Enabled',
    prepaidUnits: {
      enabled: s.prepaidUnits?.enabled ?? 0,
      suspended: s.prepaidUnits?.suspended ?? 0,
      warning: s.prepaidUnits?.warning ?? 0,
      lockedOut: s.prepaidUnits?.lockedOut ?? 0,
    },
    consumedUnits: s.consumedUnits ?? 0,
  };
}

const toGroup = (g: z.output<typeof groupSchema>): DirectoryGroup => ({
  id: g.id,
  displayName: g.displayName ?? g.id,
  assignedLicenses: (g.assignedLicenses ?? []).map((l) => ({ skuId: l.skuId, disabledPlans: l.disabledPlans ?? [] })),
});

/** Graph's assignLicense body: both lists always present (Graph refuses a request without either). */
const assignLicenseBody = (change: LicenseChange) => ({
  addLicenses: change.add.map((skuId) => ({ skuId, disabledPlans: [] })),
  removeLicenses: change.remove,
});

/** `$search` over the three properties Graph tokenizes for people search, the text as one quoted phrase each. */
function searchExpression(text: string): string {
  const phrase = text.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  return ['displayName', 'userPrincipalName', 'mail'].map((property) => `"${property}:${phrase}"`).join(' OR ');
}

/** A continuation token is a next link's path under the version, opaque to clients and checked when it returns. */
function decodeContinuation(token: string): string {
  const path = Buffer.from(token, 'base64url').toString('utf8');
  if (!/^\/users\?[^#\s]*$/.test(path) || path.includes('..')) {
    throw validation('The continuation token is not valid.', [
      { path: 'query.continuationToken', message: 'not a token returned by this API' },
    ]);
  }
  return path;
}

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** Graph's refusals in the port's words. */
function fromGraphError(error: unknown, context: ErrorContext): Error {
  const wrapped = (error as { customError?: unknown } | null)?.customError;
  if (wrapped instanceof AppError) return wrapped;
  if (error instanceof AppError) return error;
  const parsed = graphErrorSchema.safeParse(error);
  if (!parsed.success || parsed.data.statusCode < 400) {
    return directoryUnavailable(error instanceof Error && error.name === 'TimeoutError' ? 'timeout' : 'no answer');
  }
  const { statusCode: status } = parsed.data;
  const code = parsed.data.code ?? '';
  const message = parsed.data.message ?? '';
  const skuId = message.match(GUID)?.[0];
  if (status === 401) {
    return directoryUnavailable(
      "Microsoft Graph refused the app's token (HTTP 401); check GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET",
    );
  }
  if (status === 403) return consentRequired([]);
  if (status === 404)
    return context.notFound?.() ?? notFound('DIRECTORY.NOT_FOUND', message || 'Microsoft Graph found no such object.');
  if (code === 'CountViolation' || /does not have any available licenses|CountViolation/i.test(message))
    return countViolation(skuId ?? context.change?.add[0] ?? 'unknown');
  if (/usage ?location/i.test(message) && /license/i.test(message)) return usageLocationRequired(context.userId);
  if (/inherited from a group/i.test(message)) return licenseInherited(skuId, []);
  if (/does not correspond to a valid company license|invalid value specified for property 'skuId'/i.test(message))
    return skuNotInTenant(skuId ?? 'unknown');
  if (/does not have a corresponding license/i.test(message)) return licenseNotAssigned(skuId);
  if (/already exists/i.test(message) && /userPrincipalName/i.test(message))
    return userExists(context.userPrincipalName);
  if (status === 400 || status === 409 || status === 422)
    return directoryRefused(
      code || String(status),
      message || `Microsoft Graph refused the request (HTTP ${status}).`,
      { httpStatus: status },
    );
  return directoryUnavailable(`HTTP ${status}`);
}

/** Entra ID's refusals to issue a token for the tenant. */
function tokenError(error: unknown): AppError {
  const text = error instanceof Error ? error.message : String(error);
  // AADSTS700016: app not found in the directory; 7000229: no service principal; 65001: no consent.
  if (/AADSTS(700016|7000229|65001)\b/.test(text)) return consentRequired([...requiredGraphPermissions]);
  if (/AADSTS(90002|900023)\b/.test(text))
    return new AppError(
      'NotFound',
      'DIRECTORY.TENANT_NOT_FOUND',
      "Entra ID does not know the customer's tenant; check its tenant id.",
    );
  return directoryUnavailable("no Graph token for the partner's app; check GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET");
}

/** The application permissions in an access token (its payload is read, not verified: Entra ID just issued it). */
function rolesOf(token: string): string[] {
  try {
    const payload: unknown = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    return tokenPayloadSchema.parse(payload).roles ?? [];
  } catch {
    return [];
  }
}

function parse<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(body)'))].slice(0, 5);
    throw directoryBadAnswer(`a ${what} without the documented ${fields.join(', ')}`);
  }
  return parsed.data;
}
