import { randomBytes } from 'node:crypto';
import { bought, buy, changeOf, setupCustomer, TEAMS_PHONE } from '../../support/subscription-builders.ts';
import { buildCustomerFields } from '../../support/test-app.ts';
import type { Reach } from './context.ts';

const freshPrefix = () => `w${randomBytes(6).toString('hex')}`;

/**
 * Microsoft's side as the simulators play it: tenants, and refusals that come from Microsoft itself when its state
 * has moved on from the portal's (a subscription suspended in Partner Center, behind the portal's back).
 */
export const simulatedMicrosoftCodes: Record<string, Reach> = {
  'TENANT.DOMAIN_TAKEN': async (c) => {
    const tenantless = async () =>
      (
        await c.app.call('POST', '/api/customers', {
          token: c.partner,
          body: buildCustomerFields({ name: `Tenantless ${freshPrefix()}` }),
        })
      ).body.id as string;
    const create = async (domainPrefix: string) =>
      c.app.call('POST', `/api/customers/${await tenantless()}/tenant`, {
        token: c.partner,
        body: { domainPrefix, adminFirstName: 'Grace', adminLastName: 'Hopper' },
      });
    const prefix = freshPrefix();
    await create(prefix);
    return create(prefix);
  },
  'TENANT.COMPANY_PROFILE_INCOMPLETE': async (c) => {
    const customer = await c.app.call('POST', '/api/customers', {
      token: c.partner,
      body: buildCustomerFields({ name: `No address ${freshPrefix()}`, company: { email: 'it@adatum.example' } }),
    });
    return c.app.call('POST', `/api/customers/${customer.body.id}/tenant`, {
      token: c.partner,
      body: { domainPrefix: freshPrefix(), adminFirstName: 'Grace', adminLastName: 'Hopper' },
    });
  },
  'COMMERCE.SUBSCRIPTION_NOT_ACTIVE': async (c) => {
    const { id } = await bought(c.app, c.setup);
    await c.app.services.commerce.updateSubscription(c.setup.tenantId, id, { status: 'suspended' }, `behind-${id}`);
    return changeOf(c.app, c.setup, id, { kind: 'quantity', quantity: 12, effective: 'immediately' });
  },
  'COMMERCE.SUBSCRIPTION_INACTIVE': async (c) => {
    const { id } = await bought(c.app, c.setup);
    await c.app.services.commerce.updateSubscription(c.setup.tenantId, id, { status: 'deleted' }, `behind-${id}`);
    return changeOf(c.app, c.setup, id, { kind: 'quantity', quantity: 12, effective: 'immediately' });
  },
  'COMMERCE.PARENT_NOT_ACTIVE': async (c) => {
    const { id } = await bought(c.app, c.setup);
    await c.app.services.commerce.updateSubscription(c.setup.tenantId, id, { status: 'suspended' }, `behind-${id}`);
    return buy(c.app, c.setup, { productId: TEAMS_PHONE, quantity: 1, parentSubscriptionId: id });
  },
  'CONSENT.NO_ADMIN_CONTACT': async (c) => {
    const setup = await setupCustomer(c.app, { company: undefined });
    await c.directory.setConsent(setup.tenantId, 'none');
    return c.app.call('POST', `/api/customers/${setup.customerId}/m365/consent-requests`, {
      token: setup.admin,
      body: { justification: 'We need to assign licenses for you.' },
    });
  },
};
