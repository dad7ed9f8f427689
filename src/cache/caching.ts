// Everything caching needs, built once in the app factory: the server's response store (in-process,
// or Redis with REDIS_URL), the purge outbox and its worker, what changes purge, and the Yoga
// plugins (persisted operations, HTTP caching, @defer/@stream).
import { useDeferStream } from '@graphql-yoga/plugin-defer-stream';
import type { Plugin } from 'graphql-yoga';
import type { Config } from '../config.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { PubSub } from '../pubsub/pubsub.ts';
import { FastPath } from './fast-path.ts';
import { PurgeOutbox } from './outbox.ts';
import { usePersistedDocuments } from './persisted.ts';
import { useHttpCache } from './plugin.ts';
import { CachePurger } from './purge.ts';
import { createRedisStore } from './redis-store.ts';
import { createMemoryStore, createNoStore, type ResponseStore } from './store.ts';
import type { Logger } from '../platform/logger.ts';
import type { Metrics } from '../platform/metrics.ts';

export interface Caching {
  store: ResponseStore;
  /** Repeated anonymous GETs answered before Yoga's pipeline (null with RESPONSE_CACHE=false). */
  fastPath: FastPath | null;
  outbox: PurgeOutbox;
  purger: CachePurger;
  /** Persisted operations, then HTTP caching and the response cache, then @defer/@stream. */
  plugins(): Plugin[];
  stop(): Promise<void>;
}

export async function createCaching(options: {
  config: Config;
  prisma: PrismaClient;
  pubsub: PubSub;
  log: Logger;
  metrics?: Metrics;
  /** With read replicas: purges wait for them to replay the change (src/db/replicas.ts). */
  replicasCaughtUp?: () => Promise<string[]>;
}): Promise<Caching> {
  const { config, prisma, pubsub, log, metrics, replicasCaughtUp } = options;
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
    replicasCaughtUp,
  });
  const purger = new CachePurger(outbox);
  const fastPath = c.responseCache
    ? new FastPath(
        c.responseCacheMaxEntries,
        metrics?.counter('response_cache_fast_path_total', 'Anonymous GETs of /graphql by fast-path outcome', [
          'result',
        ]),
      )
    : null;
  // Every instance drops its cached responses for the purged keys (Redis: the shared store).
  const unlisten = pubsub.listen('cache:purge', (d) => {
    fastPath?.invalidateKeys(d.payload.keys);
    void store.invalidateKeys(d.payload.keys);
  });
  // Without events from the other instances their purges would be missed: no fast path meanwhile.
  fastPath?.setOnline(pubsub.status().subscribed);
  const unwatch = pubsub.onStatus((status) => fastPath?.setOnline(status.subscribed));
  await outbox.start();
  return {
    store,
    fastPath,
    outbox,
    purger,
    plugins: () => [
      usePersistedDocuments(c.persistedOperations),
      useHttpCache(c, store, fastPath ?? undefined),
      useDeferStream(),
    ],
    async stop() {
      unlisten();
      unwatch();
      await outbox.stop();
      await store.close();
    },
  };
}
