// Everything caching needs, built once in the app factory: the server's response store (in-process,
// or Redis with REDIS_URL), the purge outbox and its worker, what changes purge, and the Yoga
// plugins (persisted operations, HTTP caching, @defer/@stream).
import { useDeferStream } from '@graphql-yoga/plugin-defer-stream';
import type { Plugin } from 'graphql-yoga';
import type { Config } from '../config.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { PubSub } from '../pubsub/pubsub.ts';
import { PurgeOutbox } from './outbox.ts';
import { usePersistedDocuments } from './persisted.ts';
import { useHttpCache } from './plugin.ts';
import { CachePurger } from './purge.ts';
import { createRedisStore } from './redis-store.ts';
import { createMemoryStore, createNoStore, type ResponseStore } from './store.ts';
import type { Logger } from '../platform/logger.ts';

export interface Caching {
  store: ResponseStore;
  outbox: PurgeOutbox;
  purger: CachePurger;
  /** Persisted operations, then HTTP caching and the response cache, then @defer/@stream. */
  plugins(): Plugin[];
  stop(): Promise<void>;
}

export async function createCaching(options: { config: Config; prisma: PrismaClient; pubsub: PubSub; log: Logger }): Promise<Caching> {
  const { config, prisma, pubsub, log } = options;
  const c = config.cache;
  const store = !c.responseCache
    ? createNoStore()
    : config.redisUrl
      ? createRedisStore(config.redisUrl, { log, keyTtlMs: Math.max(...Object.values(c.maxAge), 60) * 2_000 })
      : createMemoryStore(c.responseCacheMaxEntries);
  const outbox = new PurgeOutbox({
    prisma,
    pubsub,
    url: c.purgeUrl,
    batch: c.purgeBatch,
    pollMs: c.purgePollMs,
    timeoutMs: c.purgeTimeoutMs,
    maxBackoffMs: c.purgeMaxBackoffMs,
    log,
  });
  const purger = new CachePurger(prisma, outbox, log);
  // Every instance drops its cached responses for the purged keys (Redis: the shared store).
  const unlisten = pubsub.listen('cache:purge', (d) => void store.invalidateKeys(d.payload.keys));
  await outbox.start();
  return {
    store,
    outbox,
    purger,
    plugins: () => [usePersistedDocuments(c.persistedOperations), useHttpCache(c, store), useDeferStream()],
    async stop() {
      unlisten();
      await outbox.stop();
      await store.close();
    },
  };
}
