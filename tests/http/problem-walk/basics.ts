import { expect } from 'vitest';
import { buildGif, buildPng, buildSvg } from '../../support/images.ts';
import { bought, buy, changeOf, setupCustomer } from '../../support/subscription-builders.ts';
import { buildCustomerFields } from '../../support/test-app.ts';
import { random, seedUser, users, type Reach } from './context.ts';

/**
 * The request itself (validation, size, media type, ETags), sign-in and access, lookups of what does not exist,
 * and the first refusals of each area: changes, licenses and groups in the directory simulator, branding, the
 * assistant, reconciliation and PSA mapping, agreements and tenants. Each runs against the walk's shared app.
 */
export const basics: Record<string, Reach> = {
  'REQUEST.INVALID': (c) => c.app.call('GET', '/api/customers?pageSize=0', { token: c.partner }),
  'REQUEST.TOO_LARGE': (c) =>
    c.app.call('POST', '/api/customers', {
      token: c.partner,
      rawBody: JSON.stringify({ name: 'x'.repeat(300 * 1024) }),
      headers: { 'content-type': 'application/json' },
    }),
  'REQUEST.UNSUPPORTED_MEDIA_TYPE': (c) =>
    c.app.call('POST', '/api/customers', {
      token: c.partner,
      rawBody: 'name=x',
      headers: { 'content-type': 'text/plain' },
    }),
  'REQUEST.IF_MATCH_REQUIRED': async (c) => {
    const { id } = await bought(c.app, c.setup);
    return c.app.call('POST', `/api/customers/${c.setup.customerId}/subscriptions/${id}/changes`, {
      token: c.setup.modifier,
      body: { kind: 'quantity', quantity: 12, effective: 'immediately' },
    });
  },
  'REQUEST.STALE_ETAG': async (c) => {
    const { id, etag } = await bought(c.app, c.setup);
    await changeOf(c.app, c.setup, id, { kind: 'quantity', quantity: 11, effective: 'immediately' });
    return c.app.call('POST', `/api/customers/${c.setup.customerId}/subscriptions/${id}/changes`, {
      token: c.setup.modifier,
      body: { kind: 'quantity', quantity: 12, effective: 'immediately' },
      headers: { 'if-match': etag },
    });
  },
  'PROBLEM.NOT_FOUND': (c) => c.app.call('GET', '/api/problems/NO.SUCH_CODE'),
  'AUTH.MISSING': (c) => c.app.call('GET', '/api/me'),
  'AUTH.INVALID_TOKEN': (c) => c.app.call('GET', '/api/me', { token: 'abc.def.ghi' }),
  'AUTH.PARTNER_ADMIN_REQUIRED': (c) => c.app.call('GET', '/api/customers', { token: c.setup.admin }),
  'AUTH.NO_ACCESS': async (c) =>
    c.app.call('GET', `/api/customers/${c.setup.customerId}`, { token: await c.app.tokens.stranger() }),
  'AUTH.ROLE_TOO_LOW': (c) =>
    c.app.call('PATCH', users(c, `/${random()}`), { token: c.setup.viewer, body: { usageLocation: 'GB' } }),
  'CUSTOMER.NOT_FOUND': (c) => c.app.call('GET', `/api/customers/${random()}`, { token: c.partner }),
  'CUSTOMER.NO_TENANT': async (c) => {
    const created = await c.app.call('POST', '/api/customers', {
      token: c.partner,
      body: buildCustomerFields({ name: `No Tenant ${random().slice(0, 6)}` }),
    });
    return c.app.call('GET', `/api/customers/${created.body.id}/m365/users`, { token: c.partner });
  },
  'PRODUCT.NOT_FOUND': (c) => c.app.call('GET', '/api/catalog/products/NOPE:0001', { token: c.partner }),
  'SUBSCRIPTION.NOT_FOUND': (c) =>
    c.app.call('GET', `/api/customers/${c.setup.customerId}/subscriptions/${random()}`, { token: c.setup.viewer }),
  'FUTURE_CHANGE.NOT_FOUND': (c) =>
    c.app.call('DELETE', `/api/customers/${c.setup.customerId}/future-changes/${random()}`, {
      token: c.setup.modifier,
      headers: { 'if-match': 'W/"datetime\'2026-01-01T00%3A00%3A00.000Z\'"' },
    }),
  'PORTAL_USER.NOT_FOUND': (c) =>
    c.app.call('GET', `/api/customers/${c.setup.customerId}/portal-users/${random()}`, { token: c.setup.admin }),
  'PORTAL_USER.EMAIL_TAKEN': async (c) => {
    const body = { firstName: 'Twice', lastName: 'Invited', email: `twice-${random().slice(0, 6)}@contoso.example` };
    await c.app.call('POST', `/api/customers/${c.setup.customerId}/portal-users`, { token: c.setup.admin, body });
    return c.app.call('POST', `/api/customers/${c.setup.customerId}/portal-users`, { token: c.setup.admin, body });
  },
  'INVITATION.NOT_FOUND': async (c) =>
    c.app.call('POST', `/api/invitations/${'a'.repeat(43)}/accept`, { token: await c.app.tokens.stranger() }),
  'AGREEMENT.NOT_FOUND': (c) =>
    c.app.call('POST', `/api/customers/${c.setup.customerId}/agreements/no-such-agreement/accept`, {
      token: c.setup.admin,
      body: { firstName: 'Ada', lastName: 'Admin', email: 'ada@contoso.example' },
    }),
  'DIRECTORY.USER_NOT_FOUND': (c) =>
    c.app.call('PATCH', users(c, `/${random()}`), { token: c.setup.modifier, body: { usageLocation: 'GB' } }),
  'DIRECTORY.USAGE_LOCATION_REQUIRED': async (c) => {
    await bought(c.app, c.setup, { quantity: 1 });
    const user = await seedUser(c);
    return c.app.call('POST', users(c, `/${user.id}/licenses`), { token: c.setup.modifier, body: { add: ['SPB'] } });
  },
  'DIRECTORY.COUNT_VIOLATION': async (c) => {
    const setup = await setupCustomer(c.app);
    const ctx = { ...c, setup };
    await bought(c.app, setup, { quantity: 1 });
    for (const _ of [1, 2]) {
      const user = await seedUser(ctx, 'US');
      const answer = await c.app.call('POST', users(ctx, `/${user.id}/licenses`), {
        token: setup.modifier,
        body: { add: ['SPB'] },
      });
      if (answer.status !== 200) return answer;
    }
    throw new Error('the second user got the only unit');
  },
  'DIRECTORY.LICENSE_NOT_ASSIGNED': async (c) => {
    await bought(c.app, c.setup, { quantity: 1 });
    const user = await seedUser(c, 'US');
    return c.app.call('POST', users(c, `/${user.id}/licenses`), { token: c.setup.modifier, body: { remove: ['SPB'] } });
  },
  'DIRECTORY.GROUP_NOT_FOUND': async (c) => {
    await bought(c.app, c.setup, { quantity: 1 });
    return c.app.call('POST', `/api/customers/${c.setup.customerId}/m365/groups/${random()}/licenses`, {
      token: c.setup.modifier,
      body: { add: ['SPB'] },
    });
  },
  'DIRECTORY.USER_EXISTS': async (c) => {
    const user = await seedUser(c, 'US');
    return c.app.call('POST', users(c), {
      token: c.setup.admin,
      body: { displayName: 'Again', userPrincipalName: user.userPrincipalName, sendPasswordTo: 'it@contoso.example' },
    });
  },
  'DIRECTORY.CONSENT_REQUIRED': async (c) => {
    const setup = await setupCustomer(c.app);
    await c.directory.setConsent(setup.tenantId, 'none');
    return c.app.call('GET', `/api/customers/${setup.customerId}/m365/users`, { token: setup.viewer });
  },
  'DIRECTORY.THROTTLED': (c) => {
    c.directory.failNext({ status: 429, retryAfterSeconds: 1 }, { status: 429, retryAfterSeconds: 1 });
    return c.app.call('GET', users(c), { token: c.setup.viewer });
  },
  'DIRECTORY.UNAVAILABLE': (c) => {
    c.directory.failNext({ status: 500 }, { status: 500 });
    return c.app.call('GET', users(c), { token: c.setup.viewer });
  },
  'CONSENT.ALREADY_GRANTED': (c) =>
    c.app.call('POST', `/api/customers/${c.setup.customerId}/m365/consent-requests`, {
      token: c.setup.admin,
      body: { justification: 'We need to assign licenses for you.' },
    }),
  'INVOICE.NOT_FOUND': (c) =>
    c.app.call('GET', `/api/customers/${c.setup.customerId}/invoices/INV-20200101-1A2B3C4D`, { token: c.setup.viewer }),
  'BILLING_RUN.NOT_FOUND': (c) => c.app.call('GET', '/api/billing/runs/2020-01', { token: c.partner }),
  'SALE_PROFILE.NOT_FOUND': (c) => c.app.call('GET', '/api/sale-profiles/no-such-profile', { token: c.partner }),
  'RESELLER.NOT_FOUND': (c) => c.app.call('GET', `/api/resellers/${random()}`, { token: c.partner }),
  'BRANDING.NOT_AN_IMAGE': (c) =>
    c.app.call('PUT', '/api/branding/logo', {
      token: c.partner,
      rawBody: 'not an image at all',
      headers: { 'content-type': 'image/png' },
    }),
  'BRANDING.UNSUPPORTED_IMAGE_TYPE': (c) =>
    c.app.call('PUT', '/api/branding/logo', {
      token: c.partner,
      rawBody: buildGif(),
      headers: { 'content-type': 'image/png' },
    }),
  'CHANGE.NO_CHANGE': async (c) => {
    const { id } = await bought(c.app, c.setup, { quantity: 10 });
    return changeOf(c.app, c.setup, id, { kind: 'quantity', quantity: 10, effective: 'immediately' });
  },
  'CHANGE.CANCEL_AT_RENEWAL': async (c) => {
    const { id } = await bought(c.app, c.setup);
    return changeOf(c.app, c.setup, id, { kind: 'cancel', effective: 'onRenewal' }, c.setup.admin);
  },
  'IDEMPOTENCY.KEY_REUSED': async (c) => {
    const key = `k-${random()}`;
    await buy(c.app, c.setup, { quantity: 3 }, { 'idempotency-key': key });
    return buy(c.app, c.setup, { quantity: 4 }, { 'idempotency-key': key });
  },
  'ASSISTANT.DOCUMENT_NOT_FOUND': (c) =>
    c.app.call('GET', '/api/assistant/documents/no-such-document', { token: c.partner }),
  'RECONCILIATION.MONTH_IN_FUTURE': (c) =>
    c.app.call('POST', `/api/reconciliation/${c.app.services.clock.now().getUTCFullYear() + 1}-01`, {
      token: c.partner,
    }),
  'RECONCILIATION.NOT_FOUND': (c) => c.app.call('GET', '/api/reconciliation/2020-01', { token: c.partner }),
  'PSA.NOT_MAPPED': (c) => c.app.call('GET', '/api/psa/additions/2026-01-01', { token: c.partner }),
  'BRANDING.NO_LOGO': (c) => c.app.call('GET', '/api/branding/logo'),
  'BRANDING.CONTENT_TYPE_MISMATCH': (c) =>
    c.app.call('PUT', '/api/branding/logo', {
      token: c.partner,
      rawBody: buildPng(),
      headers: { 'content-type': 'image/jpeg' },
    }),
  'BRANDING.UNSAFE_SVG': (c) =>
    c.app.call('PUT', '/api/branding/logo', {
      token: c.partner,
      rawBody: buildSvg({ body: '<script>alert(1)</script>' }),
      headers: { 'content-type': 'image/svg+xml' },
    }),
  'CHANGE.DATE_NOT_IN_FUTURE': async (c) => {
    const { id } = await bought(c.app, c.setup);
    const today = c.app.services.clock.now().toISOString().slice(0, 10);
    return changeOf(c.app, c.setup, id, { kind: 'quantity', quantity: 12, effective: 'custom', effectiveDate: today });
  },
  'CHANGE.DATE_AFTER_RENEWAL': async (c) => {
    const { id } = await bought(c.app, c.setup);
    const later = `${c.app.services.clock.now().getUTCFullYear() + 3}-01-01`;
    return changeOf(c.app, c.setup, id, { kind: 'quantity', quantity: 12, effective: 'custom', effectiveDate: later });
  },
  'CHANGE.NOT_AT_RENEWAL': async (c) => {
    const { id } = await bought(c.app, c.setup);
    return changeOf(c.app, c.setup, id, { kind: 'autoRenew', enabled: false, effective: 'onRenewal' }, c.setup.admin);
  },
  'SUBSCRIPTION.NOT_RENEWING': async (c) => {
    const { id } = await bought(c.app, c.setup);
    await changeOf(c.app, c.setup, id, { kind: 'autoRenew', enabled: false, effective: 'immediately' }, c.setup.admin);
    return changeOf(c.app, c.setup, id, { kind: 'quantity', quantity: 12, effective: 'onRenewal' });
  },
  'QUANTITY.ABOVE_MAXIMUM': async (c) => {
    const { id } = await bought(c.app, c.setup);
    return changeOf(c.app, c.setup, id, { kind: 'quantity', quantity: 9000, effective: 'immediately' });
  },
  'DIRECTORY.LICENSE_INHERITED': async (c) => {
    await bought(c.app, c.setup, { quantity: 2 });
    const user = await seedUser(c, 'US');
    const group = await c.directory.seedGroup(c.setup.tenantId, `Group ${random().slice(0, 6)}`, [user.id]);
    const licensed = await c.app.call('POST', `/api/customers/${c.setup.customerId}/m365/groups/${group.id}/licenses`, {
      token: c.setup.modifier,
      body: { add: ['SPB'] },
    });
    expect(licensed.status).toBe(200);
    return c.app.call('POST', users(c, `/${user.id}/licenses`), { token: c.setup.modifier, body: { remove: ['SPB'] } });
  },
  'AGREEMENT.ALREADY_ACCEPTED': async (c) => {
    const setup = await setupCustomer(c.app);
    const list = await c.app.call('GET', `/api/customers/${setup.customerId}/agreements`, { token: setup.viewer });
    const agreementId = (list.body.pending as { id: string }[])[0]?.id;
    const accept = () =>
      c.app.call('POST', `/api/customers/${setup.customerId}/agreements/${agreementId}/accept`, {
        token: setup.admin,
        body: { firstName: 'Ada', lastName: 'Admin', email: 'ada@contoso.example' },
      });
    await accept();
    return accept();
  },
  'TENANT.EXISTS': (c) =>
    c.app.call('POST', `/api/customers/${c.setup.customerId}/tenant`, {
      token: c.partner,
      body: { domainPrefix: `walk${random().slice(0, 8)}`, adminFirstName: 'Ada', adminLastName: 'Admin' },
    }),
  'BILLING_REPORT.NOT_FOUND': (c) =>
    c.app.call('GET', `/api/customers/${c.setup.customerId}/billing-reports/2020-01-01/download`, {
      token: c.setup.viewer,
    }),
  'RECONCILIATION.NOT_IMPORTED': (c) => c.app.call('POST', '/api/reconciliation/2020-02', { token: c.partner }),
  'ASSISTANT.CONVERSATION_NOT_FOUND': (c) =>
    c.app.call('POST', `/api/customers/${c.setup.customerId}/assistant/messages`, {
      token: c.setup.viewer,
      body: { question: 'How do I add seats?', conversationId: random() },
    }),
  'SUBSCRIPTION.INACTIVE': async (c) => {
    const { id } = await bought(c.app, c.setup);
    const cancelled = await changeOf(c.app, c.setup, id, { kind: 'cancel', effective: 'immediately' }, c.setup.admin);
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    return changeOf(c.app, c.setup, id, { kind: 'quantity', quantity: 12, effective: 'immediately' });
  },
  'CLOCK.NOT_FORWARD': (c) =>
    c.app.call('POST', '/api/simulator/clock/advance', { token: c.partner, body: { to: '2001-01-01T00:00:00Z' } }),
};
