/**
 * A map that keeps only its `capacity` most recently used entries: reading an entry makes it the newest, and adding
 * one past the capacity forgets the oldest (a Map iterates in insertion order). For the per-process caches whose keys
 * keep coming: the rows a billing worker reads (every customer's once), the words of every invoice.
 */
export class RecentMap<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(readonly capacity: number) {}

  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as K);
  }
}
