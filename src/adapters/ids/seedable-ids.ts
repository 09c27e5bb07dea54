import { createHash } from 'node:crypto';
import { randomIds, type IdGenerator } from '../../app/ports/ids.port.ts';

/**
 * The ids of a seed: the n-th id of seed `s` is SHA-256(`s:n`) laid out as a version-4 UUID (the version and
 * variant bits set), so every id validator accepts it, two seeds share no ids, and the same seed gives the same ids
 * in the same order.
 */
export function seededIds(seed: string): IdGenerator {
  let n = 0;
  return {
    next() {
      const bytes = createHash('sha256').update(`${seed}:${n++}`).digest().subarray(0, 16);
      bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
      bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
      const hex = bytes.toString('hex');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    },
  };
}

/**
 * The app's id generator as the composition root builds it: random, unless switched to a seed for a while (the demo
 * seed does, and switches back when it is done, so ids made afterwards never repeat the seed's sequence).
 */
export class SeedableIds implements IdGenerator {
  private current: IdGenerator = randomIds;

  next(): string {
    return this.current.next();
  }

  /** From now on, the ids of `seed`, from its first. */
  useSeed(seed: string): void {
    this.current = seededIds(seed);
  }

  useRandom(): void {
    this.current = randomIds;
  }
}
