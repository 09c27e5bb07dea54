import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { seedDemoCatalog } from '../../dev/demo-catalog.ts';
import { buildCustomerFields, type TestApp } from './test-app.ts';

export const BUSINESS_PREMIUM = 'CFQ7TTC0LCHC:0002';
export const BUSINESS_BASIC = 'CFQ7TTC0LH18:0001';
export const TEAMS_PHONE = 'CFQ7TTC0LH1G:0001';

export interface CustomerSetup {
  customerId: string;
  tenantId: string;
  partner: string;
  admin: string;
  modifier: string;
  viewer: string;
}

/** The demo catalog (once per app) and a customer with a Microsoft tenant and one user per role. */
export async function setupCustomer(app: TestApp, overrides: Record<string, unknown> = {}): Promise<CustomerSetup> {
  if (!(await app.services.catalog.getProduct(BUSINESS_PREMIUM))) await seedDemoCatalog(app.services);
  const tenantId = randomUUID();
  const partner = await app.tokens.partnerAdmin();
  const created = await app.call('POST', '/api/customers', {
    token: partner,
    body: buildCustomerFields({ tenantId, ...overrides }),
  });
  expect(created.status).toBe(201);
  const customerId: string = created.body.id;
  return {
    customerId,
    tenantId,
    partner,
    admin: await app.tokens.customerUser(customerId, 'Admin'),
    modifier: await app.tokens.customerUser(customerId, 'Modify'),
    viewer: await app.tokens.customerUser(customerId, 'View'),
  };
}

export async function buy(
  app: TestApp,
  setup: CustomerSetup,
  body: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) {
  return app.call('POST', `/api/customers/${setup.customerId}/subscriptions`, {
    token: setup.admin,
    headers: { 'idempotency-key': `k-${randomUUID()}`, ...headers },
    body: { productId: BUSINESS_PREMIUM, term: 'P1Y', billingFrequency: 'monthly', quantity: 10, ...body },
  });
}

/** Buys and returns the new subscription's id and ETag. */
export async function bought(
  app: TestApp,
  setup: CustomerSetup,
  body: Record<string, unknown> = {},
): Promise<{ id: string; etag: string }> {
  const response = await buy(app, setup, body);
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return { id: response.body.subscriptions[0].id, etag: response.body.subscriptions[0].etag };
}

export async function readSubscription(app: TestApp, setup: CustomerSetup, id: string) {
  const response = await app.call('GET', `/api/customers/${setup.customerId}/subscriptions/${id}`, {
    token: setup.viewer,
  });
  expect(response.status).toBe(200);
  return response.body;
}

export async function changeOf(
  app: TestApp,
  setup: CustomerSetup,
  id: string,
  body: Record<string, unknown>,
  token = setup.modifier,
  extraHeaders: Record<string, string> = {},
) {
  const { etag } = await readSubscription(app, setup, id);
  return app.call('POST', `/api/customers/${setup.customerId}/subscriptions/${id}/changes`, {
    token,
    body,
    headers: { 'if-match': etag, ...extraHeaders },
  });
}
