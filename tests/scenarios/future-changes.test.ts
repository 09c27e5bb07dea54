import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { applyDueChange } from '../../src/app/future/apply-due-change.ts';
import type { FutureDeps } from '../../src/app/future/deps.ts';
import { sweepDueChanges } from '../../src/app/future/sweep.ts';
import type { ChangeMessage } from '../../src/app/ports/change-queue.port.ts';
import { InProcessQueue } from '../../src/adapters/queue/in-process-queue.ts';
import { applyChange } from '../../src/jobs/future-changes.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { testClock, type TestClock } from '../support/clock.ts';
import {
  bought,
  changeOf,
  readSubscription,
  setupCustomer,
  type CustomerSetup,
} from '../support/subscription-builders.ts';

/**
 * F-FUTURE with a fixed clock and the real stores on Azurite: a scheduled change is applied exactly once
 * whatever happens to its messages and whatever crashes, and a failure is visible with its reason.
 */
let app: TestApp;
let clock: TestClock;
let setup: CustomerSetup;

beforeEach(async () => {
  clock = testClock('2026-03-01T09:00:00Z');
  app = await createTestApp({ APPLY_LEASE_SECONDS: '60', CHANGE_MAX_DELIVERIES: '3' }, { clock });
  setup = await setupCustomer(app);
});

async function schedule(
  subscriptionId: string,
  body: Record<string, unknown>,
  token = setup.admin,
): Promise<ChangeMessage> {
  const response = await changeOf(app, setup, subscriptionId, body, token);
  expect(response.status, JSON.stringify(response.body)).toBe(202);
  return { changeId: response.body.futureChange.id, customerId: setup.customerId, subscriptionId };
}

async function futureChange(changeId: string) {
  const list = await app.call('GET', `/api/customers/${setup.customerId}/future-changes`, { token: setup.viewer });
  return list.body.items.find((c: { id: string }) => c.id === changeId);
}

async function scheduleLogEntries(subscriptionId: string): Promise<number> {
  const log = await app.call('GET', `/api/customers/${setup.customerId}/change-log?subscriptionId=${subscriptionId}`, {
    token: setup.viewer,
  });
  return log.body.items.filter((e: { source: string }) => e.source === 'schedule').length;
}

const microsoftQuantity = async (id: string) =>
  (await app.services.commerce.getSubscription(setup.tenantId, id)).quantity;

describe('a custom-date change applied by its message', () => {
  it('is applied once when the message comes twice at once, and again later', async () => {
    const { id } = await bought(app, setup);
    const message = await schedule(id, {
      kind: 'quantity',
      quantity: 15,
      effective: 'custom',
      effectiveDate: '2026-03-20',
    });
    clock.set('2026-03-20T00:00:01Z');
    const outcomes = await Promise.all([
      applyDueChange(app.services, message, { deliveryCount: 1 }),
      applyDueChange(app.services, message, { deliveryCount: 1 }),
    ]);
    expect(outcomes.sort()).toEqual(expect.arrayContaining(['applied']));
    expect(outcomes.filter((o) => o === 'applied')).toHaveLength(1);
    expect(await applyDueChange(app.services, message, { deliveryCount: 2 })).toBe('skipped');
    expect(await microsoftQuantity(id)).toBe(15);
    expect(await readSubscription(app, setup, id)).toMatchObject({ quantity: 15, pendingChanges: [] });
    expect(await futureChange(message.changeId)).toMatchObject({ status: 'applied' });
    expect(await scheduleLogEntries(id)).toBe(1);
  });

  it('does nothing when the message comes before its time, and the sweep applies it when due', async () => {
    const { id } = await bought(app, setup);
    const message = await schedule(id, {
      kind: 'quantity',
      quantity: 12,
      effective: 'custom',
      effectiveDate: '2026-03-20',
    });
    clock.set('2026-03-19T23:59:00Z');
    expect(await applyDueChange(app.services, message, { deliveryCount: 1 })).toBe('notDue');
    expect(await microsoftQuantity(id)).toBe(10);
    clock.set('2026-03-20T00:15:00Z');
    expect(await sweepDueChanges(app.services)).toMatchObject({ due: 1, applied: 1 });
    expect(await microsoftQuantity(id)).toBe(12);
    expect(await sweepDueChanges(app.services)).toMatchObject({ due: 0, applied: 0 });
  });

  it('applies the changes of one subscription in their order, whatever order their messages come in', async () => {
    const { id } = await bought(app, setup);
    const first = await schedule(id, {
      kind: 'quantity',
      quantity: 20,
      effective: 'custom',
      effectiveDate: '2026-03-10',
    });
    const second = await schedule(id, {
      kind: 'quantity',
      quantity: 25,
      effective: 'custom',
      effectiveDate: '2026-03-11',
    });
    clock.set('2026-03-12T00:00:00Z');
    expect(await applyDueChange(app.services, second, { deliveryCount: 1 })).toBe('applied');
    expect(await applyDueChange(app.services, first, { deliveryCount: 1 })).toBe('applied');
    // Each is applied once; the late message of the earlier change sets its own quantity last.
    expect(await scheduleLogEntries(id)).toBe(2);
    const other = await bought(app, setup);
    await schedule(other.id, { kind: 'quantity', quantity: 30, effective: 'custom', effectiveDate: '2026-03-13' });
    await schedule(other.id, { kind: 'quantity', quantity: 14, effective: 'custom', effectiveDate: '2026-03-14' });
    clock.set('2026-03-15T00:00:00Z');
    expect(await sweepDueChanges(app.services)).toMatchObject({ applied: 2 });
    expect(await microsoftQuantity(other.id)).toBe(14);
  });

  it('does nothing for a cancelled change whose message still arrives', async () => {
    const { id } = await bought(app, setup);
    const message = await schedule(id, {
      kind: 'quantity',
      quantity: 18,
      effective: 'custom',
      effectiveDate: '2026-03-05',
    });
    expect(
      (
        await app.call('DELETE', `/api/customers/${setup.customerId}/future-changes/${message.changeId}`, {
          token: setup.modifier,
        })
      ).status,
    ).toBe(204);
    clock.set('2026-03-05T01:00:00Z');
    expect(await applyDueChange(app.services, message, { deliveryCount: 1 })).toBe('skipped');
    expect(await microsoftQuantity(id)).toBe(10);
    expect(await sweepDueChanges(app.services)).toMatchObject({ applied: 0 });
  });
});

/** Throws right after the n-th call to the stores or Microsoft has completed: a process dying there. */
function crashingAfter(n: number, deps: FutureDeps): FutureDeps {
  let calls = 0;
  const wrap = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(object, property, receiver) {
        const value: unknown = Reflect.get(object, property, receiver);
        if (typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          const result: unknown = await (value as (...a: unknown[]) => Promise<unknown>).apply(object, args);
          calls += 1;
          if (calls === n) throw new Error(`crash after call ${n}`);
          return result;
        };
      },
    });
  return { ...deps, customerData: wrap(deps.customerData), commerce: wrap(deps.commerce) };
}

describe('crashes', () => {
  it.each([1, 2, 3, 4, 5])('a crash after call %i is made good by the sweep: applied once, logged once', async (n) => {
    const { id } = await bought(app, setup);
    const message = await schedule(id, {
      kind: 'quantity',
      quantity: 16,
      effective: 'custom',
      effectiveDate: '2026-03-20',
    });
    clock.set('2026-03-20T00:05:00Z');
    const crashed = await applyDueChange(crashingAfter(n, app.services), message, { deliveryCount: 1 }).catch(
      (error: Error) => error.message,
    );
    // The last call is the commit: a crash after it comes once everything is written.
    expect([`crash after call ${n}`, 'applied']).toContain(crashed);
    clock.advanceHours(1);
    await sweepDueChanges(app.services);
    expect(await futureChange(message.changeId)).toMatchObject({ status: 'applied' });
    expect(await microsoftQuantity(id)).toBe(16);
    expect(await scheduleLogEntries(id)).toBe(1);
  });

  it('leaves a change being applied alone until its lease runs out', async () => {
    const { id } = await bought(app, setup);
    const message = await schedule(id, {
      kind: 'quantity',
      quantity: 17,
      effective: 'custom',
      effectiveDate: '2026-03-20',
    });
    clock.set('2026-03-20T00:05:00Z');
    await applyDueChange(crashingAfter(2, app.services), message, { deliveryCount: 1 }).catch(() => undefined);
    expect(await futureChange(message.changeId)).toMatchObject({ status: 'applying' });
    expect(await applyDueChange(app.services, message, { deliveryCount: 2 })).toBe('busy');
    clock.advanceHours(1);
    expect(await applyDueChange(app.services, message, { deliveryCount: 3 })).toBe('applied');
  });
});

describe('Microsoft failures', () => {
  async function deliverThroughQueue(message: ChangeMessage) {
    const queue = new InProcessQueue('changes-test', { maxDeliveryCount: 10, redeliveryDelayMs: 5 });
    const outcomes: number[] = [];
    queue.subscribe(async (m) => {
      outcomes.push(m.deliveryCount);
      await applyChange.handler(applyChange.schema.parse(m.body), {
        services: app.services,
        invocationId: 'test',
        log: () => undefined,
        deliveryCount: m.deliveryCount,
      });
    });
    queue.send(message, { messageId: message.changeId });
    return { queue, outcomes };
  }

  it('retries a 429 and applies the change after it', async () => {
    const { id } = await bought(app, setup);
    const message = await schedule(id, {
      kind: 'quantity',
      quantity: 13,
      effective: 'custom',
      effectiveDate: '2026-03-20',
    });
    clock.set('2026-03-20T00:05:00Z');
    app.services.simulator?.failNext({ status: 429, retryAfterSeconds: 1 });
    const { outcomes } = await deliverThroughQueue(message);
    // The queue waits Microsoft's Retry-After (1 s) before the second delivery.
    await expect.poll(async () => (await futureChange(message.changeId)).status, { timeout: 10_000 }).toBe('applied');
    expect(outcomes).toEqual([1, 2]);
    expect(await microsoftQuantity(id)).toBe(13);
  });

  it('marks the change failed with its reason after the delivery limit, and tells the partner', async () => {
    const { id } = await bought(app, setup);
    const message = await schedule(id, {
      kind: 'quantity',
      quantity: 13,
      effective: 'custom',
      effectiveDate: '2026-03-20',
    });
    clock.set('2026-03-20T00:05:00Z');
    app.services.simulator?.failNext({ status: 500 }, { status: 500 }, { status: 500 });
    const { queue } = await deliverThroughQueue(message);
    await expect.poll(async () => (await futureChange(message.changeId)).status, { timeout: 10_000 }).toBe('failed');
    expect(queue.deadLetters).toEqual([]);
    const failed = await app.call('GET', `/api/customers/${setup.customerId}/future-changes?status=failed`, {
      token: setup.viewer,
    });
    expect(failed.body.items[0].failureReason).toMatch(/Gave up after 3 attempts: Microsoft did not answer/);
    expect(await microsoftQuantity(id)).toBe(10);
    const mails = await readdir(path.join(app.config.DATA_DIR, 'mail'));
    const mail = JSON.parse(
      await readFile(
        path.join(app.config.DATA_DIR, 'mail', mails.find((f) => f.includes(message.changeId)) as string),
        'utf8',
      ),
    );
    expect(mail).toMatchObject({ kind: 'change-failed', to: app.config.PARTNER_NOTIFY_EMAIL });
  });

  it('fails at once a change Microsoft refuses, naming the rule', async () => {
    const { id } = await bought(app, setup);
    const message = await schedule(id, {
      kind: 'quantity',
      quantity: 14,
      effective: 'custom',
      effectiveDate: '2026-03-20',
    });
    expect((await changeOf(app, setup, id, { kind: 'suspend', effective: 'immediately' }, setup.admin)).status).toBe(
      200,
    );
    clock.set('2026-03-20T00:05:00Z');
    expect(await applyDueChange(app.services, message, { deliveryCount: 1 })).toBe('failed');
    expect((await futureChange(message.changeId)).failureReason).toMatch(/reactivate it first/);
  });
});

describe('renewals', () => {
  it('marks a renewal quantity applied once Microsoft has renewed with it', async () => {
    const { id } = await bought(app, setup);
    const message = await schedule(id, { kind: 'quantity', quantity: 6, effective: 'onRenewal' }, setup.modifier);
    clock.set('2027-03-01T00:31:00Z');
    expect(await applyDueChange(app.services, message, { deliveryCount: 1 })).toBe('notDue');
    expect(await futureChange(message.changeId)).toMatchObject({ status: 'pending' });
    await app.services.simulator?.processRenewals(setup.tenantId);
    expect(await sweepDueChanges(app.services)).toMatchObject({ applied: 1 });
    expect(await readSubscription(app, setup, id)).toMatchObject({
      quantity: 6,
      termStartDate: '2027-03-01',
      renewalDate: '2028-03-01',
    });
    expect(await scheduleLogEntries(id)).toBe(1);
  });

  it('sets the quantity itself in the new term when Microsoft lost its instructions', async () => {
    const { id } = await bought(app, setup);
    await schedule(id, { kind: 'quantity', quantity: 4, effective: 'onRenewal' }, setup.modifier);
    await app.services.commerce.updateSubscription(setup.tenantId, id, { scheduledNextTermInstructions: null }, 'lost');
    clock.set('2027-03-01T02:00:00Z');
    await app.services.simulator?.processRenewals(setup.tenantId);
    expect(await microsoftQuantity(id)).toBe(10);
    expect(await sweepDueChanges(app.services)).toMatchObject({ applied: 1 });
    expect(await microsoftQuantity(id)).toBe(4);
  });

  it('moves a renewal change and its trigger when the renewal date changes', async () => {
    const { id } = await bought(app, setup);
    const message = await schedule(id, { kind: 'quantity', quantity: 7, effective: 'onRenewal' }, setup.modifier);
    // Our mirror believed the term ended a month later than Microsoft says (a co-terming change, say).
    const stored = await app.services.customerData.changeWithSubscription(setup.customerId, message.changeId, id);
    const subscription = stored.subscription as NonNullable<typeof stored.subscription>;
    const change = stored.change as NonNullable<typeof stored.change>;
    await app.services.customerData.commit(setup.customerId, {
      subscriptions: [{ value: { ...subscription.value, termEndDate: '2027-04-01' }, etag: subscription.etag }],
      futureChanges: [{ value: { ...change.value, effectiveDate: '2027-04-01' }, etag: change.etag }],
    });
    await app.call('POST', `/api/customers/${setup.customerId}/subscriptions/sync`, { token: setup.admin });
    expect(await futureChange(message.changeId)).toMatchObject({ effectiveDate: '2027-03-01', status: 'pending' });
    expect((await app.services.dueIndex.due('2027-03-01')).map((e) => e.changeId)).toContain(message.changeId);
  });

  it('applies a scheduled purchase on its start date, once', async () => {
    const response = await app.call('POST', `/api/customers/${setup.customerId}/subscriptions`, {
      token: setup.admin,
      headers: { 'idempotency-key': 'future-purchase-1' },
      body: {
        productId: 'CFQ7TTC0LCHC:0002',
        term: 'P1Y',
        billingFrequency: 'monthly',
        quantity: 3,
        startDate: '2026-04-01',
      },
    });
    expect(response.status).toBe(202);
    clock.set('2026-04-01T00:01:00Z');
    expect(await sweepDueChanges(app.services)).toMatchObject({ applied: 1 });
    expect(await sweepDueChanges(app.services)).toMatchObject({ applied: 0 });
    const microsoft = await app.services.commerce.listSubscriptions(setup.tenantId);
    expect(microsoft.map((s) => s.quantity)).toEqual([3]);
    expect(microsoft[0]?.termStartDate).toBe('2026-04-01');
  });
});
