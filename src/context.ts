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

/** What every resolver gets. Built once per request (or per subscription event source). */
export interface Context {
  prisma: PrismaClient;
  config: Config;
  /** The request's clock: visibility ("published in the past") is judged against it. */
  now: Date;
  /** Events out (publishing services). */
  pubsub: PubSub;
  /** Events in: this process's subscriptions. */
  live: LiveHub;
  /** The authenticated API token, or null for anonymous readers. */
  viewer: Viewer | null;
  /** Everything the app holds once (mailer, rate limits, clock …), for mutations' services. */
  services: AppServices;
  /** The client's address (X-Forwarded-For's first entry when TRUST_PROXY is set). */
  clientIp: string | null;
  /** The request's User-Agent (view counting's bot filter); null over WebSocket or when absent. */
  userAgent: string | null;
}

export interface AppServices {
  prisma: PrismaClient;
  config: Config;
  clock: () => Date;
  pubsub: PubSub;
  live: LiveHub;
  log: Logger;
  mailer: Mailer;
  rateLimiter: RateLimiter;
  /** View counting and rankings (src/views, src/rankings). */
  views: ViewCounting;
  /** Queues the cache purges a change causes (src/cache). */
  cachePurger: CachePurger;
}

/** Credentials from the Authorization header (HTTP) or from connectionParams (WebSocket). */
function credentialsOf(initial?: Partial<YogaInitialContext> & { connectionParams?: Record<string, unknown> }): unknown {
  const header = initial?.request?.headers.get('authorization');
  if (header != null) return header;
  return connectionCredentials(initial?.connectionParams);
}

function clientIpOf(services: AppServices, initial?: Partial<YogaInitialContext> & { req?: { socket?: { remoteAddress?: string } } }): string | null {
  return clientAddress(initial?.request?.headers.get('x-forwarded-for'), initial?.req?.socket?.remoteAddress, services.config.trustProxy);
}

export async function createContext(services: AppServices, initial?: Partial<YogaInitialContext>): Promise<Context> {
  const now = services.clock();
  const viewer = await authenticate(services.prisma, credentialsOf(initial), now);
  return { prisma: services.prisma, config: services.config, now, pubsub: services.pubsub, live: services.live, viewer, services, clientIp: clientIpOf(services, initial), userAgent: initial?.request?.headers.get('user-agent') ?? null };
}
