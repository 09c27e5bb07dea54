import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import { z } from 'zod';
import { AppError } from '../../src/app/errors.ts';
import type { CustomerTenants } from '../../src/app/ports/customer-tenants.port.ts';
import { simulatorTenants } from '../../src/adapters/tenants/simulator.tenants.ts';

/**
 * Partner Center's domain check and customer creation at the wire (`HEAD /v1/domains/{domain}`,
 * `POST /v1/customers`), with the business delegated to the tenant simulator on its own Azurite table. It
 * checks the bearer token, MS-RequestId and the documented body, records every request, and can answer the next
 * requests with 429 + Retry-After or 5xx.
 */
export interface RecordedTenantRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

export interface FakeTenantsServer {
  url: string;
  token: string;
  requests: RecordedTenantRequest[];
  failNext(times: number, status: 429 | 500 | 503, retryAfter?: string): void;
  reset(): void;
  close(): Promise<void>;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const customerSchema = z.strictObject({
  companyProfile: z.strictObject({ domain: z.string().regex(/^[a-z0-9]+\.onmicrosoft\.com$/) }),
  billingProfile: z.strictObject({
    email: z.email(),
    culture: z.string().regex(/^[a-z]{2}-[A-Z]{2}$/),
    language: z.string().regex(/^[a-z]{2}$/),
    companyName: z.string().min(1),
    defaultAddress: z.strictObject({
      country: z.string().length(2),
      city: z.string().min(1),
      state: z.string().optional(),
      addressLine1: z.string().min(1),
      addressLine2: z.string().optional(),
      postalCode: z.string().min(1),
      firstName: z.string().min(1),
      lastName: z.string().min(1),
      phoneNumber: z.string().optional(),
    }),
  }),
});

export async function tableTenants(connectionString: string): Promise<CustomerTenants> {
  const table = TableClient.fromConnectionString(connectionString, `tenantfake${randomBytes(5).toString('hex')}`, {
    allowInsecureConnection: true,
  });
  await table.createTable();
  return simulatorTenants(table);
}

export async function startFakeTenantsServer(connectionString: string): Promise<FakeTenantsServer> {
  const simulator = await tableTenants(connectionString);
  const token = `pc-${randomBytes(8).toString('hex')}`;
  const requests: RecordedTenantRequest[] = [];
  let faults: { times: number; status: number; retryAfter?: string } | undefined;

  const send = (res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]),
    );
    const body: unknown = text ? JSON.parse(text) : undefined;
    const path = req.url ?? '';
    requests.push({ method: req.method ?? '', path, headers, body });

    if (headers.authorization !== `Bearer ${token}`) return send(res, 401, { code: 401, description: 'Unauthorized' });
    if (!GUID.test(headers['ms-requestid'] ?? '') || !GUID.test(headers['ms-correlationid'] ?? ''))
      return send(res, 400, { code: 400, description: 'MS-RequestId and MS-CorrelationId must be GUIDs' });
    if (faults && faults.times > 0) {
      faults.times -= 1;
      return send(
        res,
        faults.status,
        { code: faults.status, description: 'injected' },
        faults.retryAfter ? { 'retry-after': faults.retryAfter } : {},
      );
    }

    const domain = /^\/v1\/domains\/([^/?]+)$/.exec(path)?.[1];
    if (req.method === 'HEAD' && domain)
      return send(res, (await simulator.isDomainAvailable(decodeURIComponent(domain))) ? 404 : 200);
    if (req.method === 'POST' && path === '/v1/customers') {
      const parsed = customerSchema.safeParse(body);
      if (!parsed.success) return send(res, 400, { code: 'InvalidInput', description: z.prettifyError(parsed.error) });
      const { companyProfile, billingProfile } = parsed.data;
      const { firstName, lastName, ...address } = billingProfile.defaultAddress;
      try {
        const created = await simulator.createTenant(
          {
            domain: companyProfile.domain,
            companyName: billingProfile.companyName,
            email: billingProfile.email,
            culture: billingProfile.culture,
            language: billingProfile.language,
            address,
            admin: { firstName, lastName },
          },
          headers['ms-requestid'] ?? '',
        );
        return send(res, 201, {
          id: created.tenantId,
          companyProfile: {
            tenantId: created.tenantId,
            domain: created.domain,
            companyName: billingProfile.companyName,
          },
          billingProfile,
          ...(created.adminPassword ? { userCredentials: { userName: 'admin', password: created.adminPassword } } : {}),
        });
      } catch (error) {
        if (error instanceof AppError && error.code === 'TENANT.DOMAIN_TAKEN')
          return send(res, 400, { code: 'DomainNotAvailable', description: 'The domain is not available.' });
        throw error;
      }
    }
    return send(res, 404, { code: 404, description: 'Not found' });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, { code: 500, description: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    token,
    requests,
    failNext(times, status, retryAfter) {
      faults = { times, status, ...(retryAfter ? { retryAfter } : {}) };
    },
    reset() {
      requests.length = 0;
      faults = undefined;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
