import { randomUUID } from 'node:crypto';
import { connectionStringFor } from '../../../dev/azurite.ts';
import { testClock } from '../../support/clock.ts';
import { bought, buy, changeOf, setupCustomer } from '../../support/subscription-builders.ts';
import { createTestApp, type TestApp } from '../../support/test-app.ts';
import type { Reach } from './context.ts';

/**
 * Holds Microsoft's answer to the next call of `method` on the app's commerce side (the simulator standing for
 * Partner Center) until `release` is called: Microsoft being slow, so that a second request meets the first in flight.
 */
function slowMicrosoft(app: TestApp, method: 'updateSubscription' | 'placeOrder') {
  const commerce = app.services.commerce as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const original = commerce[method]!;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let called!: () => void;
  const reached = new Promise<void>((resolve) => (called = resolve));
  commerce[method] = async (...args: unknown[]) => {
    commerce[method] = original;
    called();
    await gate;
    return original.apply(commerce, args);
  };
  return { reached, release };
}

/**
 * Codes that only a second request in flight, or time passing, produces: run against Microsoft held back for a
 * moment, on the walk's clocked app, or on an app of their own (its clock advanced; its storage down).
 */
export const raceAndTimeCodes: Record<string, Reach> = {
  'SUBSCRIPTION.BUSY': async (c) => {
    const { id } = await bought(c.app, c.setup);
    const slow = slowMicrosoft(c.app, 'updateSubscription');
    const first = changeOf(c.app, c.setup, id, { kind: 'quantity', quantity: 12, effective: 'immediately' });
    await slow.reached;
    try {
      return await changeOf(c.app, c.setup, id, { kind: 'quantity', quantity: 13, effective: 'immediately' });
    } finally {
      slow.release();
      await first;
    }
  },
  'IDEMPOTENCY.IN_PROGRESS': async (c) => {
    const key = `k-${randomUUID()}`;
    const slow = slowMicrosoft(c.app, 'placeOrder');
    const first = buy(c.app, c.setup, { quantity: 3 }, { 'idempotency-key': key });
    await slow.reached;
    try {
      return await buy(c.app, c.setup, { quantity: 3 }, { 'idempotency-key': key });
    } finally {
      slow.release();
      await first;
    }
  },
  'REQUEST.ALREADY_EXISTS': async (c) => {
    // Two purchases with one new Idempotency-Key at the same moment: both read "no such key" before either writes
    // it (each waits at its read until the other has read too), so the second write of the key finds it written.
    const store = c.app.services.customerData;
    const read = store.idempotency.bind(store);
    let arrived = 0;
    let open!: () => void;
    const both = new Promise<void>((resolve) => (open = resolve));
    store.idempotency = async (customerId, key) => {
      const found = await read(customerId, key);
      arrived += 1;
      if (arrived === 2) {
        store.idempotency = read;
        open();
      }
      await both;
      return found;
    };
    const key = `k-${randomUUID()}`;
    const answers = await Promise.all(
      [1, 2].map(() => buy(c.app, c.setup, { quantity: 3 }, { 'idempotency-key': key })),
    );
    return answers.find((a) => a.status !== 201) ?? answers[0]!;
  },
  'SUBSCRIPTION.WINDOW_CLOSED': async ({ clocked: { app, clock } }) => {
    const setup = await setupCustomer(app);
    const { id } = await bought(app, setup);
    clock.advanceHours(app.config.NCE_WINDOW_HOURS + 1);
    return changeOf(app, setup, id, { kind: 'quantity', quantity: 9, effective: 'immediately' });
  },
  'CLOCK.ADVANCING': async () => {
    const app = await createTestApp();
    const token = await app.tokens.partnerAdmin();
    const to = new Date(Date.now() + 2 * 86_400_000).toISOString();
    const answers = await Promise.all(
      [1, 2].map(() => app.call('POST', '/api/simulator/clock/advance', { token, body: { to } })),
    );
    return answers.find((a) => a.status !== 200) ?? answers[0]!;
  },
  INTERNAL: async () => {
    const down = await createTestApp(
      { STORAGE_CONNECTION_STRING: connectionStringFor('127.0.0.1', 9, 9) },
      { ensureStorage: false, clock: testClock(new Date().toISOString()) },
    );
    return down.call('GET', '/api/customers', { token: await down.tokens.partnerAdmin() });
  },
};
