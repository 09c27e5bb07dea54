import { expect, it } from 'vitest';
import { consumeWorkQueue, TableWorkQueue } from '../../src/adapters/queue/table-work-queue.ts';
import { commerceThrottled } from '../../src/app/commerce-errors.ts';
import { loadConfig } from '../../src/config.ts';
import { createServices } from '../../src/main.ts';
import { testEnv } from '../support/test-app.ts';

/**
 * The Table Storage work queue on Azurite: leases (renewed while a message is handled), back-off with jitter between
 * failed deliveries or a throttled call's Retry-After, dead letters.
 */
it('leases a message to one consumer, spaces failed deliveries exponentially, then dead-letters with the reason', async () => {
  const services = await createServices(loadConfig(testEnv()));
  await services.storage.ensure();
  let now = Date.parse('2026-11-01T00:00:00Z');
  const queue = new TableWorkQueue(services.storage.table('workqueue'), 'test', {
    now: () => now,
    random: () => 0.5,
    leaseMs: 60_000,
    maxDeliveries: 4,
    backoff: { baseMs: 2_000, capMs: 5_000 },
  });
  await queue.send([{ messageId: 'm1', body: { n: 1 } }]);
  await queue.send([{ messageId: 'm1', body: { n: 2 } }]); // a duplicate id while it waits is dropped

  const gaps: number[] = [];
  for (let delivery = 1; delivery <= 4; delivery++) {
    const [message] = await queue.receive(4);
    expect(message).toMatchObject({ messageId: 'm1', body: { n: 1 }, deliveryCount: delivery });
    // Leased: no other consumer gets it meanwhile.
    expect(await queue.receive(4)).toEqual([]);
    const outcome = await queue.fail(message as NonNullable<typeof message>, 'Microsoft said 429');
    if (delivery === 4) {
      expect(outcome).toEqual({ deadLettered: true });
      break;
    }
    gaps.push(outcome.retryInMs ?? -1);
    now += (outcome.retryInMs ?? 0) - 1;
    expect(await queue.receive(4)).toEqual([]); // never before its time
    now += 1;
  }
  // 2 s, 4 s, then capped at 5 s; with jitter 0.5 each is three quarters of that.
  expect(gaps).toEqual([1500, 3000, 3750]);
  expect(await queue.depth()).toBe(0);
  expect(await queue.deadLetters()).toEqual([
    { messageId: 'm1', body: { n: 1 }, deliveryCount: 4, reason: 'Microsoft said 429' },
  ]);
});

it('keeps a message leased while its handler outlasts the lease, and completes it once', async () => {
  const services = await createServices(loadConfig(testEnv()));
  await services.storage.ensure();
  // Renewed every 400 ms: a renewal may come up to 800 ms late (a loaded CI machine) before the lease is lost.
  const options = { leaseMs: 1_200, maxDeliveries: 3 };
  const first = new TableWorkQueue(services.storage.table('workqueue'), 'renew', options);
  const second = new TableWorkQueue(services.storage.table('workqueue'), 'renew', options);
  await first.send([{ messageId: 'slow', body: { n: 1 } }]);
  const handled: string[] = [];
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const slow = consumeWorkQueue(
    first,
    async (_body, message) => {
      handled.push(`first ${message.deliveryCount}`);
      await held; // longer than several leases
    },
    { concurrency: 1, idleMs: 50, untilEmpty: true },
  );
  // Another consumer polls through two and a half leases: the message stays with its living holder.
  const deadline = Date.now() + 3_000;
  while (Date.now() < deadline) {
    expect(await second.receive(4)).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  release();
  await slow;
  expect(handled).toEqual(['first 1']);
  expect(await first.depth()).toBe(0);
});

it('waits a throttled failure’s Retry-After rather than the shorter back-off (the rule every queue shares)', async () => {
  const services = await createServices(loadConfig(testEnv()));
  await services.storage.ensure();
  let now = Date.parse('2026-11-01T00:00:00Z');
  const queue = new TableWorkQueue(services.storage.table('workqueue'), 'throttled', {
    now: () => now,
    random: () => 0.5,
    backoff: { baseMs: 2_000, capMs: 5_000 },
  });
  await queue.send([{ messageId: 't1', body: {} }]);
  const [message] = await queue.receive(1);
  const outcome = await queue.fail(message as NonNullable<typeof message>, 'throttled', commerceThrottled(57));
  expect(outcome).toEqual({ retryInMs: 57_000, deadLettered: false });
  now += 56_999;
  expect(await queue.receive(1)).toEqual([]);
  now += 1;
  expect(await queue.receive(1)).toMatchObject([{ messageId: 't1', deliveryCount: 2 }]);
});
