// Pub/sub with one interface and two transports, chosen once in the app factory:
// in-process (no REDIS_URL) or Redis (every instance sees every event).
import type { Delivery, Topic, Topics } from './topics.ts';
import { type Logger, silentLogger } from '../platform/logger.ts';

export type Listener<T extends Topic> = (delivery: Delivery<T>) => void;

export interface PubSubStatus {
  transport: 'memory' | 'redis';
  /** True when events published by any instance reach this one. */
  subscribed: boolean;
}

export interface PubSub {
  readonly transport: 'memory' | 'redis';
  /**
   * Delivers the event to this process's listeners at once, then resolves once it has left this
   * process (Redis acknowledged it); rejects if it could not (this process's listeners still had it).
   */
  publish<T extends Topic>(topic: T, payload: Topics[T]): Promise<void>;
  /**
   * Registers a listener synchronously (no event published after this call is missed) and returns
   * the function that removes it.
   */
  listen<T extends Topic>(topic: T, listener: Listener<T>): () => void;
  status(): PubSubStatus;
  /** Calls `listener` whenever `status().subscribed` changes; returns the function that removes it. */
  onStatus(listener: (status: PubSubStatus) => void): () => void;
  /** Resolves true once subscribed, or false after `timeoutMs`. */
  ready(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

/** Local fan-out shared by both transports: one Delivery object per event for all listeners. */
export class Dispatcher {
  // biome-ignore lint/suspicious/noExplicitAny: one map holds listeners of every topic's payload type
  private readonly listeners = new Map<Topic, Set<Listener<any>>>();
  private seq = 0;

  constructor(private readonly log: Logger) {}

  listen<T extends Topic>(topic: T, listener: Listener<T>): () => void {
    let set = this.listeners.get(topic);
    if (!set) this.listeners.set(topic, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  dispatch<T extends Topic>(topic: T, payload: Topics[T]): void {
    const set = this.listeners.get(topic);
    const delivery: Delivery<T> = { topic, payload, seq: ++this.seq, receivedAt: new Date() };
    if (!set) return;
    for (const listener of set) {
      try {
        listener(delivery);
      } catch (error) {
        this.log.error({ err: error, topic }, 'pubsub: a listener threw');
      }
    }
  }

  listenerCount(): number {
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }
}

export class StatusEmitter {
  private readonly listeners = new Set<(status: PubSubStatus) => void>();
  private current: PubSubStatus;

  constructor(initial: PubSubStatus) {
    this.current = initial;
  }

  get(): PubSubStatus {
    return this.current;
  }

  set(subscribed: boolean): void {
    if (this.current.subscribed === subscribed) return;
    this.current = { ...this.current, subscribed };
    for (const listener of [...this.listeners]) listener(this.current);
  }

  on(listener: (status: PubSubStatus) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  ready(timeoutMs = 5_000): Promise<boolean> {
    if (this.current.subscribed) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        off();
        resolve(false);
      }, timeoutMs);
      timer.unref?.();
      const off = this.on((status) => {
        if (!status.subscribed) return;
        clearTimeout(timer);
        off();
        resolve(true);
      });
    });
  }
}

/** In-process pub/sub: one instance, no Redis. */
export function createMemoryPubSub(log: Logger = silentLogger): PubSub {
  const dispatcher = new Dispatcher(log);
  const status = new StatusEmitter({ transport: 'memory', subscribed: true });
  return {
    transport: 'memory',
    async publish(topic, payload) {
      // Same JSON round trip as through Redis, so a payload that works here works there too.
      dispatcher.dispatch(topic, JSON.parse(JSON.stringify(payload)));
    },
    listen: (topic, listener) => dispatcher.listen(topic, listener),
    status: () => status.get(),
    onStatus: (listener) => status.on(listener),
    ready: (timeoutMs) => status.ready(timeoutMs),
    async close() {},
  };
}
