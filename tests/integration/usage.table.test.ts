import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { keyPart } from '../../src/adapters/tables/usage.table.ts';
import type { UsageStore } from '../../src/app/ports/usage.port.ts';
import { buildUsageRecord, collect, days } from '../support/usage-builders.ts';
import { createTestApp } from '../support/test-app.ts';

let store: UsageStore;

beforeAll(async () => {
  store = (await createTestApp()).services.usageStore;
});

describe('usage table: save and list', () => {
  it('saves more than a transaction holds, idempotently, and lists [from, to) across months in date order', async () => {
    const customerId = randomUUID();
    const subscriptions = [randomUUID(), randomUUID()];
    const meters = ['m-1', 'm-2', 'm-3'];
    const records = days('2026-01-01', '2026-03-01').flatMap((date) =>
      subscriptions.flatMap((subscriptionId) =>
        meters.map((meterId) => buildUsageRecord({ customerId, subscriptionId, meterId, date, source: 'simulator' })),
      ),
    );
    expect(records.length).toBeGreaterThan(300);
    await store.save(records);
    await store.save(records);

    const listed = await collect(store.list(customerId, '2026-01-30', '2026-02-02'));
    expect(listed).toHaveLength(3 * 2 * 3);
    expect(listed.map((r) => r.date)).toEqual([...listed.map((r) => r.date)].sort());
    expect(new Set(listed.map((r) => r.date))).toEqual(new Set(['2026-01-30', '2026-01-31', '2026-02-01']));
    expect(await collect(store.list(customerId, '2026-01-01', '2026-03-01'))).toHaveLength(records.length);
    expect(await collect(store.list(randomUUID(), '2026-01-01', '2026-03-01'))).toEqual([]);
  });

  it('filters by subscription without matching another one that starts alike', async () => {
    const customerId = randomUUID();
    await store.save([
      buildUsageRecord({ customerId, subscriptionId: 'abc' }),
      buildUsageRecord({ customerId, subscriptionId: 'abc-1' }),
      buildUsageRecord({ customerId, subscriptionId: 'abd' }),
    ]);
    expect(
      (await collect(store.list(customerId, '2026-03-01', '2026-03-02', 'abc'))).map((r) => r.subscriptionId),
    ).toEqual(['abc']);
    expect(await collect(store.list(customerId, '2026-03-01', '2026-03-02'))).toHaveLength(3);
  });

  it('keeps characters that keys may not hold, without mixing up their escapes', async () => {
    const customerId = randomUUID();
    const odd = buildUsageRecord({ customerId, meterId: 'a/b|c#d?e\\f%g\tz' });
    const lookalike = buildUsageRecord({ customerId, meterId: keyPart(odd.meterId) });
    expect(keyPart(odd.meterId)).not.toMatch(/[/\\#?|\t]/);
    await store.save([odd, lookalike]);
    expect((await collect(store.list(customerId, '2026-03-01', '2026-03-02'))).map((r) => r.meterId).sort()).toEqual(
      [odd.meterId, lookalike.meterId].sort(),
    );
  });

  it('lists one record per subscription, meter and day: an imported file wins over Graph, Graph over the simulator', async () => {
    const customerId = randomUUID();
    const day = { customerId, subscriptionId: 'sub-1', date: '2026-03-01' };
    await store.save([
      buildUsageRecord({ ...day, source: 'simulator', cost: '1' }),
      buildUsageRecord({ ...day, source: 'graph', cost: '2' }),
      buildUsageRecord({ ...day, date: '2026-03-02', source: 'simulator', cost: '5' }),
    ]);
    const costs = async () =>
      (await collect(store.list(customerId, '2026-03-01', '2026-03-03'))).map((r) => `${r.date}:${r.cost}`);
    expect(await costs()).toEqual(['2026-03-01:2', '2026-03-02:5']);
    await store.save([buildUsageRecord({ ...day, source: 'import:bbbb', cost: '3' })]);
    expect(await costs()).toEqual(['2026-03-01:3', '2026-03-02:5']);
    // The file imported last wins, whatever its name.
    await new Promise((resolve) => setTimeout(resolve, 5));
    await store.save([buildUsageRecord({ ...day, source: 'import:aaaa', cost: '4' })]);
    expect(await costs()).toEqual(['2026-03-01:4', '2026-03-02:5']);
  });

  it('remembers completed imports by file hash', async () => {
    const fileHash = randomUUID().replace(/-/g, '');
    expect(await store.findImport(fileHash)).toBeUndefined();
    const entry = {
      fileHash,
      importedAt: '2026-03-10T02:00:00.000Z',
      importedBy: 'admin@partner.example',
      rows: 3,
      records: 2,
    };
    await store.recordImport(entry);
    expect(await store.findImport(fileHash)).toEqual(entry);
  });
});
