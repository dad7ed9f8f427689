// buildApp(config) -> { yoga, server, start, stop }: wires database, schema and transports.
// No side effects at import; main.ts (or a test) decides when to listen and when to stop.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createFetch } from '@whatwg-node/fetch';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { Config } from './config.ts';
import { type AppServices, type Context, createContext } from './context.ts';
import { type Database, type DatabaseOptions, openDatabase } from './db/client.ts';
import { startPublicationScheduler } from './articles/publishing.ts';
import { authenticate, connectionCredentials } from './auth/tokens.ts';
import { useDashboard } from './dashboard/plugin.ts';
import { maskError } from './errors.ts';
import { corsOptions, nodeCorsHeaders } from './http/cors.ts';
import { useCsrfPrevention } from './http/csrf.ts';
import { useDocumentLimits } from './http/document-limits.ts';
import { useClientErrorLog } from './http/error-log.ts';
import { useOperationRateLimits } from './http/operation-rate-limits.ts';
import { useRequestBodyLimits } from './http/request-body.ts';
import { useStringInputs } from './http/string-inputs.ts';
import { useMediaFiles } from './media/storage.ts';
import { createMailer } from './readers/mailer.ts';
import { createRateLimiter } from './readers/rate-limit.ts';
import { graphiqlOptions, renderGraphiQL } from './graphiql.ts';
import { LiveHub } from './live/hub.ts';
import { type Clock, systemClock } from './platform/clock.ts';
import { useSharedSubscriptionExecution } from './live/shared-execution.ts';
import { trackOpenSubscriptions } from './live/open-subscriptions.ts';
import { trackHttp } from './platform/http-drain.ts';
import { attachWebSocketServer, type ConnectionAuthenticator, type LiveWebSocketServer } from './live/websocket.ts';
import { type Caching, createCaching } from './cache/caching.ts';
import type { PubSub } from './pubsub/pubsub.ts';
import { createPubSub } from './pubsub/redis.ts';
import { DEFAULT_LIMITS, useOperationLimits } from './relay/operation-limits.ts';
import { schema } from './schema.ts';
import { seedIfEmpty } from './seed/demo.ts';
import { ensureDemoPhotos } from './seed/demo-photos.ts';
import { refreshDemoViews } from './seed/demo-views.ts';
import { VIEW_BEACON_PREFIX, handleViewBeacon } from './views/beacon.ts';
import { createLogger, type Logger, yogaLogger } from './platform/logger.ts';
import { useRequestFacts } from './platform/request-facts.ts';
import { observeRequests, requestLogger } from './platform/request-log.ts';
import { readinessCheck, useHealthEndpoints } from './platform/health.ts';
import { Metrics } from './platform/metrics.ts';
import { useMetricsEndpoint } from './platform/metrics-endpoint.ts';
import {
  databaseMetrics,
  instrumentPubSub,
  requestMetrics,
  useSubscriptionMetrics,
  viewMetrics,
} from './platform/app-metrics.ts';
import { readMigrations } from './db/migrate.ts';
import { useReadReplicas } from './db/read-routing.ts';
import { isDatabaseUnavailable } from './db/unavailable.ts';
import { createViewCounting } from './views/wiring.ts';
import type { ViewStore } from './views/store.ts';

export interface AppOptions extends DatabaseOptions {
  /** The clock used to decide what is published; tests may freeze it. */
  clock?: Clock;
  /** The process's logger (default: JSON on stdout at LOG_LEVEL); every module gets it. */
  logger?: Logger;
  /** Who may open a WebSocket, from its connectionParams (default: anonymous readers). */
  authenticateConnection?: ConnectionAuthenticator;
  /** How long start-up waits for the Redis subscriber before serving anyway (default 5 s). */
  pubsubReadyTimeoutMs?: number;
  /** View store to use instead of the configured one (tests, benchmark). */
  viewStore?: ViewStore;
}

export interface App {
  yoga: YogaServerInstance<Record<string, unknown>, Context>;
  server: Server;
  db: Database;
  services: AppServices;
  pubsub: PubSub;
  caching: Caching;
  ws: LiveWebSocketServer;
  /** This app's Prometheus registry and metric helpers (src/platform/metrics.ts). */
  metrics: Metrics;
  /** Listens on `port` (0 = any free port); resolves with the bound port. */
  start(port?: number, host?: string): Promise<number>;
  /**
   * Graceful shutdown (README "Shutdown"): /readyz 503 at once; serving on for SHUTDOWN_DRAIN_MS;
   * then new connections refused, WebSocket clients told 1001, SSE streams completed, requests in
   * flight answered; then pending view counts flushed to PostgreSQL and everything closed.
   * The caller bounds it (main.ts exits 1 after SHUTDOWN_TIMEOUT_MS).
   */
  stop(): Promise<void>;
  /** What `stop()` is doing now (named in the log when shutdown runs out of time). */
  shutdownPhase(): string;
}

export async function buildApp(config: Config, options: AppOptions = {}): Promise<App> {
  const log = options.logger ?? (await createLogger({ level: config.log.level }));
  const metrics = new Metrics();
  const db = await openDatabase(config.database, {
    ...options,
    planCache: config.planCache,
    onBackfillDone: (error, filled) => {
      if (error) log.error({ err: error }, 'filling stored excerpts failed; retried at the next start');
      else if (filled > 0) log.info({ articles: filled }, 'filled stored excerpts and reading times');
    },
  });
  databaseMetrics(metrics, db);
  if (config.seedDemo) {
    const seeded = await seedIfEmpty(db.prisma);
    if (seeded) log.info({ articles: seeded.articles }, 'seeded demo data');
  }
  const clock = options.clock ?? systemClock;
  const pubsub = instrumentPubSub(createPubSub(config.redisUrl, { log }), metrics);
  if (!(await pubsub.ready(options.pubsubReadyTimeoutMs ?? 5_000))) {
    log.warn('Redis pub/sub not reachable yet: serving anyway; live events from other instances resume once it is');
  }
  const live = new LiveHub({
    prisma: db.prisma,
    pubsub,
    clock,
    log,
    replayLimit: config.live.replayLimit,
    maxBuffered: config.live.maxBufferedEvents,
  });
  const mailer = createMailer(config.mail);
  const rateLimiter = createRateLimiter(config.redisUrl, log);
  const viewObservers = viewMetrics(metrics);
  const views = await createViewCounting({
    prisma: db.prisma,
    config: config.views,
    redisUrl: config.redisUrl,
    clock,
    log,
    store: options.viewStore,
    observe: viewObservers,
  });
  viewObservers.watch(views.store);
  if (config.demoViews) {
    const demo = await refreshDemoViews(db.prisma, views, clock());
    if (demo.historyViews + demo.recentViews > 0)
      log.info({ views: demo.historyViews + demo.recentViews }, 'demo readership added to the view history');
  }
  if (config.seedDemo) await ensureDemoPhotos(config.media.mediaDir);
  // An unpublished, archived or deleted article stops being countable at once on every instance.
  pubsub.listen('article:updated', (d) => views.directory.invalidate(d.payload.articleId));
  pubsub.listen('article:published', (d) => views.directory.invalidate(d.payload.articleId));
  const caching = await createCaching({
    config,
    prisma: db.prisma,
    pubsub,
    log,
    metrics,
    ...(db.replicas.size ? { replicasCaughtUp: () => db.replicas.caughtUp() } : {}),
  });
  const services: AppServices = {
    prisma: db.prisma,
    config,
    clock,
    pubsub,
    live,
    log,
    mailer,
    rateLimiter,
    views,
    cachePurger: caching.purger,
  };
  let stopping = false;
  const readiness = readinessCheck({
    prisma: db.prisma,
    migrations: (await readMigrations()).map((m) => m.name),
    redis: config.redisUrl
      ? () =>
          pubsub.status().subscribed && views.store.health().connected
            ? 'ok'
            : `unreachable (pub/sub ${pubsub.status().subscribed ? 'up' : 'down'}, view store ${views.store.health().connected ? 'up' : 'down'})`
      : null,
    stopping: () => stopping,
    replicas: () => db.replicas.status(),
  });
  const scheduler =
    config.live.schedulerIntervalMs > 0 ? startPublicationScheduler(services, config.live.schedulerIntervalMs) : null;

  const subscriptions = trackOpenSubscriptions();
  const yoga = createYoga<Record<string, unknown>, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    context: (initial) => createContext(services, initial),
    // Bodies are limited by useRequestBodyLimits (MAX_REQUEST_BYTES; a Content-Length over it refused at
    // once, a chunked body counted as it streams in). Yoga's own limit would pipe every body through a
    // TransformStream and a new Request, whatever its Content-Length.
    maxRequestBodySize: false,
    // Multipart uploads are cut off at the size limit while streaming, not after buffering.
    fetchAPI: createFetch({
      formDataLimits: { fileSize: config.media.maxUploadBytes, files: 1, fieldSize: 1_000_000, fields: 20 },
    }),
    // Driver messages and stacks in `extensions` only with NODE_ENV=development, never unset or production.
    maskedErrors: { maskError, isDev: config.errorDetails },
    graphiql: config.graphiql ? graphiqlOptions : false,
    renderGraphiQL,
    landingPage: false,
    cors: corsOptions(config.cors),
    plugins: [
      useRequestFacts(),
      useHealthEndpoints(readiness),
      useDashboard(), // GET /dashboard: the live newsroom board (src/dashboard)
      useMediaFiles(config.media.mediaDir), // GET /media/…: uploaded and demo photos
      ...(config.metrics.enabled ? [useMetricsEndpoint(metrics, { token: config.metrics.token })] : []),
      useSubscriptionMetrics(metrics),
      useCsrfPrevention(),
      useRequestBodyLimits(config.security.maxRequestBytes),
      useDocumentLimits(config.security),
      useStringInputs(),
      useOperationLimits({ ...DEFAULT_LIMITS, maxPageSize: config.maxPageSize }),
      useOperationRateLimits(rateLimiter, config.security),
      useClientErrorLog(log),
      useReadReplicas(db.replicas), // anonymous queries on a read replica (DATABASE_REPLICA_URLS)
      // Subscribers with the same document, variables and viewer share one execution per event.
      // Every open subscription, so shutdown can complete them (SSE ends with `complete`).
      subscriptions.plugin,
      useSharedSubscriptionExecution((ctx) =>
        String((ctx as { viewer?: { tokenId: number } | null }).viewer?.tokenId ?? 'anonymous'),
      ),
      ...caching.plugins(),
    ],
    logging: yogaLogger(log),
  });

  const beaconOptions = {
    trustProxy: config.trustProxy,
    authenticate: (credentials: string | undefined) => authenticate(db.prisma, credentials, clock()),
  };
  // The view beacon is answered before Yoga. It is the hottest write path (one request
  // per page view) and Yoga's per-request pipeline alone costs a large share of the beacon's work: on
  // this 2-core machine a Yoga onRequest plugin answering at once (/healthz) ran 3,342-4,506 req/s
  // against the beacon's 1,384-4,264 req/s on this route and 4,312-11,641 req/s for a bare node:http
  // 204 (autocannon, 32 connections, load 17-19; README "Layout"). It still gets the request log line,
  // the request id and the HTTP metrics (observeRequests wraps every route), and answers CORS itself
  // (`*`: any page may count a view). Everything else, /media included, is a Yoga plugin.
  // Fast-path hits and 304s of cached anonymous reads are answered here too, for the same reason:
  // Yoga's adapter alone capped them at 0.39x a bare node:http server sending the same bytes
  // (bench/README.md). Anything else (a miss, a token, POST, HEAD, OPTIONS, pub/sub down) goes to Yoga,
  // whose caching plugin keeps the same fast path in onRequest for yoga.fetch and collapsed misses.
  const fastPath = caching.fastPath;
  const fastCors = nodeCorsHeaders(config.cors);
  const route = (req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith(VIEW_BEACON_PREFIX)) return void handleViewBeacon(views, req, res, beaconOptions);
    if (fastPath?.answerNode(req, res, fastCors)) return;
    return void yoga(req, res);
  };
  const server = createServer(observeRequests(route, [requestLogger(log), requestMetrics(metrics)]));
  const ws = attachWebSocketServer(server, yoga, {
    path: '/graphql',
    keepAliveMs: config.live.keepAliveMs,
    initTimeoutMs: config.live.initTimeoutMs,
    maxSubscriptionsPerSocket: config.live.maxSubscriptionsPerSocket,
    maxPayloadBytes: config.live.maxPayloadBytes,
    // Default: a token in connectionParams must be valid, or the socket is refused (4403) at once;
    // each operation's context then authenticates it again, as over HTTP.
    authenticate:
      options.authenticateConnection ??
      ((params) =>
        authenticate(db.prisma, connectionCredentials(params), clock()).then(
          () => ({}),
          (error) => {
            // An outage is not a bad token: the socket is told to retry (src/live/websocket.ts).
            if (isDatabaseUnavailable(error)) throw error;
            return false as const;
          },
        )),
  });
  const http = trackHttp(server);

  let stopped: Promise<void> | null = null;
  let phase = 'running';
  const step = async (name: string, work: () => unknown) => {
    phase = name;
    log.debug({ phase: name }, 'shutdown');
    await work();
  };
  return {
    yoga,
    server,
    db,
    services,
    pubsub,
    caching,
    ws,
    metrics,
    start(port = config.port, host = config.host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address();
          resolve(typeof address === 'object' && address ? address.port : port);
        });
      });
    },
    shutdownPhase: () => phase,
    stop() {
      stopped ??= (async () => {
        stopping = true; // /readyz answers 503 from now on
        http.begin();
        if (config.shutdown.drainMs > 0 && server.listening) {
          await step(
            'draining (serving with /readyz 503)',
            () => new Promise((resolve) => setTimeout(resolve, config.shutdown.drainMs)),
          );
        }
        await step('closing connections', async () => {
          http.stopAccepting();
          log.info(
            { inFlight: http.inFlight(), webSockets: ws.clientCount(), subscriptions: subscriptions.count() },
            'no longer accepting connections',
          );
          // WebSocket clients hear 1001 Going Away (and resume elsewhere with their cursor); SSE
          // streams end with `complete`; requests in flight are answered.
          await Promise.all([ws.close(), subscriptions.endAll(), http.settled()]);
        });
        await step('stopping the scheduler', () => scheduler?.stop());
        await step('stopping the cache', () => caching.stop());
        live.stop();
        // Pending view counts reach PostgreSQL before the database closes.
        await step('flushing views', () => views.stop());
        await step('closing pub/sub', () => pubsub.close());
        mailer.close();
        await step('closing the rate limiter', () => rateLimiter.close());
        await step('closing the database', () => db.close());
        phase = 'stopped';
      })();
      return stopped;
    },
  };
}
