import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { createInterface } from 'node:readline';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { z } from 'zod';
import { AppError } from '../../app/errors.ts';
import type { Clock } from '../../app/ports/clock.port.ts';
import type { UsageSource } from '../../app/ports/usage.port.ts';
import type { Config } from '../../config.ts';
import type { UsageRecord } from '../../domain/billing.ts';
import { utcDate } from '../../domain/calendar.ts';
import { dec, type Dec } from '../../domain/money.ts';
import { usageSubscriptionIdSchema, UsageTally } from '../../domain/usage.ts';
import {
  bearer,
  clientSecretTokens,
  httpDependencies,
  jsonOrUndefined,
  parseRetryAfter,
  retryingFetch,
  type HttpDependencies,
} from '../http/retrying-fetch.ts';

/**
 * Rated daily Azure usage from Microsoft Graph's partner billing reconciliation export (v1.0, asynchronous):
 * `POST /reports/partners/billing/usage/unbilled/export` (or `…/billed/export` for an invoice) answers 202 with
 * the operation's `Location`; the operation is polled (honouring Retry-After, bounded) until it succeeds, and its
 * manifest lists gzip'd JSON-lines blobs, read from `{rootDirectory}/{name}?{sasToken}` (the SAS token is their
 * only credential: the bearer token only ever goes to the Graph host). Rows are per resource; they are summed per
 * customer, subscription, meter and day. Rows of tenants that are no customer of the portal are skipped.
 * Graph's 429s honour Retry-After, 5xx and timeouts back off with jitter, both bounded by GRAPH_MAX_RETRIES and a
 * total wait; then USAGE.SOURCE_THROTTLED / USAGE.SOURCE_UNAVAILABLE. A failed export is USAGE.EXPORT_FAILED.
 */
export type GraphUsageConfig = Pick<
  Config,
  | 'GRAPH_BASE_URL'
  | 'GRAPH_CLIENT_ID'
  | 'GRAPH_CLIENT_SECRET'
  | 'GRAPH_TIMEOUT_MS'
  | 'GRAPH_MAX_RETRIES'
  | 'PARTNER_TENANT_ID'
  | 'USAGE_EXPORT_CURRENCY'
>;

export type UsageLog = (level: 'info' | 'warn' | 'error', message: string, data?: Record<string, unknown>) => void;

export interface GraphUsageOptions extends Partial<HttpDependencies> {
  /** Microsoft tenant id (lower case) → the portal's customer id, for every customer with a tenant. */
  customersByTenant: () => Promise<ReadonlyMap<string, string>>;
  clock: Clock;
  /** An app-only Graph token of the partner tenant; by default from ClientSecretCredential. */
  getToken?: () => Promise<string>;
  log?: UsageLog;
  /** Wait between polls when the operation sends no Retry-After. */
  pollIntervalMs?: number;
  /** Longest total wait for an export to finish. */
  maxPollMs?: number;
}

export interface GraphUsageSource extends UsageSource {
  /** The billed daily usage of one invoice (every day it covers). */
  pullInvoice(invoiceId: string): AsyncIterable<UsageRecord>;
  /** The raw rows of any billing export under `/reports/partners/billing` (e.g. `/reconciliation/billed/export`). */
  exportRows(path: string, body: Record<string, string>): AsyncIterable<{ row: unknown; blob: string; line: number }>;
}

const SOURCE = 'graph';
const VERSION = 'v1.0';
const BILLING = `/${VERSION}/reports/partners/billing`;
const MAX_TOTAL_WAIT_MS = 60_000;
const DEFAULT_POLL_MS = 15_000;
const DEFAULT_MAX_POLL_MS = 20 * 60_000;
/** A blob is read as a stream; its download may take far longer than one API call. */
const BLOB_TIMEOUT_MS = 10 * 60_000;

export function graphUsageSource(config: GraphUsageConfig, options: GraphUsageOptions): GraphUsageSource {
  return new GraphUsage(config, options);
}

// ---- Graph's JSON, as read ----

const operationSchema = z.object({
  id: z.string().optional(),
  status: z.string(),
  error: z.object({ code: z.union([z.string(), z.number()]).nullish(), message: z.string().nullish() }).nullish(),
  resourceLocation: z.unknown().optional(),
  'resourceLocation@odata.navigationLink': z.string().optional(),
});

const manifestSchema = z.object({
  dataFormat: z.string(),
  rootDirectory: z.url(),
  sasToken: z.string(),
  blobCount: z.number().int().optional(),
  blobs: z.array(z.object({ name: z.string().min(1), partitionValue: z.string().nullish() })),
});
type Manifest = z.infer<typeof manifestSchema>;

const graphErrorSchema = z.object({ error: z.object({ code: z.string().optional(), message: z.string().optional() }) });

const decimalText = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const amount = z.union([z.number().finite(), z.string().trim().regex(decimalText)]).transform((v) => dec(v));
const optionalText = z
  .string()
  .nullish()
  .transform((v) => (v ? v : undefined));

/** A row of the export (full attribute set), after its keys are made camelCase. Unknown fields are ignored. */
const rowSchema = z.object({
  customerId: z.string().min(1),
  subscriptionId: optionalText,
  entitlementId: optionalText,
  meterId: z.string().min(1).max(256),
  meterName: optionalText,
  meterCategory: optionalText,
  unitOfMeasure: optionalText,
  unit: optionalText,
  usageDate: z.string().regex(/^\d{4}-\d{2}-\d{2}/),
  quantity: amount.nullish(),
  billableQuantity: amount.nullish(),
  unitPrice: amount.nullish(),
  pricingPreTaxTotal: amount.nullish(),
  pricingCurrency: z.string().regex(/^[A-Z]{3}$/),
});

/** Microsoft has written these keys in PascalCase and camelCase; read both. */
function camelKeys(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [key.charAt(0).toLowerCase() + key.slice(1), v]));
}

// ---- calls ----

interface Call {
  method: 'GET' | 'POST';
  url: URL;
  body?: unknown;
  /** Graph calls carry the bearer token; blob reads carry only their SAS token. */
  graph: boolean;
}

class GraphUsage implements GraphUsageSource {
  private readonly origin: string;
  private readonly getToken: () => Promise<string>;
  private readonly deps: HttpDependencies;
  private readonly log: UsageLog;

  constructor(
    private readonly config: GraphUsageConfig,
    private readonly options: GraphUsageOptions,
  ) {
    this.origin = new URL(config.GRAPH_BASE_URL).origin;
    this.getToken =
      options.getToken ??
      clientSecretTokens(
        config.PARTNER_TENANT_ID,
        config.GRAPH_CLIENT_ID,
        config.GRAPH_CLIENT_SECRET,
        `${this.origin}/.default`,
      );
    this.deps = httpDependencies(options);
    this.log = options.log ?? (() => undefined);
  }

  async *pull(from: string, to: string): AsyncGenerator<UsageRecord> {
    if (from >= to) return;
    // Unbilled usage covers the billing period in progress (`current`, the calendar month) and the one before (`last`).
    const currentStart = utcDate(this.options.clock.now()).with({ day: 1 });
    const lastStart = currentStart.subtract({ months: 1 }).toString();
    const periods: ('last' | 'current')[] = [];
    if (from < currentStart.toString()) periods.push('last');
    if (to > currentStart.toString()) periods.push('current');
    if (from < lastStart)
      this.log('warn', 'usage before the last billing period is billed: pull it by invoice', { from, lastStart });
    const tally = new UsageTally();
    const customers = await this.options.customersByTenant();
    for (const billingPeriod of periods) {
      const manifest = await this.export(`${BILLING}/usage/unbilled/export`, {
        currencyCode: this.config.USAGE_EXPORT_CURRENCY,
        billingPeriod,
        attributeSet: 'full',
      });
      await this.collect(manifest, customers, tally, (day) => day >= from && day < to);
    }
    yield* tally.records();
  }

  async *pullInvoice(invoiceId: string): AsyncGenerator<UsageRecord> {
    const tally = new UsageTally();
    const customers = await this.options.customersByTenant();
    const manifest = await this.export(`${BILLING}/usage/billed/export`, { invoiceId, attributeSet: 'full' });
    await this.collect(manifest, customers, tally, () => true);
    yield* tally.records();
  }

  /** Starts an export and waits for its manifest. */
  private async export(path: string, body: Record<string, string>): Promise<Manifest> {
    const started = await this.send({ method: 'POST', url: new URL(path, this.origin), body, graph: true });
    await started.body?.cancel();
    const location = started.headers.get('location');
    if (started.status !== 202 || !location)
      throw unavailable(`the export answered HTTP ${started.status} without an operation to follow`);
    const operationUrl = this.graphUrl(location);

    let waitedMs = 0;
    for (;;) {
      const answer = await this.send({ method: 'GET', url: operationUrl, graph: true });
      const operation = parse(operationSchema, await answer.json(), 'operation');
      const status = operation.status.toLowerCase();
      if (status === 'succeeded' || status === 'completed') return this.manifestOf(operation);
      if (status === 'failed') {
        const reason = operation.error?.message ?? 'no reason given';
        throw new AppError('Unavailable', 'USAGE.EXPORT_FAILED', `Microsoft’s usage export failed: ${reason}.`, {
          ...(operation.error?.code ? { microsoftCode: String(operation.error.code) } : {}),
          retryAfterSeconds: 3600,
        });
      }
      const delayMs =
        parseRetryAfter(answer.headers.get('retry-after')) ?? this.options.pollIntervalMs ?? DEFAULT_POLL_MS;
      if (waitedMs + delayMs > (this.options.maxPollMs ?? DEFAULT_MAX_POLL_MS)) {
        throw new AppError(
          'Unavailable',
          'USAGE.EXPORT_TIMEOUT',
          `Microsoft’s usage export did not finish within ${Math.round(waitedMs / 1000)} s.`,
          { retryAfterSeconds: 600 },
        );
      }
      waitedMs += delayMs;
      await this.deps.sleep(delayMs);
    }
  }

  private async manifestOf(operation: z.infer<typeof operationSchema>): Promise<Manifest> {
    if (operation.resourceLocation !== undefined) return parse(manifestSchema, operation.resourceLocation, 'manifest');
    const link = operation['resourceLocation@odata.navigationLink'];
    if (!link) throw unavailable('the export succeeded without a manifest');
    const answer = await this.send({ method: 'GET', url: this.graphUrl(link), graph: true });
    return parse(manifestSchema, await answer.json(), 'manifest');
  }

  /**
   * Every row of a billing export (`path` under `/reports/partners/billing`), its keys made camelCase, with the blob
   * and line it came from; unreadable JSON is passed on as `undefined` for the caller to count.
   */
  async *exportRows(
    path: string,
    body: Record<string, string>,
  ): AsyncGenerator<{ row: unknown; blob: string; line: number }> {
    const manifest = await this.export(`${BILLING}${path}`, body);
    for await (const { text, blob, line } of this.blobLines(manifest)) {
      let row: unknown;
      try {
        row = camelKeys(JSON.parse(text));
      } catch {
        row = undefined;
      }
      yield { row, blob: blob.name, line };
    }
  }

  /** The non-empty lines of every blob of a manifest. */
  private async *blobLines(
    manifest: Manifest,
  ): AsyncGenerator<{ text: string; blob: Manifest['blobs'][number]; line: number }> {
    if (!/^compressedJSON(Lines)?$/i.test(manifest.dataFormat))
      throw unavailable(`the export’s data format ${manifest.dataFormat} is not gzip'd JSON lines`);
    const root = manifest.rootDirectory.replace(/\/+$/, '');
    const sas = manifest.sasToken.replace(/^\?/, '');
    for (const blob of manifest.blobs) {
      const url = new URL(`${root}/${blob.name.split('/').map(encodeURIComponent).join('/')}?${sas}`);
      const response = await this.send({ method: 'GET', url, graph: false });
      let line = 0;
      for await (const text of jsonLines(response)) {
        line += 1;
        if (text.trim()) yield { text, blob, line };
      }
    }
  }

  /** Reads every blob of a manifest into the tally. */
  private async collect(
    manifest: Manifest,
    customers: ReadonlyMap<string, string>,
    tally: UsageTally,
    inRange: (day: string) => boolean,
  ): Promise<void> {
    const skipped = { otherTenant: 0, unreadable: 0, currency: 0 };
    for await (const { text, blob, line } of this.blobLines(manifest)) {
      let parsed: z.infer<typeof rowSchema>;
      try {
        parsed = rowSchema.parse(camelKeys(JSON.parse(text)));
      } catch (error) {
        skipped.unreadable += 1;
        if (skipped.unreadable <= 5)
          this.log('warn', 'unreadable usage row skipped', {
            blob: blob.name,
            line,
            error: String(error).slice(0, 300),
          });
        continue;
      }
      const record = this.toRecord(parsed, customers);
      if (record === 'otherTenant') skipped.otherTenant += 1;
      else if (record === undefined) {
        skipped.unreadable += 1;
        if (skipped.unreadable <= 5)
          this.log('warn', 'usage row without subscription or cost skipped', { blob: blob.name, line });
      } else if (inRange(record.date) && !tally.add(record)) skipped.currency += 1;
    }
    if (skipped.otherTenant || skipped.unreadable || skipped.currency)
      this.log('info', 'usage export rows skipped', skipped);
  }

  private toRecord(
    row: z.infer<typeof rowSchema>,
    customers: ReadonlyMap<string, string>,
  ): (Omit<UsageRecord, 'quantity' | 'cost'> & { quantity: Dec; cost: Dec }) | 'otherTenant' | undefined {
    const customerId = customers.get(row.customerId.toLowerCase());
    if (!customerId) return 'otherTenant';
    const subscriptionId = usageSubscriptionIdSchema.safeParse(row.subscriptionId ?? row.entitlementId);
    const quantity = row.quantity ?? row.billableQuantity;
    const cost = row.pricingPreTaxTotal ?? (row.unitPrice && quantity ? row.unitPrice.times(quantity) : undefined);
    const date = row.usageDate.slice(0, 10);
    if (!subscriptionId.success || !quantity || !cost || !z.iso.date().safeParse(date).success) return undefined;
    return {
      customerId,
      subscriptionId: subscriptionId.data,
      meterId: row.meterId,
      meterName: row.meterName ?? row.meterId,
      ...(row.meterCategory ? { meterCategory: row.meterCategory } : {}),
      unitOfMeasure: row.unitOfMeasure ?? row.unit ?? '',
      date,
      quantity,
      cost,
      currency: row.pricingCurrency,
      source: SOURCE,
    };
  }

  /** A URL Graph gave us (Location, navigation link): the token goes to the Graph host only. */
  private graphUrl(link: string): URL {
    const url = new URL(link, this.origin);
    if (url.origin !== this.origin)
      throw unavailable(`Graph pointed at ${url.origin}, which is not GRAPH_BASE_URL's host`);
    return url;
  }

  private async send(call: Call): Promise<Response> {
    const init = async (): Promise<RequestInit> => {
      const headers: Record<string, string> = { Accept: call.graph ? 'application/json' : '*/*' };
      if (call.graph) headers.Authorization = await bearer(this.getToken, noToken);
      if (call.body !== undefined) headers['Content-Type'] = 'application/json';
      return { method: call.method, headers, ...(call.body !== undefined ? { body: JSON.stringify(call.body) } : {}) };
    };
    const timeoutMs = call.graph ? this.config.GRAPH_TIMEOUT_MS : BLOB_TIMEOUT_MS;
    const result = await retryingFetch(
      call.url,
      init,
      { timeoutMs, maxRetries: this.config.GRAPH_MAX_RETRIES, maxTotalWaitMs: MAX_TOTAL_WAIT_MS },
      this.deps,
    );
    if (!result.ok) {
      const { retryAfterSeconds } = result;
      throw result.throttled
        ? new AppError(
            'Unavailable',
            'USAGE.SOURCE_THROTTLED',
            'Microsoft Graph is throttling the usage export; it is pulled again later.',
            { retryAfterSeconds },
          )
        : unavailable(result.timedOut ? 'no answer in time' : result.detail, retryAfterSeconds);
    }
    const { response } = result;
    const { status } = response;
    if (status >= 200 && status < 300) return response;
    const error = graphErrorSchema.safeParse(jsonOrUndefined(await response.text().catch(() => ''))).data?.error;
    if (call.graph && (status === 401 || status === 403)) {
      throw unavailable(
        `Graph refused the partner's app (HTTP ${status}); it needs the application permission PartnerBilling.Read.All with admin consent`,
      );
    }
    throw unavailable(
      `${call.graph ? 'Graph' : 'the export blob'} answered HTTP ${status}${error?.message ? `: ${error.message}` : ''}`,
    );
  }
}

/** The lines of a blob: gunzip'd when it is gzip (unless the transport already decoded it). */
async function* jsonLines(response: Response): AsyncGenerator<string> {
  if (!response.body) return;
  const chunks = Readable.fromWeb(response.body as unknown as NodeReadableStream<Uint8Array>)[
    Symbol.asyncIterator
  ]() as AsyncIterator<Buffer>;
  const first = await chunks.next();
  if (first.done) return;
  const gzip = first.value.length >= 2 && first.value[0] === 0x1f && first.value[1] === 0x8b;
  const rest = async function* () {
    yield first.value;
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value;
  };
  const stream = Readable.from(rest());
  const lines = createInterface({ input: gzip ? stream.pipe(createGunzip()) : stream, crlfDelay: Infinity });
  try {
    yield* lines;
  } finally {
    lines.close();
    stream.destroy();
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success)
    throw unavailable(
      `Graph sent an unexpected ${what}: ${result.error.issues
        .map((i) => `${i.path.join('.')} ${i.message}`)
        .join('; ')
        .slice(0, 300)}`,
    );
  return result.data;
}

const noToken = () =>
  unavailable(
    'no Graph token for the partner tenant; check PARTNER_TENANT_ID, GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET',
  );

function unavailable(detail: string, retryAfterSeconds = 300): AppError {
  return new AppError(
    'Unavailable',
    'USAGE.SOURCE_UNAVAILABLE',
    `Azure usage could not be read from Microsoft (${detail}).`,
    { retryAfterSeconds },
  );
}
