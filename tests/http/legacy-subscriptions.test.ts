import { beforeAll, describe, expect, it } from 'vitest';
import { legacyReasons } from '../../src/domain/legacy-subscription.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { bought, setupCustomer, type CustomerSetup } from '../support/subscription-builders.ts';

/**
 * Legacy subscriptions (the Azure legacy example of Partner Center's get-a-subscription-by-id) held by the simulator,
 * as real partners' customers still have them: mirrored by a sync, shown read-only in My Services with the reason,
 * refused with that reason when someone tries to change one.
 */
let app: TestApp;
let setup: CustomerSetup;
const LEGACY_ID = 'a356ac8c-e310-44f4-bf85-c7f29044af99';

beforeAll(async () => {
  app = await createTestApp();
  setup = await setupCustomer(app);
  await app.services.simulator!.addLegacySubscription(setup.tenantId, {
    id: LEGACY_ID,
    orderId: 'b23fdedd-d6bd-415a-8b71-3624c81c9644',
    offerId: 'MS-AZR-0145P',
    friendlyName: 'Microsoft Azure',
    quantity: 1,
    status: 'active',
    billingType: 'usage',
    creationDate: '2016-05-10T07:30:05.427Z',
    autoRenewEnabled: false,
    reason: legacyReasons.azure,
  });
});

describe('legacy subscriptions in My Services', () => {
  it('are mirrored by a sync and listed read-only with the reason, apart from the billing contracts', async () => {
    const current = await bought(app, setup);
    const sync = await app.call('POST', `/api/customers/${setup.customerId}/subscriptions/sync`, {
      token: setup.admin,
    });
    expect(sync.status).toBe(200);
    expect(sync.body).toMatchObject({ legacy: 1 });

    const services = await app.call('GET', `/api/customers/${setup.customerId}/subscriptions`, {
      token: setup.viewer,
    });
    expect(services.status).toBe(200);
    expect(services.body.legacySubscriptions).toEqual([
      {
        id: LEGACY_ID,
        offerId: 'MS-AZR-0145P',
        name: 'Microsoft Azure',
        quantity: 1,
        status: 'active',
        billingType: 'usage',
        autoRenew: false,
        startDate: '2016-05-10',
        readOnly: true,
        reason: legacyReasons.azure,
      },
    ]);
    const listed = (services.body.contracts as { subscriptions: { id: string }[] }[]).flatMap((c) =>
      c.subscriptions.map((s) => s.id),
    );
    expect(listed).toContain(current.id);
    expect(listed).not.toContain(LEGACY_ID);

    const again = await app.call('POST', `/api/customers/${setup.customerId}/subscriptions/sync`, {
      token: setup.admin,
    });
    expect(again.body).toMatchObject({ legacy: 1, changed: 0 });
  });

  it('refuses a change of one with COMMERCE.LEGACY_SUBSCRIPTION (409) and the reason, never a 500', async () => {
    const refused = await app.call('POST', `/api/customers/${setup.customerId}/subscriptions/${LEGACY_ID}/changes`, {
      token: setup.admin,
      headers: { 'if-match': 'W/"any"' },
      body: { kind: 'suspend', effective: 'immediately' },
    });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'COMMERCE.LEGACY_SUBSCRIPTION' });
    expect(refused.body.detail).toContain('Partner Center');
  });
});
