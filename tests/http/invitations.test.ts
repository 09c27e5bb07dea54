import { randomBytes, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { testClock, type TestClock } from '../support/clock.ts';
import {
  invitationTokens,
  invite,
  mailbox,
  sendInvitation,
  setupPortalCustomer,
  signIn,
  snapshot,
  type PortalSetup,
} from '../support/portal-user-builders.ts';

let app: TestApp;
let clock: TestClock;

beforeAll(async () => {
  clock = testClock(new Date().toISOString());
  app = await createTestApp(
    { PORTAL_BASE_URL: 'https://portal.partner.example', INVITATION_TTL_HOURS: '48' },
    { clock },
  );
});

const accept = (token: string, signedIn: string) =>
  app.call('POST', `/api/invitations/${token}/accept`, { token: signedIn });
const me = async (token: string) => (await app.call('GET', '/api/me', { token })).body.customers;
const userPath = (setup: PortalSetup, userId: string) => `/api/customers/${setup.customerId}/portal-users/${userId}`;

async function patchUser(setup: PortalSetup, userId: string, body: Record<string, unknown>, token = setup.admin) {
  const current = await app.call('GET', userPath(setup, userId), { token: setup.admin });
  return app.call('PATCH', userPath(setup, userId), {
    token,
    body,
    headers: { 'if-match': current.headers.get('etag') ?? '' },
  });
}

/** Expects a problem+json refusal with the code, and the snapshot taken before to hold still. */
async function expectRefused(
  response: Awaited<ReturnType<typeof accept>>,
  status: number,
  code: string,
  before: Awaited<ReturnType<typeof snapshot>>,
  after: () => ReturnType<typeof snapshot>,
) {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  expect(response.body.code).toBe(code);
  expect(await after()).toEqual(before);
}

describe('portal users and invitations, end to end (F-USERS)', () => {
  it('invite → send → the mail has the link → accept → /api/me has the role → role change → disable → 403', async () => {
    const setup = await setupPortalCustomer(app);
    const user = await invite(app, setup, { firstName: 'Erin', lastName: 'Lee' });
    expect(user).toMatchObject({ status: 'inactive', role: 'View', portalAccess: 'enabled' });
    const inactive = await app.call('GET', `/api/customers/${setup.customerId}/portal-users?status=inactive`, {
      token: setup.admin,
    });
    expect(inactive.body.items.map((u: { id: string }) => u.id)).toEqual([user.id]);

    const token = await sendInvitation(app, setup, user);
    const mail = (await mailbox(app)).find((m) => m.to === user.email);
    expect(mail).toMatchObject({ kind: 'invitation', subject: expect.stringContaining(setup.customerName) });
    expect(mail?.text).toContain(`https://portal.partner.example/invitations/${token}`);
    const stored = await app.services.portalUsers.get(setup.customerId, user.id);
    expect(JSON.stringify(stored)).not.toContain(token);

    const invitee = await signIn(app, user.email.toUpperCase());
    const accepted = await accept(token, invitee.token);
    expect(accepted).toMatchObject({
      status: 200,
      body: { customerId: setup.customerId, userId: user.id, role: 'View' },
    });
    expect(await me(invitee.token)).toEqual([
      { customerId: setup.customerId, customerName: setup.customerName, role: 'View' },
    ]);
    const active = await app.call('GET', `/api/customers/${setup.customerId}/portal-users?status=active`, {
      token: setup.admin,
    });
    expect(active.body.items.map((u: { id: string }) => u.id)).toContain(user.id);
    expect(
      (await app.call('GET', `/api/customers/${setup.customerId}/subscriptions`, { token: invitee.token })).status,
    ).toBe(200);

    expect((await patchUser(setup, user.id, { role: 'Modify' })).body).toMatchObject({
      role: 'Modify',
      status: 'active',
    });
    expect(await me(invitee.token)).toEqual([
      { customerId: setup.customerId, customerName: setup.customerName, role: 'Modify' },
    ]);

    expect((await patchUser(setup, user.id, { portalAccess: 'disabled' })).body).toMatchObject({ status: 'disabled' });
    const refused = await app.call('GET', `/api/customers/${setup.customerId}/subscriptions`, { token: invitee.token });
    expect(refused).toMatchObject({ status: 403, body: { code: 'AUTH.NO_ACCESS' } });
    expect(await me(invitee.token)).toEqual([]);
    const disabled = await app.call('GET', `/api/customers/${setup.customerId}/portal-users?status=disabled`, {
      token: setup.admin,
    });
    expect(disabled.body.items.map((u: { id: string }) => u.id)).toEqual([user.id]);

    expect((await patchUser(setup, user.id, { portalAccess: 'enabled' })).body).toMatchObject({
      status: 'active',
      role: 'Modify',
    });
    expect(await me(invitee.token)).toEqual([
      { customerId: setup.customerId, customerName: setup.customerName, role: 'Modify' },
    ]);
  });

  it('gives a new user the View role unless another is asked, and refuses the same address twice', async () => {
    const setup = await setupPortalCustomer(app);
    const admin = await invite(app, setup, { role: 'Admin', email: 'Kim@Fabrikam.example' });
    expect(admin).toMatchObject({ role: 'Admin', email: 'kim@fabrikam.example' });
    const again = await app.call('POST', `/api/customers/${setup.customerId}/portal-users`, {
      token: setup.admin,
      body: { firstName: 'K', lastName: 'M', email: 'kim@fabrikam.example' },
    });
    expect(again).toMatchObject({ status: 409, body: { code: 'PORTAL_USER.EMAIL_TAKEN' } });
    const bad = await app.call('POST', `/api/customers/${setup.customerId}/portal-users`, {
      token: setup.admin,
      body: { firstName: 'K', lastName: 'M', email: 'not-an-address' },
    });
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.email']);
  });

  it('pages the list with a continuation token', async () => {
    const setup = await setupPortalCustomer(app);
    for (let i = 0; i < 3; i += 1) await invite(app, setup);
    const first = await app.call('GET', `/api/customers/${setup.customerId}/portal-users?pageSize=2`, {
      token: setup.admin,
    });
    expect(first.body.items).toHaveLength(2);
    const second = await app.call(
      'GET',
      `/api/customers/${setup.customerId}/portal-users?pageSize=2&continuationToken=${encodeURIComponent(first.body.continuationToken)}`,
      { token: setup.admin },
    );
    expect(second.body.items).toHaveLength(2);
    expect(second.body.continuationToken).toBeUndefined();
  });
});

describe('POST /api/invitations/{token}/accept refuses, changing nothing', () => {
  let setup: PortalSetup;
  beforeAll(async () => {
    setup = await setupPortalCustomer(app);
  });

  it('an expired invitation', async () => {
    const user = await invite(app, setup);
    const token = await sendInvitation(app, setup, user);
    const invitee = await signIn(app, user.email);
    const before = await snapshot(app, setup.customerId, user.id, invitee.identity);
    clock.advanceHours(48);
    try {
      await expectRefused(await accept(token, invitee.token), 409, 'INVITATION.EXPIRED', before, () =>
        snapshot(app, setup.customerId, user.id, invitee.identity),
      );
    } finally {
      clock.set(new Date().toISOString());
    }
  });

  it('an invitation used already', async () => {
    const user = await invite(app, setup);
    const token = await sendInvitation(app, setup, user);
    const invitee = await signIn(app, user.email);
    expect((await accept(token, invitee.token)).status).toBe(200);
    const before = await snapshot(app, setup.customerId, user.id, invitee.identity);
    await expectRefused(await accept(token, invitee.token), 409, 'INVITATION.ALREADY_ACCEPTED', before, () =>
      snapshot(app, setup.customerId, user.id, invitee.identity),
    );
    const someoneElse = await signIn(app, user.email);
    const otherBefore = await snapshot(app, setup.customerId, user.id, someoneElse.identity);
    await expectRefused(await accept(token, someoneElse.token), 409, 'INVITATION.ALREADY_ACCEPTED', otherBefore, () =>
      snapshot(app, setup.customerId, user.id, someoneElse.identity),
    );
  });

  it('a signed-in account with another e-mail', async () => {
    const user = await invite(app, setup);
    const token = await sendInvitation(app, setup, user);
    const intruder = await signIn(app, 'mallory@elsewhere.example');
    const before = await snapshot(app, setup.customerId, user.id, intruder.identity);
    await expectRefused(await accept(token, intruder.token), 403, 'INVITATION.WRONG_ACCOUNT', before, () =>
      snapshot(app, setup.customerId, user.id, intruder.identity),
    );
    const noEmail = { tenantId: randomUUID(), objectId: randomUUID() };
    const anonymousMail = await app.tokens.sign(noEmail);
    await expectRefused(
      await accept(token, anonymousMail),
      403,
      'INVITATION.WRONG_ACCOUNT',
      await snapshot(app, setup.customerId, user.id, noEmail),
      () => snapshot(app, setup.customerId, user.id, noEmail),
    );
  });

  it('a disabled user', async () => {
    const user = await invite(app, setup);
    const token = await sendInvitation(app, setup, user);
    expect((await patchUser(setup, user.id, { portalAccess: 'disabled' })).status).toBe(200);
    const invitee = await signIn(app, user.email);
    const before = await snapshot(app, setup.customerId, user.id, invitee.identity);
    await expectRefused(await accept(token, invitee.token), 403, 'INVITATION.USER_DISABLED', before, () =>
      snapshot(app, setup.customerId, user.id, invitee.identity),
    );
  });

  it('an unknown or forged token, and one replaced by a newer invitation', async () => {
    const user = await invite(app, setup);
    const first = await sendInvitation(app, setup, user);
    const second = await sendInvitation(app, setup, user);
    const invitee = await signIn(app, user.email);
    const before = await snapshot(app, setup.customerId, user.id, invitee.identity);
    const after = () => snapshot(app, setup.customerId, user.id, invitee.identity);
    await expectRefused(
      await accept(randomBytes(32).toString('base64url'), invitee.token),
      404,
      'INVITATION.NOT_FOUND',
      before,
      after,
    );
    await expectRefused(await accept(first, invitee.token), 404, 'INVITATION.NOT_FOUND', before, after);
    await expectRefused(await accept('not-a-token', invitee.token), 400, 'REQUEST.INVALID', before, after);
    expect((await accept(second, invitee.token)).status).toBe(200);
  });

  it('an account bound to another user of the customer already', async () => {
    const first = await invite(app, setup, { email: 'sam@fabrikam.example' });
    const identity = { tenantId: randomUUID(), objectId: randomUUID() };
    expect(
      (await accept(await sendInvitation(app, setup, first), (await signIn(app, first.email, identity)).token)).status,
    ).toBe(200);
    // The same Microsoft account, renamed since: its new address is invited as another user.
    const second = await invite(app, setup, { email: 'samantha@fabrikam.example' });
    const token = await sendInvitation(app, setup, second);
    const renamed = await signIn(app, second.email, identity);
    const before = await snapshot(app, setup.customerId, second.id, identity);
    await expectRefused(await accept(token, renamed.token), 409, 'PORTAL_USER.IDENTITY_ALREADY_BOUND', before, () =>
      snapshot(app, setup.customerId, second.id, identity),
    );
  });

  it('binds a token issued for customer A to A only, never to B', async () => {
    const a = setup;
    const b = await setupPortalCustomer(app);
    const email = `pat.${randomUUID().slice(0, 6)}@shared.example`;
    const userA = await invite(app, a, { email });
    const userB = await invite(app, b, { email });
    const tokenA = await sendInvitation(app, a, userA);
    const invitee = await signIn(app, email);
    const bBefore = await app.services.portalUsers.get(b.customerId, userB.id);

    expect(await accept(tokenA, invitee.token)).toMatchObject({
      status: 200,
      body: { customerId: a.customerId, userId: userA.id },
    });
    expect(await me(invitee.token)).toEqual([{ customerId: a.customerId, customerName: a.customerName, role: 'View' }]);
    expect(await app.services.portalUsers.get(b.customerId, userB.id)).toEqual(bBefore);
    expect(
      (await app.call('GET', `/api/customers/${b.customerId}/subscriptions`, { token: invitee.token })).status,
    ).toBe(403);

    // B's own invitation still binds to B, separately.
    expect((await accept(await sendInvitation(app, b, userB), invitee.token)).body).toMatchObject({
      customerId: b.customerId,
      userId: userB.id,
    });
    expect((await me(invitee.token)).map((m: { customerId: string }) => m.customerId).sort()).toEqual(
      [a.customerId, b.customerId].sort(),
    );
  });
});

describe('sending invitations', () => {
  it('refuses an active or disabled user (409) and keeps the token out of every answer', async () => {
    const setup = await setupPortalCustomer(app);
    const user = await invite(app, setup);
    const send = () =>
      app.call('POST', `/api/customers/${setup.customerId}/portal-users/${user.id}/invitation`, { token: setup.admin });
    const sent = await send();
    expect(sent.body).toMatchObject({
      sentTo: user.email,
      user: { status: 'inactive', invitation: { expiresAt: sent.body.expiresAt } },
    });
    const [token] = await invitationTokens(app, user.email);
    expect(JSON.stringify(sent.body)).not.toContain(token);
    expect(Date.parse(sent.body.expiresAt) - clock.now().getTime()).toBe(48 * 3_600_000);
    expect((await accept(token!, (await signIn(app, user.email)).token)).status).toBe(200);
    expect((await send()).body.code).toBe('PORTAL_USER.ALREADY_ACTIVE');
    expect((await patchUser(setup, user.id, { portalAccess: 'disabled' })).status).toBe(200);
    expect((await send()).body.code).toBe('PORTAL_USER.DISABLED');
  });
});

describe('PATCH /api/customers/{customerId}/portal-users/{userId}', () => {
  it('needs If-Match (428) and refuses a stale one (412)', async () => {
    const setup = await setupPortalCustomer(app);
    const user = await invite(app, setup);
    const path = userPath(setup, user.id);
    expect((await app.call('PATCH', path, { token: setup.admin, body: { role: 'Admin' } })).status).toBe(428);
    expect(
      (
        await app.call('PATCH', path, {
          token: setup.admin,
          body: { role: 'Admin' },
          headers: { 'if-match': user.etag },
        })
      ).status,
    ).toBe(200);
    const stale = await app.call('PATCH', path, {
      token: setup.admin,
      body: { role: 'View' },
      headers: { 'if-match': user.etag },
    });
    expect(stale).toMatchObject({ status: 412, body: { code: 'REQUEST.STALE_ETAG' } });
    expect((await app.call('GET', path, { token: setup.admin })).body.role).toBe('Admin');
  });

  it('keeps the last active admin from demoting or disabling themselves (409), not when another admin remains', async () => {
    const setup = await setupPortalCustomer(app);
    for (const change of [{ role: 'Modify' }, { portalAccess: 'disabled' }]) {
      const refused = await patchUser(setup, setup.adminUserId, change);
      expect(refused).toMatchObject({ status: 409, body: { code: 'PORTAL_USER.LAST_ADMIN' } });
    }
    expect(await me(setup.admin)).toEqual([expect.objectContaining({ role: 'Admin' })]);

    const second = await invite(app, setup, { role: 'Admin' });
    await accept(await sendInvitation(app, setup, second), (await signIn(app, second.email)).token);
    expect((await patchUser(setup, setup.adminUserId, { role: 'View' })).body).toMatchObject({ role: 'View' });
    expect(await me(setup.admin)).toEqual([expect.objectContaining({ role: 'View' })]);
  });

  it('lets a partner admin demote the last customer admin (the rule is about oneself)', async () => {
    const setup = await setupPortalCustomer(app);
    expect((await patchUser(setup, setup.adminUserId, { role: 'Modify' }, setup.partner)).status).toBe(200);
  });

  it('answers 404 for a user of another customer', async () => {
    const a = await setupPortalCustomer(app);
    const b = await setupPortalCustomer(app);
    const userOfB = await invite(app, b);
    const response = await app.call('GET', userPath(a, userOfB.id), { token: a.admin });
    expect(response).toMatchObject({ status: 404, body: { code: 'PORTAL_USER.NOT_FOUND' } });
  });
});
