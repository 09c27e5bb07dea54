import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DirectorySimulator } from '../../src/adapters/directory/simulator.directory.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { bought, setupCustomer, type CustomerSetup } from '../support/subscription-builders.ts';

let app: TestApp;
let directory: DirectorySimulator;

beforeAll(async () => {
  app = await createTestApp();
  directory = app.services.directorySimulator!;
});

const userPath = (setup: CustomerSetup, userId: string) => `/api/customers/${setup.customerId}/m365/users/${userId}`;

async function customerWithUnlocatedUser(seats = 1) {
  const setup = await setupCustomer(app);
  if (seats) await bought(app, setup, { quantity: seats, confirmBillingChange: true });
  const user = await directory.seedUser(setup.tenantId, {
    displayName: 'Lee Gu',
    userPrincipalName: `lee.gu@${setup.tenantId.slice(0, 8)}.example`,
  });
  return { setup, user };
}

const logOf = async (setup: CustomerSetup) =>
  (await app.call('GET', `/api/customers/${setup.customerId}/change-log`, { token: setup.viewer })).body.items as {
    action: string;
    detail?: string;
    before?: Record<string, unknown>;
    after?: Record<string, unknown>;
  }[];

describe('PATCH …/m365/users/{userId}', () => {
  it('sets the usage location a license assignment asked for, after which the assignment succeeds', async () => {
    const { setup, user } = await customerWithUnlocatedUser();
    const refused = await app.call('POST', `${userPath(setup, user.id)}/licenses`, {
      token: setup.modifier,
      body: { add: ['SPB'] },
    });
    expect(refused).toMatchObject({ status: 409, body: { code: 'DIRECTORY.USAGE_LOCATION_REQUIRED' } });

    const set = await app.call('PATCH', userPath(setup, user.id), {
      token: setup.modifier,
      body: { usageLocation: 'GB', jobTitle: 'Finance lead', businessPhones: ['+44 20 7946 0000'] },
    });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({
      id: user.id,
      usageLocation: 'GB',
      jobTitle: 'Finance lead',
      businessPhones: ['+44 20 7946 0000'],
    });
    expect((await directory.getUser(setup.tenantId, user.id)).usageLocation).toBe('GB');

    const assigned = await app.call('POST', `${userPath(setup, user.id)}/licenses`, {
      token: setup.modifier,
      body: { add: ['SPB'] },
    });
    expect(assigned.status).toBe(200);
    expect(assigned.body.licenses.map((l: { skuPartNumber: string }) => l.skuPartNumber)).toEqual(['SPB']);

    const entry = (await logOf(setup)).find((e) => e.action === 'updateM365User');
    expect(entry?.detail).toBe(
      `${user.userPrincipalName}: usageLocation — → GB, jobTitle — → Finance lead, businessPhones — → +44 20 7946 0000`,
    );
    expect(entry?.after).toEqual({
      usageLocation: 'GB',
      jobTitle: 'Finance lead',
      businessPhones: ['+44 20 7946 0000'],
    });
  });

  it('is idempotent: the same request again changes and logs nothing; null clears a property', async () => {
    const { setup, user } = await customerWithUnlocatedUser(0);
    const body = { usageLocation: 'DE', department: 'Sales' };
    expect((await app.call('PATCH', userPath(setup, user.id), { token: setup.admin, body })).status).toBe(200);
    const again = await app.call('PATCH', userPath(setup, user.id), { token: setup.admin, body });
    expect(again).toMatchObject({ status: 200, body: { usageLocation: 'DE', department: 'Sales' } });
    expect((await logOf(setup)).filter((e) => e.action === 'updateM365User')).toHaveLength(1);

    const cleared = await app.call('PATCH', userPath(setup, user.id), {
      token: setup.admin,
      body: { department: null },
    });
    expect(cleared.status).toBe(200);
    expect(cleared.body.department).toBeUndefined();
    const logged = (await logOf(setup)).filter((e) => e.action === 'updateM365User');
    expect(logged).toHaveLength(2);
    expect(logged.map((e) => e.detail)).toContain(`${user.userPrincipalName}: department Sales → —`);
  });

  it('refuses a View user (403) and bad input (400 naming the field), changing nothing', async () => {
    const { setup, user } = await customerWithUnlocatedUser(0);
    const viewer = await app.call('PATCH', userPath(setup, user.id), {
      token: setup.viewer,
      body: { usageLocation: 'GB' },
    });
    expect(viewer.status).toBe(403);
    for (const [body, field] of [
      [{ usageLocation: 'XX' }, 'body.usageLocation'],
      [{ usageLocation: 'gb' }, 'body.usageLocation'],
      [{ preferredLanguage: 'English' }, 'body.preferredLanguage'],
      [{ businessPhones: ['+1 425 555 0100', '+1 425 555 0101'] }, 'body.businessPhones'],
      [{ jobTitle: 'x'.repeat(129) }, 'body.jobTitle'],
      [{ displayName: null }, 'body.displayName'],
      [{ userPrincipalName: 'x@y.example' }, 'body'],
      [{}, 'body.usageLocation'],
    ] as const) {
      const answer = await app.call('PATCH', userPath(setup, user.id), { token: setup.modifier, body });
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.headers.get('content-type')).toBe('application/problem+json');
      expect(
        answer.body.errors.map((e: { path: string }) => e.path),
        JSON.stringify(body),
      ).toContain(field);
    }
    expect((await directory.getUser(setup.tenantId, user.id)).usageLocation).toBeUndefined();
    expect((await logOf(setup)).filter((e) => e.action === 'updateM365User')).toHaveLength(0);
  });

  it('answers 404 DIRECTORY.USER_NOT_FOUND for a user not in the tenant', async () => {
    const { setup } = await customerWithUnlocatedUser(0);
    const answer = await app.call('PATCH', userPath(setup, randomUUID()), {
      token: setup.modifier,
      body: { usageLocation: 'GB' },
    });
    expect(answer).toMatchObject({ status: 404, body: { code: 'DIRECTORY.USER_NOT_FOUND' } });
  });
});
