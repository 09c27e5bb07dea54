import { randomUUID } from 'node:crypto';
import {
  invite,
  sendInvitation,
  setupPortalCustomer,
  signIn,
  type PortalSetup,
} from '../../support/portal-user-builders.ts';
import type { TestApp } from '../../support/test-app.ts';
import { race, type Reach } from './context.ts';

const accept = (app: TestApp, token: string, signedIn: string) =>
  app.call('POST', `/api/invitations/${token}/accept`, { token: signedIn });
const userPath = (setup: PortalSetup, userId: string) => `/api/customers/${setup.customerId}/portal-users/${userId}`;

async function patchUser(app: TestApp, setup: PortalSetup, userId: string, body: Record<string, unknown>) {
  const current = await app.call('GET', userPath(setup, userId), { token: setup.admin });
  return app.call('PATCH', userPath(setup, userId), {
    token: setup.admin,
    body,
    headers: { 'if-match': current.headers.get('etag') ?? '' },
  });
}

/** An invited user, its invitation sent: the token from the mailed link. */
async function invited(app: TestApp, setup?: PortalSetup) {
  const customer = setup ?? (await setupPortalCustomer(app));
  const user = await invite(app, customer);
  return { setup: customer, user, token: await sendInvitation(app, customer, user) };
}

/** Portal users and their invitations (mail goes to the folder notifier, read back from DATA_DIR). */
export const portalUserCodes: Record<string, Reach> = {
  'PORTAL_USER.LAST_ADMIN': async (c) => {
    const setup = await setupPortalCustomer(c.app);
    return patchUser(c.app, setup, setup.adminUserId, { role: 'Modify' });
  },
  'PORTAL_USER.ALREADY_ACTIVE': async (c) => {
    const { setup, user, token } = await invited(c.app);
    await accept(c.app, token, (await signIn(c.app, user.email)).token);
    return c.app.call('POST', `${userPath(setup, user.id)}/invitation`, { token: setup.admin });
  },
  'PORTAL_USER.DISABLED': async (c) => {
    const setup = await setupPortalCustomer(c.app);
    const user = await invite(c.app, setup);
    await patchUser(c.app, setup, user.id, { portalAccess: 'disabled' });
    return c.app.call('POST', `${userPath(setup, user.id)}/invitation`, { token: setup.admin });
  },
  'PORTAL_USER.CHANGED': async (c) => {
    const setup = await setupPortalCustomer(c.app);
    return race('PORTAL_USER.CHANGED', async () => {
      const user = await invite(c.app, setup);
      const send = () => c.app.call('POST', `${userPath(setup, user.id)}/invitation`, { token: setup.admin });
      return Promise.all([send(), send()]);
    });
  },
  'PORTAL_USER.IDENTITY_ALREADY_BOUND': async (c) => {
    const setup = await setupPortalCustomer(c.app);
    const identity = { tenantId: randomUUID(), objectId: randomUUID() };
    const first = await invited(c.app, setup);
    await accept(c.app, first.token, (await signIn(c.app, first.user.email, identity)).token);
    const second = await invited(c.app, setup);
    return accept(c.app, second.token, (await signIn(c.app, second.user.email, identity)).token);
  },
  'INVITATION.ALREADY_ACCEPTED': async (c) => {
    const { user, token } = await invited(c.app);
    const invitee = await signIn(c.app, user.email);
    await accept(c.app, token, invitee.token);
    return accept(c.app, token, invitee.token);
  },
  'INVITATION.SUPERSEDED': async (c) => {
    // A newer invitation is being sent: the user row already names it, and the old link's row is not removed yet
    // (the table write that removes it is held back for the moment, as a slow storage call would be).
    const { setup, user, token } = await invited(c.app);
    const store = c.app.services.portalUsers;
    const remove = store.deleteInvitation.bind(store);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let reached!: () => void;
    const removing = new Promise<void>((resolve) => (reached = resolve));
    store.deleteInvitation = async (hash) => {
      store.deleteInvitation = remove;
      reached();
      await held;
      return remove(hash);
    };
    const resend = c.app.call('POST', `${userPath(setup, user.id)}/invitation`, { token: setup.admin });
    await removing;
    try {
      return await accept(c.app, token, (await signIn(c.app, user.email)).token);
    } finally {
      release();
      await resend;
    }
  },
  'INVITATION.EXPIRED': async ({ clocked: { app, clock } }) => {
    const { user, token } = await invited(app);
    clock.advanceHours(app.config.INVITATION_TTL_HOURS + 1);
    return accept(app, token, (await signIn(app, user.email)).token);
  },
  'INVITATION.USER_DISABLED': async (c) => {
    const { setup, user, token } = await invited(c.app);
    await patchUser(c.app, setup, user.id, { portalAccess: 'disabled' });
    return accept(c.app, token, (await signIn(c.app, user.email)).token);
  },
  'INVITATION.WRONG_ACCOUNT': async (c) => {
    const { token } = await invited(c.app);
    return accept(c.app, token, (await signIn(c.app, 'mallory@elsewhere.example')).token);
  },
};
