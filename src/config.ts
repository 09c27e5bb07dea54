import { z } from 'zod';

/**
 * Every setting the app reads, in one schema. `loadConfig` parses the environment once at start-up and
 * fails with one message naming every missing or bad setting. The keys are the app settings in
 * `local.settings.example.json` and in `infra/` (a test keeps the three in step).
 */

const csv = z.string().transform((s) =>
  s
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0),
);

const guid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a GUID');

const positiveInt = z.coerce.number().int().positive();

export const configSchema = z
  .object({
    /** `local`: keys generated into DATA_DIR; `entra`: Entra ID keys; `easyauth`: App Service authentication header. */
    AUTH_MODE: z.enum(['local', 'entra', 'easyauth']),
    /** Expected `aud` of access tokens (the API's application ID URI or client id). */
    AUTH_AUDIENCE: z.string().min(1),
    /** Issuer rule; `{tenantid}` stands for the token's `tid` claim. */
    AUTH_ISSUER: z.string().min(1),
    /** Tenants whose users may sign in: `*` for any (multi-tenant), or a comma-separated list of tenant ids. */
    AUTH_ALLOWED_TENANTS: z.string().min(1),
    /** Entra ID key set; only read in `entra` mode. */
    AUTH_JWKS_URI: z.url().default('https://login.microsoftonline.com/common/discovery/v2.0/keys'),
    AUTH_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(600).default(60),
    /** The partner's own Entra tenant: only its tokens may carry the partner-admin app role. */
    PARTNER_TENANT_ID: guid,
    /** Object ids (in the partner tenant) of partner admins, besides holders of PARTNER_ADMIN_APP_ROLE. */
    PARTNER_ADMIN_OBJECT_IDS: csv.pipe(z.array(guid)).default([]),
    PARTNER_ADMIN_APP_ROLE: z.string().min(1).default('PartnerAdmin'),
    /** Azurite or an account connection string; when empty, the account URLs with a managed identity. */
    STORAGE_CONNECTION_STRING: z.string().default(''),
    STORAGE_TABLE_URL: z.string().default(''),
    STORAGE_BLOB_URL: z.string().default(''),
    /** Client id of the user-assigned managed identity used for storage and Microsoft APIs (Azure only). */
    AZURE_CLIENT_ID: z.string().default(''),
    /** Prefix of every table and container name: lets several deployments (or test runs) share an account. */
    STORAGE_NAME_PREFIX: z
      .string()
      .regex(/^([a-z][a-z0-9]{0,15})?$/, 'lowercase letters and digits, starting with a letter, at most 16')
      .default(''),
    /** Where the local host keeps Azurite data, the local signing key and sent mail. */
    DATA_DIR: z.string().min(1).default('.data'),
    MAX_BODY_BYTES: positiveInt.max(10 * 1024 * 1024).default(256 * 1024),
    /** Seconds a principal's roles (and customer settings on hot paths) are cached in memory after a read. */
    ROLE_CACHE_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
    /** `simulator` (local default: Microsoft's rules on Table Storage) or `partnerCenter` (the real REST API). */
    COMMERCE_MODE: z.enum(['simulator', 'partnerCenter']).default('simulator'),
    /** Hours after seats are added during which they may be removed with a refund (Microsoft: 168 since 2022). */
    NCE_WINDOW_HOURS: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 30)
      .default(168),
    PARTNER_CENTER_BASE_URL: z.url().default('https://api.partnercenter.microsoft.com'),
    /** The partner's Entra app for Partner Center (app-only), used when COMMERCE_MODE is `partnerCenter`. */
    PARTNER_CENTER_CLIENT_ID: z.string().default(''),
    /** Its secret; in Azure a Key Vault reference (`@Microsoft.KeyVault(SecretUri=…)`), never a literal. */
    PARTNER_CENTER_CLIENT_SECRET: z.string().default(''),
    PARTNER_CENTER_TIMEOUT_MS: z.coerce.number().int().min(1000).max(120_000).default(30_000),
    /** Retries of a 429 or 5xx answer (honouring Retry-After) before the call fails. */
    PARTNER_CENTER_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(4),
    /** Share of simulator calls answered like a Partner Center 429, to rehearse throttling locally. */
    SIMULATOR_THROTTLE_PERCENT: z.coerce.number().min(0).max(100).default(0),
    /** `inProcess` (local host and tests) or `serviceBus` (Azure): how future changes are triggered. */
    QUEUE_MODE: z.enum(['inProcess', 'serviceBus']).default('inProcess'),
    /** Service Bus namespace host name (`name.servicebus.windows.net`), used with the managed identity. */
    SERVICEBUS_NAMESPACE: z.string().default(''),
    /** Deliveries of a change's message before the change is marked failed (the queue's max delivery count). */
    CHANGE_MAX_DELIVERIES: z.coerce.number().int().min(1).max(100).default(10),
    /** Seconds an applier holds a change; after that a crashed application is taken over by the sweep. */
    APPLY_LEASE_SECONDS: z.coerce.number().int().min(10).max(3600).default(300),
    /** Where the partner is told about failed changes and finished billing runs. */
    PARTNER_NOTIFY_EMAIL: z.string().default('operations@partner.example'),
    /** The partner's name as the reports show it (with its logo, when one is set). */
    PARTNER_NAME: z.string().trim().min(1).max(200).default('Your CSP partner'),
    /** ConnectWise Manage site root for PSA export (e.g. https://api-na.myconnectwise.net); empty when not used. */
    CONNECTWISE_BASE_URL: z.union([z.literal(''), z.url({ protocol: /^https?$/ })]).default(''),
    /** The ConnectWise company id the API member signs in to. */
    CONNECTWISE_COMPANY_ID: z.string().default(''),
    /** The API member's public key. */
    CONNECTWISE_PUBLIC_KEY: z.string().default(''),
    /** The API member's private key; in Azure a Key Vault reference, never a literal. */
    CONNECTWISE_PRIVATE_KEY: z.string().default(''),
    /** The integrator's clientId from ConnectWise's developer portal (sent as the `clientId` header). */
    CONNECTWISE_CLIENT_ID: z.string().default(''),
    /** Minutes a report download link (a read-only SAS to one file) stays valid. */
    REPORT_SAS_MINUTES: z.coerce.number().int().min(1).max(60).default(10),
    /** Base URL of the portal web app; invitation links are `{PORTAL_BASE_URL}/invitations/{token}`. */
    PORTAL_BASE_URL: z.url({ protocol: /^https?$/ }).default('http://localhost:7071'),
    /** The portal's MSAL authority (its /config.json in AUTH_MODE=entra): Entra ID's, or a tenant's own. */
    PORTAL_AUTHORITY: z.url({ protocol: /^https$/ }).default('https://login.microsoftonline.com/organizations'),
    /** Host names MSAL may trust as authorities besides Microsoft's (a B2C/CIAM domain, or a test's identity provider). */
    PORTAL_KNOWN_AUTHORITIES: csv.default([]),
    /** Hours an invitation link stays valid after it is sent. */
    INVITATION_TTL_HOURS: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 30)
      .default(168),
    /** `folder`: mail written under DATA_DIR/mail (local); `graph`: sent with Microsoft Graph sendMail from MAIL_SENDER. */
    MAIL_MODE: z.enum(['folder', 'graph']).default('folder'),
    /** The partner mailbox (address or object id) mail is sent from when MAIL_MODE is `graph`. */
    MAIL_SENDER: z.string().default(''),
    /** The partner's Entra app for Microsoft Graph (app-only; Mail.Send for MAIL_MODE `graph`). */
    GRAPH_CLIENT_ID: z.string().default(''),
    /** Its secret; in Azure a Key Vault reference (`@Microsoft.KeyVault(SecretUri=…)`), never a literal. */
    GRAPH_CLIENT_SECRET: z.string().default(''),
    /** Microsoft Graph's root (a national cloud's, or a local fake's); its host is the only one the Graph client sends tokens to. */
    GRAPH_BASE_URL: z.url({ protocol: /^https$/ }).default('https://graph.microsoft.com'),
    GRAPH_TIMEOUT_MS: z.coerce.number().int().min(1000).max(120_000).default(30_000),
    /** Retries of a Graph 429 or 5xx answer (honouring Retry-After) before the call fails. */
    GRAPH_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(3),
    /** Currency of Microsoft's partner billing usage export (`currencyCode`), when COMMERCE_MODE is `partnerCenter`. */
    USAGE_EXPORT_CURRENCY: z
      .string()
      .regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as USD')
      .default('USD'),
    /**
     * The partner's names for SKU part numbers, as a JSON object (`{"SPB":"Business Premium"}`); they win over the
     * catalog's product names and the shipped list (src/domain/sku-names.ts).
     */
    SKU_NAME_OVERRIDES: z
      .string()
      .default('{}')
      .transform((text, ctx) => {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          ctx.addIssue({ code: 'custom', message: 'must be a JSON object such as {"SPB":"Business Premium"}' });
          return z.NEVER;
        }
      })
      .pipe(
        z.record(
          z.string().regex(/^[A-Za-z0-9_]{1,64}$/, 'a SKU part number such as SPB'),
          z.string().trim().min(1).max(200),
        ),
      ),
    /** Browser origins allowed to call the API (CORS), comma-separated; empty when the platform answers CORS (Azure). */
    CORS_ORIGINS: csv.default([]),
    /** Writes (non-GET requests) one signed-in identity may make per minute in one instance; 0 turns the limit off. */
    RATE_LIMIT_WRITES_PER_MINUTE: z.coerce.number().int().min(0).max(100_000).default(120),
    /** The support assistant's retrieval: `embedded` (MiniSearch, its index in Blob) or `azureSearch` (Azure AI Search). */
    ASSISTANT_SEARCH_MODE: z.enum(['embedded', 'azureSearch']).default('embedded'),
    /** Azure AI Search service (`https://name.search.windows.net`), used with the managed identity when ASSISTANT_SEARCH_MODE is `azureSearch`. */
    AZURE_SEARCH_ENDPOINT: z.union([z.literal(''), z.url({ protocol: /^https?$/ })]).default(''),
    /** Its index of knowledge passages (created or updated by the app). */
    AZURE_SEARCH_INDEX: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{1,127}$/, 'lowercase letters, digits and dashes')
      .default('knowledge'),
    /** Azure OpenAI resource (`https://name.openai.azure.com`); with a deployment, answers are generated from the passages. */
    AZURE_OPENAI_ENDPOINT: z.union([z.literal(''), z.url({ protocol: /^https?$/ })]).default(''),
    /** The chat model deployment's name; empty: extractive answers. */
    AZURE_OPENAI_DEPLOYMENT: z.string().default(''),
    AZURE_OPENAI_API_VERSION: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}(-preview)?$/, 'an API version such as 2024-10-21')
      .default('2024-10-21'),
    /** Hours an assistant conversation is kept after its last message, for follow-up questions. */
    ASSISTANT_CONVERSATION_HOURS: z.coerce.number().int().min(1).max(720).default(24),
    /** Questions one signed-in identity may ask the assistant per minute in one instance; 0 turns the limit off. */
    ASSISTANT_MESSAGES_PER_MINUTE: z.coerce.number().int().min(0).max(10_000).default(20),
    /** Application Insights; when empty, no telemetry is sent. */
    APPLICATIONINSIGHTS_CONNECTION_STRING: z.string().default(''),
  })
  .superRefine((c, ctx) => {
    if (!c.STORAGE_CONNECTION_STRING && (!c.STORAGE_TABLE_URL || !c.STORAGE_BLOB_URL)) {
      ctx.addIssue({
        code: 'custom',
        path: ['STORAGE_CONNECTION_STRING'],
        message: 'set STORAGE_CONNECTION_STRING, or both STORAGE_TABLE_URL and STORAGE_BLOB_URL',
      });
    }
    if (c.COMMERCE_MODE === 'partnerCenter') {
      for (const key of ['PARTNER_CENTER_CLIENT_ID', 'PARTNER_CENTER_CLIENT_SECRET'] as const) {
        if (!c[key])
          ctx.addIssue({ code: 'custom', path: [key], message: 'required when COMMERCE_MODE is partnerCenter' });
      }
    }
    if (c.COMMERCE_MODE === 'partnerCenter') {
      // The customers' directories (users and licenses) are then read through Microsoft Graph.
      for (const key of ['GRAPH_CLIENT_ID', 'GRAPH_CLIENT_SECRET'] as const) {
        if (!c[key])
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: 'required when COMMERCE_MODE is partnerCenter (users and licenses go through Microsoft Graph)',
          });
      }
    }
    if (c.ASSISTANT_SEARCH_MODE === 'azureSearch' && !c.AZURE_SEARCH_ENDPOINT) {
      ctx.addIssue({
        code: 'custom',
        path: ['AZURE_SEARCH_ENDPOINT'],
        message: 'required when ASSISTANT_SEARCH_MODE is azureSearch',
      });
    }
    if (Boolean(c.AZURE_OPENAI_ENDPOINT) !== Boolean(c.AZURE_OPENAI_DEPLOYMENT)) {
      ctx.addIssue({
        code: 'custom',
        path: [c.AZURE_OPENAI_ENDPOINT ? 'AZURE_OPENAI_DEPLOYMENT' : 'AZURE_OPENAI_ENDPOINT'],
        message: 'set both AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_DEPLOYMENT, or neither',
      });
    }
    if (c.QUEUE_MODE === 'serviceBus' && !c.SERVICEBUS_NAMESPACE) {
      ctx.addIssue({
        code: 'custom',
        path: ['SERVICEBUS_NAMESPACE'],
        message: 'required when QUEUE_MODE is serviceBus',
      });
    }
    if (c.MAIL_MODE === 'graph') {
      for (const key of ['MAIL_SENDER', 'GRAPH_CLIENT_ID', 'GRAPH_CLIENT_SECRET'] as const) {
        if (!c[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'required when MAIL_MODE is graph' });
      }
    }
    if (
      c.AUTH_ALLOWED_TENANTS !== '*' &&
      !c.AUTH_ALLOWED_TENANTS.split(',').every((t) => guid.safeParse(t.trim()).success)
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['AUTH_ALLOWED_TENANTS'],
        message: "'*' or a comma-separated list of tenant GUIDs",
      });
    }
  });

export type Config = z.infer<typeof configSchema>;
export const configKeys = Object.keys(configSchema.shape) as (keyof Config)[];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; unknown variables are ignored, empty strings count as unset. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const input: Record<string, string> = {};
  for (const key of configKeys) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(config)'}: ${issue.message}`),
    );
  }
  return parsed.data;
}
