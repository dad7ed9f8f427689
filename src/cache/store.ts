// The server's response cache, filed by surrogate key: one interface, three stores chosen once in
// the app factory: in-process (default), Redis (REDIS_URL: instances share it), or none.
//
// The response cache plugin hands each cacheable result to `set` with the entities it saw; we file
// it under the surrogate keys our plugin already put in its headers instead (the same keys the CDN
// gets), so one purge names the same things everywhere.
import type { Cache } from '@envelop/response-cache';
import type { ExecutionResult } from 'graphql';
import { TaggedLru } from './tagged-lru.ts';

export interface ResponseStore extends Cache {
  readonly kind: 'memory' | 'redis' | 'none';
  /** Drops every response filed under any of `keys`. */
  invalidateKeys(keys: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

/** The surrogate keys our plugin wrote into a result's headers (src/cache/plugin.ts). */
export function keysOfResult(result: ExecutionResult): string[] {
  const header = (result.extensions as { http?: { headers?: Record<string, string> } } | undefined)?.http?.headers?.[
    'Surrogate-Key'
  ];
  return header ? header.split(' ') : [];
}

export function createMemoryStore(maxEntries: number): ResponseStore {
  const responses = new TaggedLru<ExecutionResult>(maxEntries);
  return {
    kind: 'memory',
    set(id, result, _entities, ttl) {
      responses.set(id, result, keysOfResult(result), ttl);
    },
    get: (id) => responses.get(id),
    invalidate() {
      // Invalidation goes by surrogate key only (invalidateKeys); the plugin's own entity invalidation is off.
    },
    async invalidateKeys(keys) {
      responses.invalidateKeys(keys);
    },
    async close() {
      responses.clear();
    },
  };
}

/** RESPONSE_CACHE=false: every request executes. */
export function createNoStore(): ResponseStore {
  return { kind: 'none', set() {}, get: () => undefined, invalidate() {}, async invalidateKeys() {}, async close() {} };
}
