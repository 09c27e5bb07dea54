import { expect, it } from 'vitest';
import { RecentMap } from '../../src/adapters/recent-map.ts';

it('keeps the most recently used entries: a read makes an entry the newest, an addition past capacity drops the oldest', () => {
  const map = new RecentMap<string, number>(2);
  map.set('a', 1);
  map.set('b', 2);
  expect(map.get('a')).toBe(1); // a is now newer than b
  map.set('c', 3);
  expect(map.get('b')).toBeUndefined();
  expect(map.get('a')).toBe(1);
  expect(map.get('c')).toBe(3);
  map.set('a', 10); // replacing counts as a use
  map.set('d', 4);
  expect(map.get('c')).toBeUndefined();
  expect([map.get('a'), map.get('d')]).toEqual([10, 4]);
});
