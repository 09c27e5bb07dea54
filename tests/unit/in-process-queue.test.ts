import { afterEach, describe, expect, it, vi } from 'vitest';
import { InProcessQueue, type QueueMessage } from '../../src/adapters/queue/in-process-queue.ts';
import { commerceThrottled } from '../../src/app/commerce-errors.ts';

describe('in-process queue', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('delivers scheduled messages at their time, not before', async () => {
    vi.useFakeTimers({ now: new Date('2026-11-01T00:00:00Z') });
    const queue = new InProcessQueue('q', { now: () => Date.now() });
    const seen: string[] = [];
    queue.subscribe(async (m) => void seen.push(String(m.body)));
    queue.send('later', { scheduledEnqueueTime: new Date('2026-11-01T00:10:00Z') });
    queue.send('now');
    await vi.advanceTimersByTimeAsync(1);
    expect(seen).toEqual(['now']);
    await vi.advanceTimersByTimeAsync(10 * 60 * 1000);
    expect(seen).toEqual(['now', 'later']);
  });

  it('drops a duplicate message id within the detection window', async () => {
    const queue = new InProcessQueue('q');
    const seen: unknown[] = [];
    queue.subscribe(async (m) => void seen.push(m.body));
    expect(queue.send('a', { messageId: 'm1' })).toBe(1);
    expect(queue.send('b', { messageId: 'm1' })).toBeUndefined();
    await vi.waitFor(() => expect(seen).toEqual(['a']));
  });

  it('redelivers after a failure with a growing delivery count, then dead-letters', async () => {
    const queue = new InProcessQueue('q', { maxDeliveryCount: 3, redeliveryDelayMs: 1 });
    const counts: number[] = [];
    queue.subscribe(async (m: QueueMessage) => {
      counts.push(m.deliveryCount);
      throw new Error('Microsoft said 500');
    });
    queue.send({ changeId: 'c1' }, { messageId: 'c1' });
    await vi.waitFor(() => expect(queue.deadLetters).toHaveLength(1));
    expect(counts).toEqual([1, 2, 3]);
    expect(queue.deadLetters[0]).toMatchObject({ messageId: 'c1', deliveryCount: 3, reason: 'Microsoft said 500' });
  });

  it('cancels a scheduled message by sequence number', async () => {
    const queue = new InProcessQueue('q');
    const seen: unknown[] = [];
    queue.subscribe(async (m) => void seen.push(m.body));
    const sequence = queue.send('x', { scheduledEnqueueTime: new Date(Date.now() + 50) });
    expect(queue.cancelScheduled(sequence as number)).toBe(true);
    expect(queue.cancelScheduled(sequence as number)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(seen).toEqual([]);
  });

  it('holds a message scheduled 40 days ahead until its time, with no timer overflow warning', async () => {
    vi.useFakeTimers({ now: new Date('2026-11-01T00:00:00Z') });
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const queue = new InProcessQueue('q', { now: () => Date.now() });
      const seen: string[] = [];
      queue.subscribe(async (m) => void seen.push(String(m.body)));
      queue.send('renewal', { scheduledEnqueueTime: new Date('2026-12-11T00:00:00Z') });
      await vi.advanceTimersByTimeAsync(25 * 86_400_000);
      expect(seen).toEqual([]);
      await vi.advanceTimersByTimeAsync(15 * 86_400_000 - 1);
      expect(seen).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      expect(seen).toEqual(['renewal']);
      expect(queue.pending).toBe(0);
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).not.toContain('TimeoutOverflowWarning');
  });

  it('spaces the redeliveries of a failing message exponentially, with jitter, then dead-letters it with the reason', async () => {
    vi.useFakeTimers({ now: new Date('2026-11-01T00:00:00Z') });
    const randoms = [0, 0.99, 0.5, 0.25];
    const queue = new InProcessQueue('q', {
      now: () => Date.now(),
      maxDeliveryCount: 5,
      redeliveryDelayMs: 1000,
      maxRedeliveryDelayMs: 6000,
      random: () => randoms.shift() ?? 0,
    });
    const times: number[] = [];
    queue.subscribe(async () => {
      times.push(Date.now());
      throw new Error('Microsoft said 429');
    });
    queue.send('throttled', { messageId: 't1' });
    await vi.advanceTimersByTimeAsync(60_000);
    const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
    // Back-off 1 s, 2 s, 4 s, then capped at 6 s; each gap is half fixed, half random.
    expect(gaps).toEqual([500, 1990, 3000, 3750]);
    for (const [i, gap] of gaps.entries()) {
      const full = Math.min(6000, 1000 * 2 ** i);
      expect(gap).toBeGreaterThanOrEqual(full / 2);
      expect(gap).toBeLessThanOrEqual(full);
    }
    expect(queue.deadLetters).toEqual([
      expect.objectContaining({ messageId: 't1', deliveryCount: 5, reason: 'Microsoft said 429' }),
    ]);
  });

  it('waits for the Retry-After of Microsoft when it is longer than the back-off (a long one becomes a later attempt)', async () => {
    vi.useFakeTimers({ now: new Date('2026-11-01T00:00:00Z') });
    const queue = new InProcessQueue('q', {
      now: () => Date.now(),
      maxDeliveryCount: 4,
      redeliveryDelayMs: 1000,
      maxRedeliveryDelayMs: 60_000,
      random: () => 0.5,
    });
    const times: number[] = [];
    queue.subscribe(async () => {
      times.push(Date.now());
      throw commerceThrottled(57);
    });
    queue.send('throttled', { messageId: 't2' });
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
    expect(gaps).toEqual([57_000, 57_000, 57_000]);
    expect(queue.deadLetters).toEqual([expect.objectContaining({ messageId: 't2', deliveryCount: 4 })]);
  });
});
