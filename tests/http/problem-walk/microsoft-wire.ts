import type { TableClient } from '@azure/data-tables';
import { inject } from 'vitest';
import { partnerCenterCommerce } from '../../../src/adapters/commerce/partner-center.commerce.ts';
import { graphDirectory } from '../../../src/adapters/directory/graph.directory.ts';
import { graphNotifier } from '../../../src/adapters/notify/graph.notifier.ts';
import { testClock } from '../../support/clock.ts';
import { startFakeGraph, TEST_PRODUCTS, type FakeGraph } from '../../support/fake-graph.ts';
import { startFakeHttp, type FakeHandler } from '../../support/fake-http.ts';
import { startFakePartnerCenter, type FakePartnerCenter } from '../../support/fake-partner-center.ts';
import { invite, setupPortalCustomer } from '../../support/portal-user-builders.ts';
import {
  bought,
  buy,
  BUSINESS_PREMIUM,
  changeOf,
  setupCustomer,
  TEAMS_PHONE,
  type CustomerSetup,
} from '../../support/subscription-builders.ts';
import { createTestApp, PARTNER_TENANT, type TestApp } from '../../support/test-app.ts';
import type { Answer } from './context.ts';

/**
 * An app whose Microsoft is reached over HTTP, as in production: Microsoft Graph (directory and mail) and Partner
 * Center served by the fakes that the adapters' contract tests use, with Microsoft's documented answers at the
 * wire. Only Entra ID's token endpoint is left out (the adapters take a token function, as in those tests).
 */
export interface Wire {
  app: TestApp;
  setup: CustomerSetup;
  graph: FakeGraph;
  partnerCenter: FakePartnerCenter;
  /** The next answers of Graph's sendMail, in order (then 202 Accepted). */
  mailAnswers: ReturnType<FakeHandler>[];
  close(): Promise<void>;
}

/** A tenant id Entra ID does not know (AADSTS90002), for DIRECTORY.TENANT_NOT_FOUND. */
export const UNKNOWN_TENANT = '00000000-0000-4000-8000-0000000090a2';

let started: Promise<Wire> | undefined;

export function wire(): Promise<Wire> {
  started ??= (async () => {
    const clock = testClock(new Date().toISOString());
    const connectionString = inject('storageConnectionString');
    const [graph, partnerCenter] = await Promise.all([
      startFakeGraph({ connectionString, clock }),
      startFakePartnerCenter({ connectionString, clock }),
    ]);
    const mailAnswers: ReturnType<FakeHandler>[] = [];
    const mail = await startFakeHttp(() => mailAnswers.shift() ?? { status: 202 });
    const app = await createTestApp({}, { clock });
    const noWait = { sleep: async () => undefined, random: () => 1 };
    app.services.directory = graphDirectory(
      {
        GRAPH_BASE_URL: graph.url,
        GRAPH_CLIENT_ID: 'not-used-with-an-injected-token',
        GRAPH_CLIENT_SECRET: 'not-used-with-an-injected-token',
        GRAPH_TIMEOUT_MS: 5000,
        GRAPH_MAX_RETRIES: 1,
      },
      {
        getToken: async (tenantId) => {
          if (tenantId === UNKNOWN_TENANT)
            throw new Error(
              `AADSTS90002: Tenant '${tenantId}' not found. Check to make sure you have the correct tenant ID.`,
            );
          return graph.tokenFor(tenantId);
        },
        fetch: graph.fetch,
        ...noWait,
      },
    );
    app.services.notifier = graphNotifier(
      {
        PARTNER_TENANT_ID: PARTNER_TENANT,
        GRAPH_CLIENT_ID: 'not-used-with-an-injected-token',
        GRAPH_CLIENT_SECRET: 'not-used-with-an-injected-token',
        MAIL_SENDER: 'portal@partner.example',
      },
      { baseUrl: mail.url, getToken: async () => 'graph-mail-token', sleep: async () => undefined, maxRetries: 1 },
    );
    app.services.commerce = partnerCenterCommerce(
      {
        PARTNER_CENTER_BASE_URL: partnerCenter.url,
        PARTNER_CENTER_CLIENT_ID: 'not-used-with-an-injected-token',
        PARTNER_CENTER_CLIENT_SECRET: 'not-used-with-an-injected-token',
        PARTNER_CENTER_TIMEOUT_MS: 5000,
        PARTNER_CENTER_MAX_RETRIES: 1,
        PARTNER_TENANT_ID: PARTNER_TENANT,
      },
      { getToken: async () => partnerCenter.token, ...noWait },
    );
    const setup = await setupCustomer(app);
    return {
      app,
      setup,
      graph,
      partnerCenter,
      mailAnswers,
      close: async () => {
        await Promise.all([graph.close(), partnerCenter.close(), mail.close()]);
      },
    };
  })();
  return started;
}

export async function closeWire(): Promise<void> {
  if (started) await (await started).close();
}

const usersOf = (w: Wire, setup = w.setup) => `/api/customers/${setup.customerId}/m365/users`;

/** Codes that arise from Microsoft's answers over the wire: Graph's refusals and odd bodies, Partner Center's, mail. */
export const microsoftWireCodes: Record<string, () => Promise<Answer>> = {
  // Each Graph fault below is for a customer of its own and only for its tenant and path. Listing users reads the
  // users and the tenant's SKUs in parallel: when one fails the route answers at once, and the other request may
  // still reach Graph after the test has ended. An unscoped fault could be taken by that late request instead.
  'DIRECTORY.REFUSED': async () => {
    const w = await wire();
    const setup = await setupCustomer(w.app);
    w.graph.failNext({
      times: 1,
      answer: 400,
      method: 'GET',
      path: /\/users$/,
      tenantId: setup.tenantId,
      error: { code: 'Request_UnsupportedQuery', message: 'Unsupported query.' },
    });
    return w.app.call('GET', usersOf(w, setup), { token: setup.viewer });
  },
  'DIRECTORY.BAD_ANSWER': async () => {
    const w = await wire();
    const setup = await setupCustomer(w.app);
    w.graph.failNext({
      times: 1,
      answer: 'unexpectedShape',
      method: 'GET',
      path: /\/users$/,
      tenantId: setup.tenantId,
    });
    return w.app.call('GET', usersOf(w, setup), { token: setup.viewer });
  },
  'DIRECTORY.NOT_FOUND': async () => {
    const w = await wire();
    // A customer of its own: the portal keeps a tenant's subscribed SKUs for a while once read.
    const setup = await setupCustomer(w.app);
    w.graph.failNext({ times: 1, answer: 404, method: 'GET', path: /subscribedSkus/, tenantId: setup.tenantId });
    return w.app.call('GET', `/api/customers/${setup.customerId}/m365/licenses`, { token: setup.viewer });
  },
  'DIRECTORY.TENANT_NOT_FOUND': async () => {
    const w = await wire();
    const setup = await setupCustomer(w.app, { tenantId: UNKNOWN_TENANT });
    return w.app.call('GET', usersOf(w, setup), { token: setup.viewer });
  },
  'DIRECTORY.SKU_NOT_FOUND': async () => {
    const w = await wire();
    const setup = await setupCustomer(w.app);
    // The tenant's seats, as Microsoft's directory sees them (Graph's fake has its own commerce side).
    await w.graph.commerce.placeOrder(
      setup.tenantId,
      [
        {
          catalogItemId: TEST_PRODUCTS[BUSINESS_PREMIUM]!.catalogItemId,
          quantity: 1,
          termDuration: 'P1Y',
          billingCycle: 'monthly',
        },
      ],
      `seats-${setup.tenantId}`,
    );
    const user = await w.graph.simulator.seedUser(setup.tenantId, {
      displayName: 'Sku Gone',
      userPrincipalName: `skugone@${setup.tenantId.slice(0, 8)}.example`,
      usageLocation: 'US',
    });
    const licenses = await w.app.call('GET', `/api/customers/${setup.customerId}/m365/licenses`, {
      token: setup.viewer,
    });
    const skuId = (licenses.body.items as { skuId: string }[])[0]?.skuId ?? '';
    // The tenant's subscription ended between the portal's read of its SKUs and the assignment.
    w.graph.failNext({
      times: 1,
      answer: 400,
      method: 'POST',
      path: /assignLicense/,
      tenantId: setup.tenantId,
      error: {
        code: 'Request_BadRequest',
        message: `License ${skuId} does not correspond to a valid company License.`,
      },
    });
    return w.app.call('POST', `${usersOf(w, setup)}/${user.id}/licenses`, {
      token: setup.modifier,
      body: { add: ['SPB'] },
    });
  },
  'MAIL.REFUSED': async () => {
    const w = await wire();
    const portal = await setupPortalCustomer(w.app);
    const user = await invite(w.app, portal);
    w.mailAnswers.push({
      status: 400,
      body: { error: { code: 'ErrorInvalidRecipients', message: 'At least one recipient is not valid.' } },
    });
    return w.app.call('POST', `/api/customers/${portal.customerId}/portal-users/${user.id}/invitation`, {
      token: portal.admin,
    });
  },
  'MAIL.UNAVAILABLE': async () => {
    const w = await wire();
    const portal = await setupPortalCustomer(w.app);
    const user = await invite(w.app, portal);
    w.mailAnswers.push(
      { status: 503, body: { error: { code: 'ServiceUnavailable', message: 'Service unavailable.' } } },
      { status: 503, body: { error: { code: 'ServiceUnavailable', message: 'Service unavailable.' } } },
    );
    return w.app.call('POST', `/api/customers/${portal.customerId}/portal-users/${user.id}/invitation`, {
      token: portal.admin,
    });
  },
  'COMMERCE.BAD_ANSWER': async () => {
    const w = await wire();
    const { id } = await bought(w.app, w.setup);
    w.partnerCenter.failNext({ times: 1, answer: 'unexpectedShape', method: 'PATCH' });
    return changeOf(w.app, w.setup, id, { kind: 'quantity', quantity: 12, effective: 'immediately' });
  },
  'COMMERCE.REFUSED': async () => {
    const w = await wire();
    const { id } = await bought(w.app, w.setup);
    // The base subscription was suspended in Partner Center, behind the portal's back: Microsoft refuses the
    // add-on in the checkout's orderErrors.
    await w.partnerCenter.simulator.updateSubscription(w.setup.tenantId, id, { status: 'suspended' });
    return buy(w.app, w.setup, { productId: TEAMS_PHONE, quantity: 1, parentSubscriptionId: id });
  },
  'COMMERCE.SUBSCRIPTION_NOT_FOUND': async () => {
    const w = await wire();
    const { id } = await bought(w.app, w.setup);
    // The subscription is gone at Microsoft (deleted there): Partner Center answers 404 for it.
    const table = (w.partnerCenter.simulator as unknown as { table: TableClient }).table;
    await table.deleteEntity(w.setup.tenantId, id);
    return changeOf(w.app, w.setup, id, { kind: 'quantity', quantity: 12, effective: 'immediately' });
  },
  'COMMERCE.UPDATE_PENDING': async () => {
    const w = await wire();
    const { id } = await bought(w.app, w.setup);
    w.partnerCenter.asyncUpdates = { polls: 100, retryAfter: '10' };
    try {
      return await changeOf(w.app, w.setup, id, { kind: 'quantity', quantity: 12, effective: 'immediately' });
    } finally {
      w.partnerCenter.asyncUpdates = undefined;
    }
  },
  'COMMERCE.CHANGED_AT_MICROSOFT': async () => {
    const w = await wire();
    const { id } = await bought(w.app, w.setup);
    w.partnerCenter.changeBeforeNextPatch(2);
    return changeOf(w.app, w.setup, id, { kind: 'quantity', quantity: 12, effective: 'immediately' });
  },
};
