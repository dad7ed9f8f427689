import type { YogaInitialContext } from 'graphql-yoga';
import { authenticate, connectionCredentials, type Viewer } from './auth/tokens.ts';
import { clientAddress } from './client-address.ts';
import type { CachePurger } from './cache/purge.ts';
import type { Mailer } from './readers/mailer.ts';
import type { RateLimiter } from './readers/rate-limit.ts';
import type { Config } from './config.ts';
import type { PrismaClient } from './generated/prisma/client.ts';
import type { LiveHub } from './live/hub.ts';
import type { PubSub } from './pubsub/pubsub.ts';
import type { ViewCounting } from './views/wiring.ts';
import type { Logger } from './platform/logger.ts';
import type { Clock } from './platform/clock.ts';

/** What the app holds once, built by the app factory (src/app.ts). */
export interface AppServices {
  prisma: PrismaClient;
  config: Config;
  clock: Clock;
  /** Events out (publishing services). */
  pubsub: PubSub;
  /** Events in: this process's subscriptions. */
  live: LiveHub;
  log: Logger;
  mailer: Mailer;
  rateLimiter: RateLimiter;
  /** View counting and rankings (src/views, src/rankings). */
  views: ViewCounting;
  /** Queues the cache purges a change causes (src/cache). */
  cachePurger: CachePurger;
}

/**
 * What every resolver gets: the app's services (one route to each: `ctx.prisma`, `ctx.views` …) and
 * what belongs to this request. Built once per request (or per subscription event source).
 */
export interface Context extends AppServices {
  /** The request's clock: visibility ("published in the past") is judged against it. */
  now: Date;
  /** The authenticated API token, or null for anonymous readers. */
  viewer: Viewer | null;
  /** The client's address (X-Forwarded-For's first entry when TRUST_PROXY is set). */
  clientIp: string | null;
  /** The request's User-Agent (view counting's bot filter); null over WebSocket or when absent. */
  userAgent: string | null;
}

/** Credentials from the Authorization header (HTTP) or from connectionParams (WebSocket). */
function credentialsOf(
  initial?: Partial<YogaInitialContext> & { connectionParams?: Record<string, unknown> },
): unknown {
  const header = initial?.request?.headers.get('authorization');
  if (header != null) return header;
  return connectionCredentials(initial?.connectionParams);
}

function clientIpOf(
  services: AppServices,
  initial?: Partial<YogaInitialContext> & { req?: { socket?: { remoteAddress?: string } } },
): string | null {
  return clientAddress(
    initial?.request?.headers.get('x-forwarded-for'),
    initial?.req?.socket?.remoteAddress,
    services.config.trustProxy,
  );
}

export async function createContext(services: AppServices, initial?: Partial<YogaInitialContext>): Promise<Context> {
  const now = services.clock();
  const viewer = await authenticate(services.prisma, credentialsOf(initial), now);
  return {
    ...services,
    now,
    viewer,
    clientIp: clientIpOf(services, initial),
    userAgent: initial?.request?.headers.get('user-agent') ?? null,
  };
}
