// What this app reports to Prometheus, all names in one place (README, Operations, lists them):
//   http_requests_total{route,operation,status,code}      requests by operation name and error code
//   http_request_duration_seconds{route,operation}        latency histogram
//   graphql_subscriptions_active{transport}               open subscriptions: websocket | sse
//   pubsub_events_out_total{topic,result}                 events published (ok | failed)
//   pubsub_events_in_total{topic}                         events received from the transport
//   pubsub_event_lag_seconds{topic}                       from the event's instant to its arrival here
//   pubsub_subscribed                                     1 when events from every instance arrive
//   response_cache_fast_path_total{result}             anonymous GETs: hit | not_modified | miss (src/cache/caching.ts)
//   views_recorded_total{outcome}                         COUNTED, DUPLICATE, QUEUED, DROPPED, BOT, ...
//   views_flushed_total, views_flush_duration_seconds     write-behind commits to PostgreSQL
//   views_flush_last_success_timestamp_seconds            flush lag = time() - this
//   views_pending_flush                                   views recorded, not yet committed to PostgreSQL
//   views_outage_buffered, views_outage_dropped_total     views in the outage buffer (PostgreSQL) while Redis is unreachable
//   views_directory_queries_total                         statements the countable-article cache sent
//   views_rankings_computed_total                         rankings computed (not served from cache)
//   db_query_plans_total{result}                          Prisma plans: cached (hit) | compiled, learnt (miss) | compiled (literal)
//   db_query_plan_shapes                                  request shapes the plan cache holds (src/db/plan-cache.ts)
//   db_direct_statements_total                            plain read statements sent past Prisma (src/db/raw-rows.ts)
//   db_pool_connections{state}                            total | idle | in_use | waiting (PostgreSQL)
//   db_replica_up{replica}                                1 while a read replica is in rotation
//   db_replica_fallbacks{replica}                   statements the primary answered for a replica
//   nodejs_eventloop_lag_seconds, process_*, nodejs_*     prom-client's default metrics
import type { Plugin } from 'graphql-yoga';
import type { Database } from '../db/client.ts';
import { planCacheStats } from '../db/plan-cache.ts';
import { rawRowStats } from '../db/raw-rows.ts';
import type { PubSub } from '../pubsub/pubsub.ts';
import { TOPICS, type Topics } from '../pubsub/topics.ts';
import type { ViewOutcome } from '../views/counter.ts';
import type { FlushReport } from '../views/flusher.ts';
import type { ViewStore } from '../views/store.ts';
import { LATENCY_BUCKETS, type Metrics } from './metrics.ts';
import type { RequestObserver } from './request-log.ts';

/** Operation names come from clients: only plain names, and at most this many distinct ones. */
const MAX_OPERATION_NAMES = 200;
const ROUTES = ['/graphql', '/views', '/media', '/healthz', '/readyz', '/metrics'];

export function requestMetrics(metrics: Metrics): RequestObserver {
  const requests = metrics.counter(
    'http_requests_total',
    'HTTP requests by route, GraphQL operation, status and error code',
    ['route', 'operation', 'status', 'code'],
  );
  const duration = metrics.histogram(
    'http_request_duration_seconds',
    'HTTP request latency by route and GraphQL operation',
    LATENCY_BUCKETS,
    ['route', 'operation'],
  );
  const names = new Set<string>();
  const operationLabel = (name: string | undefined) => {
    if (!name) return '';
    if (names.has(name)) return name;
    if (names.size >= MAX_OPERATION_NAMES || !/^[A-Za-z_]\w{0,63}$/.test(name)) return 'other';
    names.add(name);
    return name;
  };
  return ({ facts, path, status, seconds }) => {
    const route = ROUTES.find((r) => path === r || path.startsWith(`${r}/`)) ?? 'other';
    const operation = operationLabel(facts.operationName);
    requests.inc({ route, operation, status: String(status), code: facts.codes[0] ?? '' });
    duration.observe({ route, operation }, seconds);
  };
}

/** Counts open subscriptions by transport (graphql-ws contexts carry `extra`; Yoga's SSE ones do not). */
export function useSubscriptionMetrics(metrics: Metrics): Plugin {
  const active = metrics.gauge('graphql_subscriptions_active', 'Open GraphQL subscriptions by transport', undefined, [
    'transport',
  ]);
  active.set({ transport: 'websocket' }, 0);
  active.set({ transport: 'sse' }, 0);
  return {
    onSubscribe({ args }) {
      const transport = 'extra' in (args.contextValue as object) ? 'websocket' : 'sse';
      return {
        onSubscribeResult({ result }) {
          if (!(result && typeof result === 'object' && Symbol.asyncIterator in result)) return;
          active.inc({ transport });
          return { onEnd: () => active.dec({ transport }) };
        },
      };
    },
  };
}

/** Wraps `publish` to count events out; listens to every topic to count events in and their lag. */
export function instrumentPubSub(pubsub: PubSub, metrics: Metrics): PubSub {
  const out = metrics.counter('pubsub_events_out_total', 'Events published, by topic and result', ['topic', 'result']);
  const received = metrics.counter('pubsub_events_in_total', 'Events received, by topic', ['topic']);
  const lag = metrics.histogram(
    'pubsub_event_lag_seconds',
    "From an event's instant to its arrival in this process",
    LATENCY_BUCKETS,
    ['topic'],
  );
  metrics.gauge('pubsub_subscribed', '1 when events published by any instance reach this one', () =>
    pubsub.status().subscribed ? 1 : 0,
  );
  for (const topic of TOPICS) {
    pubsub.listen(topic, (d) => {
      received.inc({ topic });
      const at = eventInstant(d.payload);
      if (at !== null) lag.observe({ topic }, Math.max(0, (d.receivedAt.getTime() - at) / 1000));
    });
  }
  const publish = pubsub.publish.bind(pubsub);
  return Object.assign(Object.create(pubsub) as PubSub, {
    async publish(topic: keyof Topics, payload: Topics[keyof Topics]) {
      try {
        await publish(topic, payload as never);
        out.inc({ topic, result: 'ok' });
      } catch (error) {
        out.inc({ topic, result: 'failed' });
        throw error;
      }
    },
  });
}

function eventInstant(payload: unknown): number | null {
  const p = payload as { publishedAt?: unknown; at?: unknown };
  const iso = typeof p.at === 'string' ? p.at : typeof p.publishedAt === 'string' ? p.publishedAt : null;
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isFinite(t) ? t : null;
}

export function viewMetrics(metrics: Metrics): {
  recorded: (o: ViewOutcome) => void;
  flushed: (r: FlushReport, seconds: number) => void;
  directoryQuery: () => void;
  rankingComputed: () => void;
  watch(store: ViewStore): void;
} {
  const recorded = metrics.counter('views_recorded_total', 'Views recorded, by outcome', ['outcome']);
  const flushed = metrics.counter('views_flushed_total', 'Views committed to PostgreSQL by this instance');
  const flushDuration = metrics.histogram(
    'views_flush_duration_seconds',
    'Write-behind flush run duration',
    LATENCY_BUCKETS,
  );
  const lastFlush = metrics.gauge(
    'views_flush_last_success_timestamp_seconds',
    'When the last flush run succeeded (flush lag = time() - this)',
  );
  const directoryQueries = metrics.counter(
    'views_directory_queries_total',
    'Database statements the countable-article cache sent',
  );
  const rankingsComputed = metrics.counter(
    'views_rankings_computed_total',
    'Rankings computed rather than served from cache',
  );
  return {
    recorded: (outcome) => recorded.inc({ outcome }),
    flushed: (report, seconds) => {
      flushed.inc(report.views);
      flushDuration.observe(seconds);
      lastFlush.set(Date.now() / 1000);
    },
    directoryQuery: () => directoryQueries.inc(),
    rankingComputed: () => rankingsComputed.inc(),
    watch(store) {
      metrics.gauge(
        'views_pending_flush',
        'Views recorded and not yet committed to PostgreSQL (pending and in-flight flushes; NaN while the store is unreachable)',
        () => store.pendingSum().catch(() => Number.NaN),
      );
      metrics.gauge(
        'views_outage_buffered',
        'Views this instance acknowledged while Redis was unreachable and that wait in PostgreSQL to be applied',
        () => store.health().buffered,
      );
      metrics.gauge(
        'views_outage_dropped_total',
        'Views refused since start because the outage buffer was full',
        () => store.health().dropped,
      );
    },
  };
}

export function databaseMetrics(metrics: Metrics, db: Database): void {
  metrics.gauge(
    'db_query_plans_total',
    'Prisma query plans since start (process-wide): from the plan cache (hit), compiled and learnt (miss), compiled because the shape cannot be cached (literal)',
    () => [
      [{ result: 'hit' }, planCacheStats.hits],
      [{ result: 'miss' }, planCacheStats.misses],
      [{ result: 'literal' }, planCacheStats.literal],
    ],
    ['result'],
  );
  metrics.gauge('db_query_plan_shapes', 'Request shapes in the query plan cache', () => planCacheStats.shapes);
  metrics.gauge(
    'db_direct_statements_total',
    'Plain read statements sent straight to the PostgreSQL pool, past Prisma, since start (process-wide; src/db/raw-rows.ts)',
    () => rawRowStats.direct,
  );
  const pool = db.pool;
  if (!pool) return;
  metrics.gauge(
    'db_pool_connections',
    'PostgreSQL pool connections: total, idle, in use, and requests waiting for one',
    () => [
      [{ state: 'total' }, pool.totalCount],
      [{ state: 'idle' }, pool.idleCount],
      [{ state: 'in_use' }, pool.totalCount - pool.idleCount],
      [{ state: 'waiting' }, pool.waitingCount],
    ],
    ['state'],
  );
  if (db.replicas.size === 0) return;
  metrics.gauge(
    'db_replica_up',
    'Read replica in rotation (1) or out, its reads on the primary (0)',
    () => db.replicas.status().map((r) => [{ replica: r.name }, r.up ? 1 : 0]),
    ['replica'],
  );
  metrics.gauge(
    'db_replica_fallbacks',
    'Statements the primary answered for a read replica (down, or a conflict with recovery)',
    () => db.replicas.status().map((r) => [{ replica: r.name }, r.fallbacks]),
    ['replica'],
  );
}
