import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { buildInvite, invitationTokens, setupPortalCustomer, signIn } from '../support/portal-user-builders.ts';

let app: TestApp;

beforeAll(async () => {
  app = await createTestApp();
});

describe('POST …/portal-users invites and sends in one call', () => {
  it('mails a portal link of the shape {PORTAL_BASE_URL}/invitations/{token} that the invitee accepts', async () => {
    expect(app.config.PORTAL_BASE_URL).toBe('http://localhost:7071');
    const setup = await setupPortalCustomer(app);
    const body = buildInvite();
    const created = await app.call('POST', `/api/customers/${setup.customerId}/portal-users`, {
      token: setup.admin,
      body,
    });
    expect(created.status).toBe(201);
    const tokens = await invitationTokens(app, body.email as string);
    expect(tokens).toHaveLength(1);

    // The ETag answered is the user's current one: a role change with it is accepted.
    const patched = await app.call('PATCH', `/api/customers/${setup.customerId}/portal-users/${created.body.id}`, {
      token: setup.admin,
      body: { role: 'Modify' },
      headers: { 'if-match': created.headers.get('etag') as string },
    });
    expect(patched.status).toBe(200);

    const invitee = await signIn(app, body.email as string);
    const accepted = await app.call('POST', `/api/invitations/${tokens[0]}/accept`, { token: invitee.token });
    expect(accepted).toMatchObject({ status: 200, body: { customerId: setup.customerId, role: 'Modify' } });
  });

  it('sendInvitation=false only creates the user', async () => {
    const setup = await setupPortalCustomer(app);
    const body = buildInvite();
    const created = await app.call('POST', `/api/customers/${setup.customerId}/portal-users?sendInvitation=false`, {
      token: setup.admin,
      body,
    });
    expect(created).toMatchObject({ status: 201, body: { status: 'inactive' } });
    expect(await invitationTokens(app, body.email as string)).toEqual([]);
  });
});
