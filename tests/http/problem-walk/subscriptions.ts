import { buildPrice, buildProduct } from '../../support/catalog-builders.ts';
import { bought, buy, changeOf, setupCustomer, BUSINESS_BASIC } from '../../support/subscription-builders.ts';
import { race, random, seedUser, users, type Context, type Reach } from './context.ts';

/** A product of its own in the catalog (priced in the global list unless `priced` is false). */
async function ownProduct(c: Context, overrides: Record<string, unknown> = {}, priced = true) {
  const product = buildProduct(overrides);
  const created = await c.app.call('POST', '/api/catalog/products', { token: c.partner, body: product });
  if (created.status !== 201) throw new Error(JSON.stringify(created.body));
  if (priced) {
    const list = await c.app.call('GET', '/api/price-lists/global/prices', { token: c.partner });
    const priced = await c.app.call('PUT', '/api/price-lists/global/prices', {
      token: c.partner,
      body: { prices: [buildPrice({ productId: product.id })] },
      ...(list.headers.get('etag') ? { headers: { 'if-match': list.headers.get('etag') as string } } : {}),
    });
    if (priced.status >= 300) throw new Error(JSON.stringify(priced.body));
  }
  return product;
}

/** Subscriptions, their changes and scheduled changes, and Microsoft's answers to them (the commerce simulator). */
export const subscriptionCodes: Record<string, Reach> = {
  'SUBSCRIPTION.NOT_ACTIVE': async (c) => {
    const { id } = await bought(c.app, c.setup);
    await changeOf(c.app, c.setup, id, { kind: 'suspend', effective: 'immediately' }, c.setup.admin);
    return changeOf(c.app, c.setup, id, { kind: 'quantity', quantity: 12, effective: 'immediately' });
  },
  'QUANTITY.BELOW_ASSIGNED': async (c) => {
    const setup = await setupCustomer(c.app);
    const ctx = { ...c, setup };
    const { id } = await bought(c.app, setup, { quantity: 2 });
    for (const _ of [1, 2]) {
      const user = await seedUser(ctx, 'US');
      await c.app.call('POST', users(ctx, `/${user.id}/licenses`), { token: setup.modifier, body: { add: ['SPB'] } });
    }
    return changeOf(c.app, setup, id, { kind: 'quantity', quantity: 1, effective: 'immediately' });
  },
  'QUANTITY.BELOW_MINIMUM': async (c) => {
    const product = await ownProduct(c, { minQuantity: 5 });
    const { id } = await bought(c.app, c.setup, { productId: product.id, quantity: 6 });
    return changeOf(c.app, c.setup, id, { kind: 'quantity', quantity: 4, effective: 'immediately' });
  },
  'PRICE.NOT_FOUND': async (c) => {
    const product = await ownProduct(c, {}, false);
    return buy(c.app, c.setup, { productId: product.id, quantity: 1 });
  },
  'PRODUCT.NOT_FOR_SALE': async (c) => {
    const setup = await setupCustomer(c.app);
    const profileId = `basic-${random().slice(0, 8)}`;
    await c.app.call('PUT', `/api/sale-profiles/${profileId}`, {
      token: c.partner,
      body: { name: 'Basic only', productIds: [BUSINESS_BASIC] },
    });
    await c.app.call('PUT', `/api/customers/${setup.customerId}/sale-profile`, {
      token: c.partner,
      body: { profileId },
    });
    return buy(c.app, setup);
  },
  'PRODUCT.EXISTS': async (c) => {
    const product = await ownProduct(c, {}, false);
    return c.app.call('POST', '/api/catalog/products', { token: c.partner, body: product });
  },
  'PRODUCT.HAS_ADD_ONS': async (c) => {
    const base = await ownProduct(c, {}, false);
    await ownProduct(c, { addOnOf: [base.id] }, false);
    return c.app.call('DELETE', `/api/catalog/products/${base.id}`, { token: c.partner });
  },
  'SALE_PROFILE.EXISTS': (c) =>
    race('SALE_PROFILE.EXISTS', () => {
      const profileId = `race-${random().slice(0, 8)}`;
      return Promise.all(
        [1, 2].map(() =>
          c.app.call('PUT', `/api/sale-profiles/${profileId}`, {
            token: c.partner,
            body: { name: 'Raced', productIds: [BUSINESS_BASIC] },
          }),
        ),
      );
    }),
  'FUTURE_CHANGE.NOT_PENDING': async (c) => {
    const { id } = await bought(c.app, c.setup);
    const scheduled = await changeOf(c.app, c.setup, id, { kind: 'quantity', quantity: 5, effective: 'onRenewal' });
    const url = `/api/customers/${c.setup.customerId}/future-changes/${scheduled.body.futureChange.id}`;
    await c.app.call('DELETE', url, { token: c.setup.modifier });
    return c.app.call('DELETE', url, { token: c.setup.modifier });
  },
  'COMMERCE.THROTTLED': async (c) => {
    const { id } = await bought(c.app, c.setup);
    c.app.services.simulator?.failNext({ status: 429, retryAfterSeconds: 1 });
    return changeOf(c.app, c.setup, id, { kind: 'quantity', quantity: 15, effective: 'immediately' });
  },
  'COMMERCE.UNAVAILABLE': async (c) => {
    const { id } = await bought(c.app, c.setup);
    c.app.services.simulator?.failNext({ status: 500 });
    return changeOf(c.app, c.setup, id, { kind: 'quantity', quantity: 15, effective: 'immediately' });
  },
  'COMMERCE.LEGACY_SUBSCRIPTION': async (c) => {
    const id = random();
    await c.app.services.simulator!.addLegacySubscription(c.setup.tenantId, {
      id,
      offerId: 'MS-AZR-0145P',
      friendlyName: 'Azure plan (legacy)',
      quantity: 1,
      status: 'active',
      creationDate: '2019-01-01T00:00:00.000Z',
      autoRenewEnabled: false,
      reason: 'Azure legacy subscriptions are managed in the Azure portal.',
    });
    await c.app.call('POST', `/api/customers/${c.setup.customerId}/subscriptions/sync`, { token: c.setup.admin });
    return c.app.call('POST', `/api/customers/${c.setup.customerId}/subscriptions/${id}/changes`, {
      token: c.setup.admin,
      headers: { 'if-match': 'W/"any"' },
      body: { kind: 'suspend', effective: 'immediately' },
    });
  },
  'BILLING.CONFIRMATION_REQUIRED': async (c) => {
    const setup = await setupCustomer(c.app, { billingChangeConfirmation: true });
    const settings = await c.app.call('GET', '/api/settings/billing-confirmation', { token: c.partner });
    await c.app.call('PUT', '/api/settings/billing-confirmation', {
      token: c.partner,
      body: { actions: ['buy', 'raiseQuantity'], messages: { en: 'This raises your bill.' } },
      headers: settings.headers.get('etag') ? { 'if-match': settings.headers.get('etag') as string } : {},
    });
    return buy(c.app, setup, { quantity: 2 });
  },
  'SETTINGS.EXISTS': async (c) => {
    const put = () => c.app.call('PUT', '/api/settings/usage', { token: c.partner, body: { markupPercent: '10' } });
    await put();
    return put();
  },
};
