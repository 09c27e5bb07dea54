import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';

/**
 * Microsoft Graph's partner billing export at the wire, for the Graph usage adapter's tests: the export actions
 * (202 + Location), the operation (running → succeeded with its manifest, or failed), the manifest as a navigation
 * link, and the blobs as gzip'd JSON lines behind a SAS query. It checks the bearer token on Graph calls, records
 * every request, and can answer the next requests with 429 + Retry-After or 5xx.
 */
export interface RecordedRequest {
  method: string;
  /** Path and query. */
  path: string;
  /** Lower-case names. */
  headers: Record<string, string | undefined>;
  body: unknown;
}

export interface FaultPlan {
  times: number;
  answer: 429 | 500 | 503;
  retryAfter?: string;
  path?: RegExp;
}

export type Row = Record<string, unknown>;

export interface FakeGraphBilling {
  url: string;
  token: string;
  requests: RecordedRequest[];
  /** Unbilled rows per billing period (`current`, `last`), billed rows per invoice id. */
  unbilled: Record<string, Row[]>;
  billed: Record<string, Row[]>;
  /** Billed reconciliation (license-based) rows per invoice id; an invoice absent here is refused with 400. */
  reconciliation: Record<string, Row[]>;
  /** Rows per blob (a manifest lists as many blobs as it takes). */
  rowsPerBlob: number;
  /** Polls that answer `running` before the operation completes, with this Retry-After (seconds). */
  runningPolls: number;
  pollRetryAfter: string | undefined;
  /** The next exports' operations fail with this message. */
  failOperations: string | undefined;
  /** Succeeded operations link to their manifest instead of embedding it. */
  manifestAsLink: boolean;
  failNext(plan: FaultPlan): void;
  reset(): void;
  close(): Promise<void>;
}

const BILLING = '/v1.0/reports/partners/billing';

interface Operation {
  id: string;
  rows: Row[];
  polls: number;
  failure: string | undefined;
}

export async function startFakeGraphBilling(): Promise<FakeGraphBilling> {
  const token = randomBytes(16).toString('hex');
  const sig = randomBytes(8).toString('hex');
  const operations = new Map<string, Operation>();
  const blobs = new Map<string, Buffer>();
  const manifests = new Map<string, unknown>();
  let faults: FaultPlan[] = [];

  const fake: FakeGraphBilling = {
    url: '',
    token,
    requests: [],
    unbilled: {},
    billed: {},
    reconciliation: {},
    rowsPerBlob: 1000,
    runningPolls: 0,
    pollRetryAfter: undefined,
    failOperations: undefined,
    manifestAsLink: false,
    failNext: (plan) => void faults.push({ ...plan }),
    reset() {
      fake.requests.length = 0;
      faults = [];
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  const manifest = (operation: Operation) => {
    const names: string[] = [];
    for (let i = 0; i === 0 || i * fake.rowsPerBlob < operation.rows.length; i += 1) {
      const name = `${operation.id}/part-${String(i).padStart(5, '0')}.json.gz`;
      const lines = operation.rows
        .slice(i * fake.rowsPerBlob, (i + 1) * fake.rowsPerBlob)
        .map((row) => JSON.stringify(row));
      blobs.set(name, gzipSync(Buffer.from(lines.join('\n') + '\n')));
      names.push(name);
    }
    return {
      id: randomUUID(),
      schemaVersion: '2',
      dataFormat: 'compressedJSON',
      createdDateTime: new Date().toISOString(),
      eTag: randomBytes(4).toString('hex'),
      partnerTenantId: '00000000-0000-4000-8000-00000000cafe',
      rootDirectory: `${fake.url}/blobs/`,
      sasToken: `sv=2020-10-02&st=2026-03-10T00%3A00%3A00Z&sr=c&sp=rl&sig=${sig}`,
      partitionType: 'default',
      blobCount: names.length,
      blobs: names.map((name) => ({ name, partitionValue: 'default' })),
    };
  };

  const send = (res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  };
  const graphError = (res: ServerResponse, status: number, code: string, message: string) =>
    send(res, status, { error: { code, message } });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', fake.url);
    const body = text ? (JSON.parse(text) as unknown) : undefined;
    fake.requests.push({
      method: req.method ?? '',
      path: `${url.pathname}${url.search}`,
      headers: { ...req.headers } as Record<string, string | undefined>,
      body,
    });

    const fault = faults.find((f) => f.times > 0 && (!f.path || f.path.test(url.pathname)));
    if (fault) {
      fault.times -= 1;
      return send(
        res,
        fault.answer,
        { error: { code: fault.answer === 429 ? 'TooManyRequests' : 'ServiceUnavailable', message: 'fault' } },
        fault.retryAfter ? { 'retry-after': fault.retryAfter } : {},
      );
    }

    if (url.pathname.startsWith('/blobs/')) {
      if (req.headers.authorization) return send(res, 400, { error: 'a SAS request carries no Authorization header' });
      if (url.searchParams.get('sig') !== sig) return send(res, 403, { error: 'AuthenticationFailed' });
      const blob = blobs.get(decodeURIComponent(url.pathname.slice('/blobs/'.length)));
      if (!blob) return send(res, 404, { error: 'BlobNotFound' });
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(blob.length) });
      return res.end(blob);
    }

    if (req.headers.authorization !== `Bearer ${token}`)
      return graphError(res, 401, 'InvalidAuthenticationToken', 'Access token is empty or invalid.');

    const exportMatch = /^\/v1\.0\/reports\/partners\/billing\/usage\/(unbilled|billed)\/export$/.exec(url.pathname);
    if (req.method === 'POST' && exportMatch) {
      if (!/^application\/json/.test(req.headers['content-type'] ?? ''))
        return graphError(res, 415, 'UnsupportedMediaType', 'JSON only');
      const params = (body ?? {}) as Record<string, unknown>;
      let rows: Row[] | undefined;
      if (exportMatch[1] === 'unbilled') {
        if (params.attributeSet !== 'full' && params.attributeSet !== 'basic')
          return graphError(res, 400, 'BadRequest', 'attributeSet');
        if (typeof params.currencyCode !== 'string')
          return graphError(res, 400, 'BadRequest', 'currencyCode is required');
        rows = fake.unbilled[String(params.billingPeriod)];
      } else {
        rows = fake.billed[String(params.invoiceId)];
      }
      if (!rows) return graphError(res, 400, 'BadRequest', 'unknown billing period or invoice');
      const operation: Operation = { id: randomUUID(), rows, polls: 0, failure: fake.failOperations };
      operations.set(operation.id, operation);
      res.writeHead(202, { location: `${fake.url}${BILLING}/operations/${operation.id}`, 'retry-after': '10' });
      return res.end();
    }

    // Graph's partnerBillingReconciliation billed export: { invoiceId, attributeSet } → 202 + Location.
    if (req.method === 'POST' && url.pathname === `${BILLING}/reconciliation/billed/export`) {
      if (!/^application\/json/.test(req.headers['content-type'] ?? ''))
        return graphError(res, 415, 'UnsupportedMediaType', 'JSON only');
      const params = (body ?? {}) as Record<string, unknown>;
      if (params.attributeSet !== 'full' && params.attributeSet !== 'basic')
        return graphError(res, 400, 'BadRequest', 'attributeSet');
      const rows = fake.reconciliation[String(params.invoiceId)];
      if (!rows) return graphError(res, 400, 'BadRequest', 'The invoice is not available for this export.');
      const operation: Operation = { id: randomUUID(), rows, polls: 0, failure: fake.failOperations };
      operations.set(operation.id, operation);
      res.writeHead(202, { location: `${fake.url}${BILLING}/operations/${operation.id}`, 'retry-after': '10' });
      return res.end();
    }

    const operationMatch = /^\/v1\.0\/reports\/partners\/billing\/operations\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && operationMatch) {
      const operation = operations.get(operationMatch[1] ?? '');
      if (!operation) return graphError(res, 404, 'NotFound', 'no such operation');
      const times = { createdDateTime: '2026-03-10T02:30:00Z', lastActionDateTime: new Date().toISOString() };
      if (operation.polls < fake.runningPolls) {
        operation.polls += 1;
        return send(
          res,
          200,
          {
            '@odata.type': '#microsoft.graph.partners.billing.runningOperation',
            id: operation.id,
            status: 'running',
            ...times,
          },
          fake.pollRetryAfter ? { 'retry-after': fake.pollRetryAfter } : {},
        );
      }
      if (operation.failure) {
        return send(res, 200, {
          '@odata.type': '#microsoft.graph.partners.billing.failedOperation',
          id: operation.id,
          status: 'failed',
          ...times,
          error: { code: '5000', message: operation.failure },
        });
      }
      const resource = manifest(operation);
      manifests.set(resource.id, resource);
      return send(res, 200, {
        '@odata.type': '#microsoft.graph.partners.billing.exportSuccessOperation',
        id: operation.id,
        status: 'succeeded',
        ...times,
        ...(fake.manifestAsLink
          ? { 'resourceLocation@odata.navigationLink': `${fake.url}${BILLING}/manifests/${resource.id}` }
          : { resourceLocation: resource }),
      });
    }

    const manifestMatch = /^\/v1\.0\/reports\/partners\/billing\/manifests\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && manifestMatch) {
      const resource = manifests.get(manifestMatch[1] ?? '');
      if (!resource) return graphError(res, 404, 'NotFound', 'no such manifest');
      return send(res, 200, resource);
    }
    return graphError(res, 404, 'NotFound', `${req.method} ${url.pathname}`);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
