// Redis transport: a publisher connection and a dedicated subscriber connection, both built from the
// whole REDIS_URL (password, db number, TLS with rediss://). The subscriber subscribes to every topic
// once per process and fans out locally, so 10,000 subscriptions cost Redis one subscription per topic.
// On reconnect (Redis restarted) it subscribes again before it reports itself subscribed.
//
// The publishing instance delivers to its own listeners at once, before and whatever Redis answers:
// a message carries its origin, and an instance skips its own messages when Redis echoes them. So
// a Redis outage never delays or loses an event for the instance that published it; the others
// catch up from PostgreSQL when their subscription comes back (src/live/catch-up.ts).
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { connectRedis } from '../platform/redis.ts';
import { createMemoryPubSub, Dispatcher, type PubSub, StatusEmitter } from './pubsub.ts';
import { type Topic, TOPICS, type Topics } from './topics.ts';
import { type Logger, silentLogger } from '../platform/logger.ts';

/** A message on the wire: the publishing instance (to skip its own echo) and the topic's payload. */
interface Envelope {
  origin: string;
  payload: Topics[Topic];
}

export interface RedisPubSubOptions {
  log?: Logger;
  /** Channel prefix, so several deployments can share one Redis. */
  prefix?: string;
}

export function createRedisPubSub(url: string, options: RedisPubSubOptions = {}): PubSub {
  const log = options.log ?? silentLogger;
  const prefix = options.prefix ?? 'newsroom:live:';
  const channels = TOPICS.map((t) => prefix + t);
  const dispatcher = new Dispatcher(log);
  const status = new StatusEmitter({ transport: 'redis', subscribed: false });
  const origin = randomUUID();

  // A publish waits through at most two reconnect attempts, then fails: the state change it
  // announces is already committed, and a mutation must not hang while Redis is down.
  const publisher = connectRedis(url, 'newsroom-live-pub', { maxRetriesPerRequest: 2 });
  const subscriber = connectRedis(url, 'newsroom-live-sub', {
    // We subscribe ourselves on every `ready`, so we know when it is done.
    autoResubscribe: false,
    maxRetriesPerRequest: null,
  });

  let closing = false;
  const errorLogger = (name: string) => {
    let last = '';
    return (error: Error) => {
      // One line per distinct failure, not one per reconnect attempt.
      if (error.message === last) return;
      last = error.message;
      log.warn({ err: error, connection: name }, 'pubsub: redis');
    };
  };
  publisher.on('error', errorLogger('publisher'));
  subscriber.on('error', errorLogger('subscriber'));

  subscriber.on('ready', () => {
    subscriber.subscribe(...channels).then(
      () => {
        if (!closing) status.set(true);
      },
      (error: Error) => log.error({ err: error }, 'pubsub: subscribe failed'),
    );
  });
  subscriber.on('close', () => status.set(false));
  subscriber.on('message', (channel: string, message: string) => {
    if (!channel.startsWith(prefix)) return;
    const topic = channel.slice(prefix.length) as Topic;
    let envelope: Envelope | null = null;
    try {
      envelope = JSON.parse(message);
    } catch {}
    if (typeof envelope?.origin !== 'string' || typeof envelope.payload !== 'object' || envelope.payload === null) {
      log.warn({ channel }, 'pubsub: dropped a malformed message');
      return;
    }
    if (envelope?.origin === origin) return; // delivered here when it was published
    dispatcher.dispatch(topic, envelope.payload);
  });

  const shut = async (client: Redis) => {
    if (client.status === 'ready') {
      await client.quit().catch(() => client.disconnect());
    } else {
      client.disconnect();
    }
  };

  return {
    transport: 'redis',
    async publish(topic, payload) {
      const message = JSON.stringify({ origin, payload } satisfies Envelope);
      // Here first, as other instances will see it: the same JSON round trip.
      dispatcher.dispatch(topic, (JSON.parse(message) as Envelope).payload as Topics[typeof topic]);
      await publisher.publish(prefix + topic, message);
    },
    listen: (topic, listener) => dispatcher.listen(topic, listener),
    status: () => status.get(),
    onStatus: (listener) => status.on(listener),
    ready: (timeoutMs) => status.ready(timeoutMs),
    async close() {
      closing = true;
      status.set(false);
      await Promise.all([shut(publisher), shut(subscriber)]);
    },
  };
}

/** The app's pub/sub: Redis when a URL is configured, in-process otherwise. */
export function createPubSub(redisUrl: string | undefined, options: RedisPubSubOptions = {}): PubSub {
  return redisUrl ? createRedisPubSub(redisUrl, options) : createMemoryPubSub(options.log);
}
