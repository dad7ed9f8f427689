// Fast path for `next` frames over graphql-ws. graphql-ws sends each result by building
// `{ id, type: "next", payload }`, JSON.stringify-ing it for that socket and awaiting the write's
// callback through a Promise. With executions shared (shared-execution.ts), thousands of sockets get
// the very same result object for one event, so here it is serialised once (cached by object
// identity) and each socket gets `{"id":<id>,"type":"next","payload":<shared JSON>}` built by string
// concatenation: byte for byte what graphql-ws would have sent.
//
// It wraps the stream graphql-ws iterates, after Yoga's envelop hooks (error masking included) have
// run, so it only changes how a result is written, never which result. Results with `errors` and
// anything while the socket is not open are handed to graphql-ws as before. Order is kept: the
// wrapper writes or hands over each result before it pulls the next one.
//
// Backpressure: a write goes without callback while the socket has nothing pending; once it has
// (a consumer not reading), the next write is awaited before the stream is pulled again, so events
// pile up in the subscription's LiveStream, which drops the subscriber (RATE_LIMITED) past its limit
// as before. Other sockets never wait for a slow one.
import type { ExecutionResult } from 'graphql';

/** What the fast path needs of a `ws` WebSocket. */
export interface FrameSocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string, options: { binary: boolean; compress: boolean; fin: boolean }, cb?: (error?: Error) => void): void;
}

const OPEN = 1;
const SEND_OPTIONS = { binary: false, compress: false, fin: true };
const serialised = new WeakMap<object, string>();

/** JSON of a result without errors, computed once per result object. */
function payloadJson(result: ExecutionResult): string {
  let json = serialised.get(result);
  if (json === undefined) {
    // Same payload as graphql-ws: the result's own fields (no `errors` here).
    json = JSON.stringify(result);
    serialised.set(result, json);
  }
  return json;
}

function isPlainResult(value: unknown): value is ExecutionResult {
  return typeof value === 'object' && value !== null && (value as ExecutionResult).errors === undefined && Object.getPrototypeOf(value) === Object.prototype;
}

/**
 * Wraps the result stream of subscription `id` on `socket`: error-free results are written directly
 * as pre-built frames; anything else is yielded to graphql-ws.
 */
export function writeResultsDirectly<T>(source: AsyncIterable<T>, socket: FrameSocket, id: string): AsyncIterableIterator<T> {
  const iterator = source[Symbol.asyncIterator]();
  const prefix = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
  return {
    async next() {
      for (;;) {
        const step = await iterator.next();
        if (step.done || socket.readyState !== OPEN || !isPlainResult(step.value)) return step;
        const frame = prefix + payloadJson(step.value) + '}';
        if (socket.bufferedAmount === 0) {
          socket.send(frame, SEND_OPTIONS);
        } else {
          // Earlier frames are still waiting for this consumer: hold the stream until this one is out.
          await new Promise<void>((resolve, reject) => socket.send(frame, SEND_OPTIONS, (error) => (error ? reject(error) : resolve())));
        }
      }
    },
    async return() {
      await iterator.return?.();
      return { value: undefined, done: true };
    },
    async throw(error) {
      await iterator.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
