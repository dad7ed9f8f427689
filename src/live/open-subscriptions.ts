// Every subscription open in this process, over either transport (graphql-ws or Yoga's SSE), so that
// shutdown can end them: `endAll()` ends each stream (`return()`), and the transport then finishes it
// the way it finishes any stream: an SSE response gets its `event: complete` and ends, instead of
// being cut mid-stream. (WebSocket clients are told 1001 Going Away by websocket.ts first; ending
// their streams afterwards only releases them.) A subscription that starts after `endAll()` ends at
// once. Clients resume on another instance with the last `cursor` they received.
import type { Plugin } from 'graphql-yoga';
import { isAsyncIterable, mapStream } from './async-iterators.ts';

export interface OpenSubscriptions {
  plugin: Plugin;
  /** Open subscriptions in this process, over both transports. */
  count(): number;
  /** Ends every open subscription, and every later one as it starts; resolves once each has released its source. */
  endAll(): Promise<void>;
}

export function trackOpenSubscriptions(): OpenSubscriptions {
  const open = new Set<AsyncIterableIterator<unknown>>();
  let closing = false;
  const plugin: Plugin = {
    onSubscribe() {
      return {
        onSubscribeResult({ result, setResult }) {
          if (!isAsyncIterable(result)) return;
          const stream: AsyncIterableIterator<unknown> = mapStream(
            result,
            (value) => value,
            () => open.delete(stream),
          );
          open.add(stream);
          if (closing) void stream.return!();
          setResult(stream as never);
        },
      };
    },
  };
  return {
    plugin,
    count: () => open.size,
    async endAll() {
      closing = true;
      await Promise.all([...open].map((stream) => stream.return!()));
    },
  };
}
