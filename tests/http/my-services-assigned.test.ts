import { beforeAll, describe, expect, it } from 'vitest';
import type { DirectorySimulator } from '../../src/adapters/directory/simulator.directory.ts';
import { simulatedSkuId } from '../../src/adapters/directory/simulator.directory.ts';
import { ASSIGNED_MAX_AGE_MS, refreshStaleAssignedLicenses } from '../../src/app/subscriptions/assigned-licenses.ts';
import { testClock, type TestClock } from '../support/clock.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { bought, setupCustomer, type CustomerSetup } from '../support/subscription-builders.ts';

/**
 * My Services' "assigned" after licenses change outside the portal (the Microsoft 365 admin center, here the
 * directory simulator changed directly): read from the directory when the stored count is a minute old, not at
 * the next sync; no directory call otherwise; a throttled directory leaves the stored count, asked again only
 * after its Retry-After.
 */
let app: TestApp;
let clock: TestClock;
let directory: DirectorySimulator;
const SPB = simulatedSkuId('SPB');

beforeAll(async () => {
  clock = testClock('2026-03-10T09:00:00.000Z');
  app = await createTestApp({}, { clock });
  directory = app.services.directorySimulator!;
});

const later = (ms: number) => clock.set(new Date(clock.now().getTime() + ms).toISOString());

async function customerWithSeats(seats: number) {
  const setup = await setupCustomer(app);
  await bought(app, setup, { quantity: seats, confirmBillingChange: true });
  const users: { id: string }[] = [];
  for (const name of ['Adele Vance', 'Alex Wilber', 'Megan Bowen']) {
    users.push(
      await directory.seedUser(setup.tenantId, {
        displayName: name,
        userPrincipalName: `${name.toLowerCase().replace(/\W+/g, '.')}@${setup.tenantId.slice(0, 8)}.example`,
        usageLocation: 'US',
      }),
    );
  }
  // Outside the portal: what an admin does in the Microsoft 365 admin center.
  const assignInAdminCenter = (index: number) =>
    directory.assignLicenses(setup.tenantId, users[index]!.id, {
      add: [SPB],
      remove: [],
    });
  return { setup, assignInAdminCenter };
}

async function assignedOnMyServices(setup: CustomerSetup): Promise<number[]> {
  const response = await app.call('GET', `/api/customers/${setup.customerId}/subscriptions`, { token: setup.viewer });
  expect(response.status).toBe(200);
  return response.body.contracts.flatMap((c: { subscriptions: { assignedQuantity: number }[] }) =>
    c.subscriptions.map((s) => s.assignedQuantity),
  );
}

/** Whether the directory was left alone: a planned fault still waits for the next directory call. */
async function directoryLeftAlone(tenantId: string): Promise<boolean> {
  return directory.subscribedSkus(tenantId).then(
    () => false,
    () => true,
  );
}

describe('My Services’ assigned licenses', () => {
  it('shows a license assigned in the admin center when the page is opened a minute later, with no sync', async () => {
    const { setup, assignInAdminCenter } = await customerWithSeats(3);
    expect(await assignedOnMyServices(setup)).toEqual([0]);
    await assignInAdminCenter(0);
    // Read from the directory a moment ago: the stored count is shown and the directory is not asked.
    later(10_000);
    directory.failNext({ status: 500 });
    expect(await assignedOnMyServices(setup)).toEqual([0]);
    expect(await directoryLeftAlone(setup.tenantId)).toBe(true);
    // Older than the short time: read again when the customer opens the page.
    later(ASSIGNED_MAX_AGE_MS);
    expect(await assignedOnMyServices(setup)).toEqual([1]);
    await assignInAdminCenter(1);
    later(ASSIGNED_MAX_AGE_MS + 1);
    expect(await assignedOnMyServices(setup)).toEqual([2]);
    const stored = await app.services.customerData.services(setup.customerId);
    expect(stored.subscriptions.map((s) => s.value.assignedAt)).toEqual([clock.now().toISOString()]);
  });

  it('shows the stored count while Microsoft throttles, and asks again only after the Retry-After', async () => {
    const { setup, assignInAdminCenter } = await customerWithSeats(3);
    expect(await assignedOnMyServices(setup)).toEqual([0]);
    await assignInAdminCenter(0);
    later(ASSIGNED_MAX_AGE_MS + 1);
    directory.failNext({ status: 429, retryAfterSeconds: 30 });
    expect(await assignedOnMyServices(setup)).toEqual([0]); // the page still answers, with what it has
    later(20_000);
    directory.failNext({ status: 500 });
    expect(await assignedOnMyServices(setup)).toEqual([0]);
    expect(await directoryLeftAlone(setup.tenantId)).toBe(true);
    later(11_000);
    expect(await assignedOnMyServices(setup)).toEqual([1]);
  });

  it('leaves a subscription changed meanwhile as that change wrote it (ETag), for the next view to refresh', async () => {
    const { setup, assignInAdminCenter } = await customerWithSeats(3);
    expect(await assignedOnMyServices(setup)).toEqual([0]);
    await assignInAdminCenter(0);
    later(ASSIGNED_MAX_AGE_MS + 1);
    const before = await app.services.customerData.services(setup.customerId);
    const [record] = before.subscriptions;
    // Someone else's write lands between this view's read and its refresh.
    await app.services.customerData.commit(setup.customerId, {
      subscriptions: [{ value: { ...record!.value, autoRenew: !record!.value.autoRenew }, etag: record!.etag }],
    });
    await expect(refreshStaleAssignedLicenses(app.services, setup.customerId, before.subscriptions)).resolves.toBe(
      true,
    );
    const after = (await app.services.customerData.subscription(setup.customerId, record!.value.id))!.value;
    expect(after).toMatchObject({ autoRenew: !record!.value.autoRenew, assignedQuantity: 0 });
    expect(await assignedOnMyServices(setup)).toEqual([1]);
  });
});
