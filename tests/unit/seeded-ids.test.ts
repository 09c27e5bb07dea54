import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SeedableIds, seededIds } from '../../src/adapters/ids/seedable-ids.ts';

describe('the seeded id generator', () => {
  it('gives UUIDs of version 4 that the validators accept, the same for the same seed, others for another', () => {
    const take = (seed: string) => {
      const ids = seededIds(seed);
      return Array.from({ length: 500 }, () => ids.next());
    };
    const first = take('demo');
    for (const id of first) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(z.uuid().safeParse(id).success).toBe(true);
    }
    expect(new Set(first).size).toBe(500);
    expect(take('demo')).toEqual(first);
    const other = take('another');
    expect(other.filter((id) => first.includes(id))).toEqual([]);
  });

  it('is random until switched to a seed, starts the seed from its first id, and is random again after', () => {
    const ids = new SeedableIds();
    const random = [ids.next(), ids.next()];
    expect(random[0]).not.toBe(random[1]);
    ids.useSeed('demo');
    const seeded = [ids.next(), ids.next()];
    expect(seeded).toEqual(take2('demo'));
    ids.useSeed('demo');
    expect([ids.next(), ids.next()]).toEqual(seeded);
    ids.useRandom();
    const after = ids.next();
    expect([...seeded, ...random]).not.toContain(after);
    expect(z.uuid().safeParse(after).success).toBe(true);
  });
});

function take2(seed: string): string[] {
  const ids = seededIds(seed);
  return [ids.next(), ids.next()];
}
