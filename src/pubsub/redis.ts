// Redis transport: a publisher connection and a dedicated subscriber connection, both built from the
// whole REDIS_URL (password, db number, TLS with rediss://). The subscriber subscribes to every topic
// once per process and fans out locally, so 10,000 subscriptions cost Redis one subscription per topic.
// On reconnect (Redis restarted) it subscribes again before it reports itself subscribed.
import type { Redis } from 'ioredis';
import { connectRedis } from '../platform/redis.ts';
import { createMemoryPubSub, Dispatcher, type PubSub, StatusEmitter } from './pubsub.ts';
import { type Topic, TOPICS, type Topics } from './topics.ts';
import { type Logger, silentLogger } from '../platform/logger.ts';

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
    let payload: Topics[Topic];
    try {
      payload = JSON.parse(message);
    } catch {
      log.warn({ channel }, 'pubsub: dropped a malformed message');
      return;
    }
    dispatcher.dispatch(topic, payload);
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
      await publisher.publish(prefix + topic, JSON.stringify(payload));
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
