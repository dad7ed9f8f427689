// Environment parsed once and validated. Everything optional: with no configuration at all the
// server runs on an embedded PGlite database with demo data and in-process pub/sub.
import path from 'node:path';
import { z } from 'zod';
import { LOG_LEVELS, type LogLevel } from './platform/logger.ts';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(1000).default(10),
  DATABASE_PREPARED_STATEMENTS: bool.default(true),
  DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(3_000),
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(5_000),
  DATABASE_REPLICA_URLS: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((u) => u.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^postgres(ql)?:\/\//, 'each replica is a postgres:// or postgresql:// URL')))
    .optional(),
  DATABASE_PLAN_CACHE: z.enum(['on', 'off', 'verify']).default('on'),
  PGLITE_DIR: z.string().min(1).default('./data'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  SEED_DEMO: bool.optional(),
  DEMO_VIEWS: bool.optional(),
  SITE_URL: z.string().url().default('http://localhost:4000'),
  GRAPHIQL: bool.default(true),
  MAX_PAGE_SIZE: z.coerce.number().int().min(1).max(1000).default(100),
  WS_KEEPALIVE_MS: z.coerce.number().int().min(0).max(600_000).default(12_000),
  WS_INIT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  WS_MAX_SUBSCRIPTIONS: z.coerce.number().int().min(1).max(1000).default(25),
  WS_MAX_PAYLOAD_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(16 * 1024 * 1024)
    .default(64 * 1024),
  LIVE_REPLAY_LIMIT: z.coerce.number().int().min(1).max(1000).default(100),
  LIVE_MAX_BUFFERED: z.coerce.number().int().min(10).max(100_000).default(1_000),
  MEDIA_DIR: z.string().min(1).default('./data/media'),
  MAX_UPLOAD_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(100 * 1024 * 1024)
    .default(10 * 1024 * 1024),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
    .optional(),
  MAIL_FROM: z.string().min(3).default('일간환경연합 <no-reply@localhost>'),
  OUTBOX_DIR: z.string().min(1).default('./data/outbox'),
  EMAIL_LIMIT_PER_VISITOR: z.coerce.number().int().min(1).max(10_000).default(5),
  EMAIL_LIMIT_PER_RECIPIENT: z.coerce.number().int().min(1).max(10_000).default(3),
  EMAIL_LIMIT_PER_IP: z.coerce.number().int().min(1).max(100_000).default(20),
  TRUST_PROXY: bool.default(false),
  NODE_ENV: z.string().optional(),
  INTROSPECTION: bool.default(true),
  FIELD_SUGGESTIONS: bool.optional(),
  CORS_ORIGINS: z
    .string()
    .default('*')
    .transform((v) =>
      v.trim() === '*'
        ? ('*' as const)
        : v
            .split(',')
            .map((o) => o.trim())
            .filter(Boolean),
    )
    .pipe(
      z.union([
        z.literal('*'),
        z.array(z.string().regex(/^https?:\/\/[^/\s]+$/, 'each origin is scheme://host[:port], no path')).min(1),
      ]),
    ),
  CORS_CREDENTIALS: bool.default(false),
  MAX_REQUEST_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(100 * 1024 * 1024)
    .default(1024 * 1024),
  MAX_TOKENS: z.coerce.number().int().min(200).max(100_000).default(2_000),
  RATE_LIMIT_SEARCH_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(60),
  RATE_LIMIT_MUTATIONS_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(30),
  PUBLISH_SCHEDULER_MS: z.coerce.number().int().min(0).max(3_600_000).default(1_000),
  VIEWS_LIMIT_PER_ADDRESS: z.coerce.number().int().min(0).max(1_000_000).default(0),
  VIEWS_DEDUP_MINUTES: z.coerce
    .number()
    .min(0.001)
    .max(24 * 60)
    .default(30),
  VIEWS_FLUSH_MS: z.coerce.number().int().min(0).max(3_600_000).default(5_000),
  VIEWS_FLUSH_LEASE_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(30_000),
  VIEWS_RANKING_CACHE_MS: z.coerce.number().int().min(0).max(600_000).default(1_000),
  VIEWS_BUFFER_MAX: z.coerce.number().int().min(0).max(10_000_000).default(200_000),
  VIEWS_ARTICLE_CACHE_MS: z.coerce.number().int().min(0).max(86_400_000).default(600_000),
  VIEWS_REDIS_PREFIX: z.string().min(1).max(100).default('nv:'),
  VIEWS_PREWARM_ARTICLES: z.coerce.number().int().min(0).max(5_000_000).default(200_000),
  CACHE_MAX_AGE_ARTICLE: z.coerce.number().int().min(0).max(31_536_000).default(300),
  CACHE_MAX_AGE_LIST: z.coerce.number().int().min(0).max(31_536_000).default(60),
  CACHE_MAX_AGE_COUNTER: z.coerce.number().int().min(0).max(31_536_000).default(10),
  CACHE_STALE_WHILE_REVALIDATE: z.coerce.number().int().min(0).max(31_536_000).default(30),
  CACHE_STALE_IF_ERROR: z.coerce.number().int().min(0).max(31_536_000).default(86_400),
  RESPONSE_CACHE: bool.default(true),
  RESPONSE_CACHE_MAX_ENTRIES: z.coerce.number().int().min(1).max(10_000_000).default(10_000),
  CDN_PURGE_URL: z.string().url().optional(),
  CDN_PURGE_BATCH: z.coerce.number().int().min(1).max(10_000).default(100),
  CDN_PURGE_POLL_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  CDN_PURGE_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  CDN_PURGE_MAX_BACKOFF_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  PERSISTED_OPERATIONS: z.enum(['off', 'allow', 'require']).default('allow'),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  METRICS: bool.default(true),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(10_000),
  SHUTDOWN_DRAIN_MS: z.coerce.number().int().min(0).max(600_000).default(0),
});

/** Every variable the server reads (.env.example lists them all; a test keeps it so). */
export const ENV_VARIABLES = Object.keys(Env.shape);

export interface Config {
  port: number;
  host: string;
  /** Query plans cached per request shape (src/db/plan-cache.ts): on, off, or verify (compare a shape's first cached plans with a fresh compile; tests). */
  planCache: 'on' | 'off' | 'verify';
  database: /** PostgreSQL: connections in the pool (default 10), statements named (prepared) per connection (default true). */
    | {
        kind: 'postgres';
        url: string;
        poolSize?: number;
        preparedStatements?: boolean;
        /** Longest wait for a connection (a new one, or a free one from the pool) before the request fails as unavailable (default 3 s). */
        connectTimeoutMs?: number;
        /** PostgreSQL's statement_timeout; a statement without an answer a second after it fails as unavailable (default 5 s). */
        statementTimeoutMs?: number;
        /** Streaming replicas anonymous reads go to (round-robin; the primary while none is up). */
        replicaUrls?: string[];
      }
    | {
        kind: 'pglite';
        dir: string | undefined;
        /** A `dumpDataDir()` tarball an empty data directory starts from (never set from the environment: the tests share one seeded database this way). */
        snapshot?: Blob;
      };
  redisUrl: string | undefined;
  /** Seed demo data into an empty database at start (default: only for the embedded database). */
  seedDemo: boolean;
  /** Top up the demo's view history at start so mostViewed has every window (default: seedDemo). */
  demoViews: boolean;
  siteUrl: string;
  graphiql: boolean;
  maxPageSize: number;
  live: LiveConfig;
  views: ViewsConfig;
  media: { mediaDir: string; maxUploadBytes: number };
  mail: MailConfig;
  /** Take the client address from X-Forwarded-For (behind a load balancer). */
  trustProxy: boolean;
  log: LogConfig;
  /** GET /metrics (Prometheus); with a token, only `Authorization: Bearer <token>` is answered. */
  metrics: { enabled: boolean; token: string | undefined };
  cache: CacheConfig;
  /** NODE_ENV=production: no field suggestions unless FIELD_SUGGESTIONS says otherwise. */
  production: boolean;
  /** Masked errors carry the original message and stack in `extensions`: only NODE_ENV=development. */
  errorDetails: boolean;
  security: SecurityConfig;
  cors: { origins: '*' | string[]; credentials: boolean };
  shutdown: ShutdownConfig;
}

export interface ShutdownConfig {
  /** From SIGTERM/SIGINT to exit: past it the process logs what is still pending and exits 1. */
  timeoutMs: number;
  /** After the signal, /readyz answers 503 while this instance still serves, so a load balancer stops sending first. */
  drainMs: number;
}

export interface CacheConfig {
  /** Seconds a response may be cached, by the kind of field it contains; a response gets the minimum. */
  maxAge: { article: number; list: number; counter: number };
  staleWhileRevalidate: number;
  staleIfError: number;
  /** The server's own response cache (in-process, or in Redis with REDIS_URL). */
  responseCache: boolean;
  responseCacheMaxEntries: number;
  /** Where purges are POSTed as {"keys": [...]}; unset = only the server's own cache is purged. */
  purgeUrl: string | undefined;
  purgeBatch: number;
  /** Safety-net poll for rows left by other instances (0 = none: own queue, retries and start-up only). */
  purgePollMs: number;
  purgeTimeoutMs: number;
  purgeMaxBackoffMs: number;
  /** off: persisted-operation ids are not accepted; allow: ids or documents; require: ids only. */
  persistedOperations: 'off' | 'allow' | 'require';
}

export interface LogConfig {
  level: LogLevel;
  /** auto: pretty lines only when a person runs `npm start` in a terminal, JSON otherwise. */
  format: 'auto' | 'json' | 'pretty';
}

export interface SecurityConfig {
  introspection: boolean;
  fieldSuggestions: boolean;
  /** Largest request body (JSON, GET has none); multipart uploads have MAX_UPLOAD_BYTES. */
  maxRequestBytes: number;
  /** Lexical tokens per GraphQL document. */
  maxTokens: number;
  /** Directives per operation. */
  maxDirectives: number;
  /** Per client (token, else address) and minute. */
  searchPerMinute: number;
  mutationsPerMinute: number;
}

export interface MailConfig {
  /** SMTP server; unset = messages are written as .eml files to `outboxDir`. */
  smtpUrl: string | undefined;
  from: string;
  outboxDir: string;
  /** "기사 메일전송" messages allowed per hour, per visitor, recipient and client address. */
  perVisitorPerHour: number;
  perRecipientPerHour: number;
  perIpPerHour: number;
}

export interface ViewsConfig {
  /** The same visitor's views of an article within this window count once. */
  dedupMs: number;
  /** Views counted per reader address and minute, per instance (0 = no limit). */
  perAddressPerMinute: number;
  /** Write-behind period: pending view counts are committed to PostgreSQL this often (0 = only at stop). */
  flushIntervalMs: number;
  /** A claimed flush batch not committed after this long is committed by another flusher. */
  flushLeaseMs: number;
  /** How long a computed ranking is served before it is recomputed. */
  rankingCacheMs: number;
  /** Views held in memory while Redis is unreachable; beyond it views are refused (503). */
  maxBuffered: number;
  /** How long an article's "countable" status is cached (unpublishing also evicts it at once). */
  articleCacheMs: number;
  /** The most recently published articles loaded into the countable-article cache at start. */
  prewarmArticles: number;
  redisPrefix: string;
}

export interface LiveConfig {
  /** WebSocket ping interval (0 = none); an unanswered ping terminates the socket. */
  keepAliveMs: number;
  /** Time a WebSocket client has to send ConnectionInit. */
  initTimeoutMs: number;
  /** Subscriptions one WebSocket may hold at once. */
  maxSubscriptionsPerSocket: number;
  /** Largest incoming WebSocket message. */
  maxPayloadBytes: number;
  /** Most events one `articlePublished(after:)` resume replays. */
  replayLimit: number;
  /** Events held for a slow subscriber before its subscription is dropped. */
  maxBufferedEvents: number;
  /** How often scheduled articles are checked for publication (0 = never, e.g. a worker does it). */
  schedulerIntervalMs: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Env.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.CORS_CREDENTIALS && e.CORS_ORIGINS === '*') {
    throw new Error(
      'Invalid configuration:\n  CORS_CREDENTIALS: needs an explicit CORS_ORIGINS list (never credentials for any origin)',
    );
  }
  if (e.SHUTDOWN_DRAIN_MS >= e.SHUTDOWN_TIMEOUT_MS) {
    throw new Error(
      'Invalid configuration:\n  SHUTDOWN_DRAIN_MS: must be shorter than SHUTDOWN_TIMEOUT_MS (the drain is part of the shutdown)',
    );
  }
  if (e.DATABASE_REPLICA_URLS?.length && !e.DATABASE_URL) {
    throw new Error(
      'Invalid configuration:\n  DATABASE_REPLICA_URLS: needs DATABASE_URL (replicas of the embedded database do not exist)',
    );
  }
  const production = e.NODE_ENV === 'production';
  const database: Config['database'] = e.DATABASE_URL
    ? {
        kind: 'postgres',
        url: e.DATABASE_URL,
        poolSize: e.DATABASE_POOL_SIZE,
        preparedStatements: e.DATABASE_PREPARED_STATEMENTS,
        connectTimeoutMs: e.DATABASE_CONNECT_TIMEOUT_MS,
        statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
        replicaUrls: e.DATABASE_REPLICA_URLS ?? [],
      }
    : { kind: 'pglite', dir: e.PGLITE_DIR === 'memory' ? undefined : path.resolve(e.PGLITE_DIR) };
  return {
    port: e.PORT,
    host: e.HOST,
    planCache: e.DATABASE_PLAN_CACHE,
    database,
    redisUrl: e.REDIS_URL,
    seedDemo: e.SEED_DEMO ?? database.kind === 'pglite',
    demoViews: e.DEMO_VIEWS ?? e.SEED_DEMO ?? database.kind === 'pglite',
    siteUrl: e.SITE_URL.replace(/\/$/, ''),
    graphiql: e.GRAPHIQL,
    maxPageSize: e.MAX_PAGE_SIZE,
    live: {
      keepAliveMs: e.WS_KEEPALIVE_MS,
      initTimeoutMs: e.WS_INIT_TIMEOUT_MS,
      maxSubscriptionsPerSocket: e.WS_MAX_SUBSCRIPTIONS,
      maxPayloadBytes: e.WS_MAX_PAYLOAD_BYTES,
      replayLimit: e.LIVE_REPLAY_LIMIT,
      maxBufferedEvents: e.LIVE_MAX_BUFFERED,
      schedulerIntervalMs: e.PUBLISH_SCHEDULER_MS,
    },
    media: { mediaDir: path.resolve(e.MEDIA_DIR), maxUploadBytes: e.MAX_UPLOAD_BYTES },
    mail: {
      smtpUrl: e.SMTP_URL,
      from: e.MAIL_FROM,
      outboxDir: path.resolve(e.OUTBOX_DIR),
      perVisitorPerHour: e.EMAIL_LIMIT_PER_VISITOR,
      perRecipientPerHour: e.EMAIL_LIMIT_PER_RECIPIENT,
      perIpPerHour: e.EMAIL_LIMIT_PER_IP,
    },
    trustProxy: e.TRUST_PROXY,
    log: { level: e.LOG_LEVEL, format: e.LOG_FORMAT },
    metrics: { enabled: e.METRICS, token: e.METRICS_TOKEN },
    cache: {
      maxAge: { article: e.CACHE_MAX_AGE_ARTICLE, list: e.CACHE_MAX_AGE_LIST, counter: e.CACHE_MAX_AGE_COUNTER },
      staleWhileRevalidate: e.CACHE_STALE_WHILE_REVALIDATE,
      staleIfError: e.CACHE_STALE_IF_ERROR,
      responseCache: e.RESPONSE_CACHE,
      responseCacheMaxEntries: e.RESPONSE_CACHE_MAX_ENTRIES,
      purgeUrl: e.CDN_PURGE_URL,
      purgeBatch: e.CDN_PURGE_BATCH,
      purgePollMs: e.CDN_PURGE_POLL_MS,
      purgeTimeoutMs: e.CDN_PURGE_TIMEOUT_MS,
      purgeMaxBackoffMs: e.CDN_PURGE_MAX_BACKOFF_MS,
      persistedOperations: e.PERSISTED_OPERATIONS,
    },
    production,
    errorDetails: e.NODE_ENV === 'development',
    security: {
      introspection: e.INTROSPECTION,
      fieldSuggestions: e.FIELD_SUGGESTIONS ?? !production,
      maxRequestBytes: e.MAX_REQUEST_BYTES,
      maxTokens: e.MAX_TOKENS,
      maxDirectives: 20,
      searchPerMinute: e.RATE_LIMIT_SEARCH_PER_MINUTE,
      mutationsPerMinute: e.RATE_LIMIT_MUTATIONS_PER_MINUTE,
    },
    cors: { origins: e.CORS_ORIGINS, credentials: e.CORS_CREDENTIALS },
    shutdown: { timeoutMs: e.SHUTDOWN_TIMEOUT_MS, drainMs: e.SHUTDOWN_DRAIN_MS },
    views: {
      dedupMs: Math.round(e.VIEWS_DEDUP_MINUTES * 60_000),
      perAddressPerMinute: e.VIEWS_LIMIT_PER_ADDRESS,
      flushIntervalMs: e.VIEWS_FLUSH_MS,
      flushLeaseMs: e.VIEWS_FLUSH_LEASE_MS,
      rankingCacheMs: e.VIEWS_RANKING_CACHE_MS,
      maxBuffered: e.VIEWS_BUFFER_MAX,
      articleCacheMs: e.VIEWS_ARTICLE_CACHE_MS,
      prewarmArticles: e.VIEWS_PREWARM_ARTICLES,
      redisPrefix: e.VIEWS_REDIS_PREFIX,
    },
  };
}
