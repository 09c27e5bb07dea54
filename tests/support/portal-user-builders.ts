import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { registerPortalUser } from '../../src/app/portal-users/portal-users.ts';
import type { CustomerRole } from '../../src/domain/roles.ts';
import { buildCustomerFields, type TestApp } from './test-app.ts';

/** A customer with one active portal Admin (bound to a Microsoft identity of the customer's tenant). */
export interface PortalSetup {
  customerId: string;
  customerName: string;
  partner: string;
  /** Token of the active portal admin. */
  admin: string;
  adminUserId: string;
}

export async function setupPortalCustomer(app: TestApp, overrides: Record<string, unknown> = {}): Promise<PortalSetup> {
  const partner = await app.tokens.partnerAdmin();
  const customerName = `Customer ${randomUUID().slice(0, 8)}`;
  const created = await app.call('POST', '/api/customers', {
    token: partner,
    body: buildCustomerFields({ name: customerName, ...overrides }),
  });
  expect(created.status).toBe(201);
  const customerId: string = created.body.id;
  const { token, userId } = await activeUser(app, customerId, 'Admin');
  return { customerId, customerName, partner, admin: token, adminUserId: userId };
}

/** An active portal user with the role, as `npm run token` makes one; returns its token. */
export async function activeUser(
  app: TestApp,
  customerId: string,
  role: CustomerRole,
  email = `${role.toLowerCase()}.${randomUUID().slice(0, 6)}@customer.example`,
) {
  const identity = { tenantId: randomUUID(), objectId: randomUUID() };
  const user = await registerPortalUser(app.services, {
    customerId,
    email,
    firstName: 'Ada',
    lastName: 'Admin',
    role,
    identity,
  });
  return { token: await app.tokens.sign({ ...identity, email }), userId: user.value.id, identity };
}

export function buildInvite(overrides: Record<string, unknown> = {}) {
  return {
    firstName: 'Dana',
    lastName: 'Reyes',
    email: `dana.${randomUUID().slice(0, 8)}@fabrikam.example`,
    ...overrides,
  };
}

/** Creates the portal user without mailing the invitation (`sendInvitation=false`); `sendInvitation` sends it. */
export async function invite(app: TestApp, setup: PortalSetup, overrides: Record<string, unknown> = {}) {
  const response = await app.call('POST', `/api/customers/${setup.customerId}/portal-users?sendInvitation=false`, {
    token: setup.admin,
    body: buildInvite(overrides),
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as { id: string; email: string; etag: string; status: string; role: string };
}

/** Sends the invitation and returns the token from the link in the mail. */
export async function sendInvitation(
  app: TestApp,
  setup: PortalSetup,
  user: { id: string; email: string },
): Promise<string> {
  const before = await invitationTokens(app, user.email);
  const response = await app.call('POST', `/api/customers/${setup.customerId}/portal-users/${user.id}/invitation`, {
    token: setup.admin,
  });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  const fresh = (await invitationTokens(app, user.email)).filter((token) => !before.includes(token));
  expect(fresh).toHaveLength(1);
  return fresh[0]!;
}

export interface SentMail {
  id: string;
  to: string;
  subject: string;
  text: string;
  kind: string;
}

/** The mail the folder notifier wrote under DATA_DIR/mail. */
export async function mailbox(app: TestApp): Promise<SentMail[]> {
  const folder = path.join(app.config.DATA_DIR, 'mail');
  const files = await readdir(folder).catch(() => [] as string[]);
  return Promise.all(
    files.sort().map(async (file) => JSON.parse(await readFile(path.join(folder, file), 'utf8')) as SentMail),
  );
}

/** The tokens of every invitation link mailed to the address. */
export async function invitationTokens(app: TestApp, to: string): Promise<string[]> {
  const link = new RegExp(
    `${app.config.PORTAL_BASE_URL.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}/invitations/([A-Za-z0-9_-]{43})`,
  );
  return (await mailbox(app))
    .filter((m) => m.to === to && m.kind === 'invitation')
    .map((m) => link.exec(m.text)?.[1] ?? '');
}

/** A signed-in Microsoft account of any tenant. */
export async function signIn(
  app: TestApp,
  email: string,
  identity = { tenantId: randomUUID(), objectId: randomUUID() },
) {
  return { token: await app.tokens.sign({ ...identity, email }), identity };
}

/** The portal user row and the invitee's memberships, to show that a refused request changed nothing. */
export async function snapshot(
  app: TestApp,
  customerId: string,
  userId: string,
  identity: { tenantId: string; objectId: string },
) {
  return {
    user: await app.services.portalUsers.get(customerId, userId),
    memberships: await app.services.access.membershipsOf(identity.tenantId, identity.objectId),
  };
}
