import { validate } from '@readme/openapi-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../src/http/routes.ts';
import { connectionStringFor } from '../../dev/azurite.ts';
import { buildCustomerFields, createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;

beforeAll(async () => {
  app = await createTestApp();
});

describe('GET /api/health', () => {
  it('is anonymous and checks storage', async () => {
    const response = await app.call('GET', '/api/health');
    expect(response).toMatchObject({ status: 200, body: { status: 'ok', checks: { tables: 'ok', blobs: 'ok' } } });
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('answers 503 problem+json when storage is unreachable', async () => {
    const down = await createTestApp(
      { STORAGE_CONNECTION_STRING: connectionStringFor('127.0.0.1', 9, 9) },
      { ensureStorage: false },
    );
    const response = await down.call('GET', '/api/health');
    expect(response).toMatchObject({ status: 503, body: { code: 'HEALTH.STORAGE_UNREACHABLE' } });
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.headers.get('retry-after')).toBe('10');
  });
});

describe('GET /api/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document listing every route of the table', async () => {
    const response = await app.call('GET', '/api/openapi.json');
    expect(response.status).toBe(200);
    const document = response.body;
    expect(document.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(document));
    expect(result.valid ? [] : result.errors).toEqual([]);
    const operations = Object.entries(
      document.paths as Record<string, Record<string, { operationId: string }>>,
    ).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => `${method.toUpperCase()} ${path} ${op.operationId}`),
    );
    expect(operations.sort()).toEqual(routes.map((r) => `${r.method} /api${r.path} ${r.name}`).sort());
  });

  it('documents security, problems and named schemas', async () => {
    const document = (await app.call('GET', '/api/openapi.json')).body;
    const create = document.paths['/api/customers'].post;
    expect(create.security).toEqual([{ bearer: [] }]);
    expect(create.responses['400'].content['application/problem+json'].schema).toEqual({
      $ref: '#/components/schemas/Problem',
    });
    expect(create.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/NewCustomer' });
    expect(document.components.schemas.NewCustomer.required).toEqual(
      expect.arrayContaining(['name', 'billingDay', 'currency', 'country']),
    );
    expect(document.paths['/api/health'].get.security).toEqual([]);
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });
});

describe('GET /api/me', () => {
  it('returns the verified identity and the customers it may act for', async () => {
    const admin = await app.tokens.partnerAdmin();
    const customer = (
      await app.call('POST', '/api/customers', { token: admin, body: buildCustomerFields({ name: 'Adatum' }) })
    ).body;
    const token = await app.tokens.customerUser(customer.id, 'Modify', 'carol@adatum.example', {
      customerName: 'Adatum',
    });
    const me = await app.call('GET', '/api/me', { token });
    expect(me).toMatchObject({
      status: 200,
      body: {
        email: 'carol@adatum.example',
        isPartnerAdmin: false,
        customers: [{ customerId: customer.id, customerName: 'Adatum', role: 'Modify' }],
      },
    });
    expect((await app.call('GET', '/api/me', { token: admin })).body).toMatchObject({
      isPartnerAdmin: true,
      customers: [],
    });
  });

  it('answers 401 problem+json to a missing or tampered token', async () => {
    const missing = await app.call('GET', '/api/me');
    expect(missing).toMatchObject({ status: 401, body: { code: 'AUTH.MISSING' } });
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    const token = await app.tokens.partnerAdmin();
    const tampered = `${token.slice(0, -4)}AAAA`;
    const refused = await app.call('GET', '/api/me', { token: tampered });
    expect(refused).toMatchObject({ status: 401, body: { code: 'AUTH.INVALID_TOKEN' } });
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
  });

  it('drops the roles of a disabled portal user', async () => {
    const admin = await app.tokens.partnerAdmin();
    const customer = (await app.call('POST', '/api/customers', { token: admin, body: buildCustomerFields() })).body;
    const token = await app.tokens.customerUser(customer.id, 'Admin', 'dave@x.example', { enabled: false });
    expect((await app.call('GET', '/api/me', { token })).body.customers).toEqual([]);
    expect((await app.call('GET', `/api/customers/${customer.id}`, { token })).status).toBe(403);
  });

  it('ignores a body or query string that claims another identity', async () => {
    const token = await app.tokens.stranger();
    const response = await app.call('GET', '/api/me?objectId=11111111-1111-4111-8111-111111111111', { token });
    expect(response.status).toBe(400);
  });
});
