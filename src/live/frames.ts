// Fast path for `next` frames over graphql-ws, through graphql-ws's own hooks. graphql-ws sends each
// result by calling `onNext`, building `{ id, type: "next", payload }`, `stringifyMessage`-ing it for
// that socket and awaiting the write's callback through a Promise. With executions shared
// (shared-execution.ts), thousands of sockets get the very same result object for one event; here it
// is serialised once (cached by object identity) and each socket gets graphql-ws's own frame around it.
//
// Where it plugs in (websocket.ts): the `onOperation` hook, which graphql-ws documents as the place
// to replace an operation's result, wraps a subscription's stream after Yoga's envelop hooks (error
// masking included) have run; so it only changes how a result is written, never which result.
// - The frame is graphql-ws's: `stringifyMessage` builds the subscription's `next` message once, with
//   a marker payload, and the serialised payload takes the marker's place (`nextFrameParts`).
// - The configured `onNext` hook is honoured: called for each result, in order, before its frame is
//   written, with the arguments graphql-ws passes; what it returns is the payload (as in graphql-ws).
// - Results with `errors`, anything not a plain object, and anything while the socket is not open are
//   handed to graphql-ws, which calls `onNext` and sends them itself.
// test/live-frames.test.ts compares the bytes and the `onNext` calls with plain graphql-ws's.
//
// Backpressure: a write goes without callback while the socket has nothing pending; once it has (a
// consumer not reading), the next write is awaited before the stream is pulled again, so events pile
// up in the subscription's LiveStream, which drops the subscriber (RATE_LIMITED) past its limit as
// before. Other sockets never wait for a slow one.
import { type ExecutionResult, type FormattedExecutionResult, MessageType, stringifyMessage } from 'graphql-ws';
import { mapStream, SKIP } from './async-iterators.ts';

/** What the fast path needs of a `ws` WebSocket. */
export interface FrameSocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string, options: { binary: boolean; compress: boolean; fin: boolean }, cb?: (error?: Error) => void): void;
}

/** The configured `onNext`, bound to this subscription's context, id, payload and arguments. */
export type BoundOnNext = (
  result: ExecutionResult,
  // biome-ignore lint/suspicious/noConfusingVoidType: graphql-ws's own onNext signature
) => Promise<FormattedExecutionResult | void> | FormattedExecutionResult | void;

const OPEN = 1;
const SEND_OPTIONS = { binary: false, compress: false, fin: true };
const serialised = new WeakMap<object, string>();
const MARKER = { '\u0000graphql-ws payload': 0 };
const MARKER_JSON = JSON.stringify(MARKER);

/** graphql-ws's `next` message for subscription `id`, split where its payload's JSON goes. */
export function nextFrameParts(id: string): [head: string, tail: string] {
  const frame = stringifyMessage<MessageType.Next>({ id, type: MessageType.Next, payload: MARKER as never });
  const at = frame.indexOf(MARKER_JSON);
  if (at < 0 || frame.indexOf(MARKER_JSON, at + 1) >= 0)
    throw new Error('graphql-ws next frame: payload marker not found exactly once');
  return [frame.slice(0, at), frame.slice(at + MARKER_JSON.length)];
}

/** JSON of a payload, computed once per payload object. */
function payloadJson(payload: object): string {
  let json = serialised.get(payload);
  if (json === undefined) {
    json = JSON.stringify(payload);
    serialised.set(payload, json);
  }
  return json;
}

function isPlainResult(value: unknown): value is ExecutionResult {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as ExecutionResult).errors === undefined &&
    Object.getPrototypeOf(value) === Object.prototype
  );
}

/**
 * Wraps the result stream of subscription `id` on `socket`: error-free results are written directly
 * as graphql-ws `next` frames (after `onNext`); anything else is yielded to graphql-ws.
 */
export function writeNextFrames<T>(
  source: AsyncIterable<T>,
  socket: FrameSocket,
  id: string,
  onNext?: BoundOnNext,
): AsyncIterableIterator<T> {
  const [head, tail] = nextFrameParts(id);
  const write = (payload: object): void | Promise<void> => {
    if (socket.readyState !== OPEN) return; // closed meanwhile: graphql-ws would drop it too
    const frame = head + payloadJson(payload) + tail;
    if (socket.bufferedAmount === 0) return socket.send(frame, SEND_OPTIONS);
    // Earlier frames are still waiting for this consumer: hold the stream until this one is out.
    return new Promise<void>((resolve, reject) =>
      socket.send(frame, SEND_OPTIONS, (error) => (error ? reject(error) : resolve())),
    );
  };
  return mapStream(source, (result) => {
    if (socket.readyState !== OPEN || !isPlainResult(result)) return result;
    if (!onNext) {
      const written = write(result);
      return written ? written.then(() => SKIP) : SKIP;
    }
    // As graphql-ws: the hook's result is the payload, else the result itself.
    return Promise.resolve(onNext(result))
      .then((payload) => write(payload || result))
      .then(() => SKIP);
  });
}
