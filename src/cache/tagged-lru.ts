// An in-process LRU whose entries are filed under surrogate keys, so a purge of a key drops every
// entry filed under it. The in-process response store (src/cache/store.ts) and the fast path's
// front cache (src/cache/fast-path.ts) both keep their entries in one.
import { LRUCache } from 'lru-cache';

export class TaggedLru<V extends {}> {
  private readonly byKey = new Map<string, Set<string>>();
  private readonly entries: LRUCache<string, { value: V; keys: readonly string[] }>;

  constructor(maxEntries: number) {
    this.entries = new LRUCache({
      max: maxEntries,
      ttlAutopurge: false,
      dispose: (entry, id) => {
        for (const key of entry.keys) {
          const ids = this.byKey.get(key);
          ids?.delete(id);
          if (ids?.size === 0) this.byKey.delete(key);
        }
      },
    });
  }

  /** Stores `value` under `id` for `ttlMs`, filed under `keys`. */
  set(id: string, value: V, keys: readonly string[], ttlMs: number): void {
    if (!(ttlMs > 0)) return;
    this.entries.set(id, { value, keys }, { ttl: ttlMs });
    for (const key of keys) {
      let ids = this.byKey.get(key);
      if (!ids) this.byKey.set(key, (ids = new Set()));
      ids.add(id);
    }
  }

  get(id: string): V | undefined {
    return this.entries.get(id)?.value;
  }

  /** Drops every entry filed under any of `keys`. */
  invalidateKeys(keys: readonly string[]): void {
    for (const key of keys) {
      const ids = this.byKey.get(key);
      if (!ids) continue;
      for (const id of [...ids]) this.entries.delete(id);
      this.byKey.delete(key);
    }
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
