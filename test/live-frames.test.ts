// The pre-built `next` frames (src/live/frames.ts) against graphql-ws itself. The same subscriptions
// run on two real WebSocket servers: ours (attachWebSocketServer over Yoga, with the fast path) and a
// plain graphql-ws `useServer` on the same schema. The frames a client receives must be the same
// bytes, and a configured `onNext` must be called the same way (once per result, in order, before
// that result's frame goes out) and its payload sent. If graphql-ws changes its frame format or the
// order of its hooks, the plain server changes and these comparisons fail.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GraphQLError } from 'graphql';
import { type ExecutionResult, GRAPHQL_TRANSPORT_WS_PROTOCOL, MessageType, stringifyMessage } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { createSchema, createYoga } from 'graphql-yoga';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { nextFrameParts } from '../src/live/frames.ts';
import { attachWebSocketServer } from '../src/live/websocket.ts';

const schema = createSchema({
  typeDefs: /* GraphQL */ `
    type Query { ok: Boolean }
    type Tick { n: Int!, label: String }
    type Subscription { ticks(count: Int!, failAt: Int): Tick }
  `,
  resolvers: {
    Subscription: {
      ticks: {
        async *subscribe(_: unknown, { count }: { count: number }) {
          for (let n = 0; n < count; n++) yield { n };
        },
        resolve: (tick: { n: number }) => tick,
      },
    },
    Tick: {
      label: ({ n }: { n: number }, _: unknown, __: unknown, info: { variableValues: { failAt?: number } }) => {
        if (n === info.variableValues.failAt)
          throw new GraphQLError(`tick ${n} failed`, { extensions: { code: 'TICK_FAILED' } });
        return `속보 ${n}: "따옴표" \\ </script> \u2028`;
      },
    },
  },
});

type OnNext = (ctx: unknown, id: string, payload: unknown, args: unknown, result: ExecutionResult) => object | void;

/** Everything one server did for one client, in order: `onNext` calls and the frames `ws` was asked to send. */
interface Trace {
  events: { id: string; what: string }[];
  /** Frames written by the fast path (`ws.send(data, options)`) rather than by graphql-ws (`ws.send(data, cb)`). */
  fastWrites: number;
}

const servers: Server[] = [];
/** The trace of the one server running now (they run one after the other). */
let current: Trace | null = null;
const originalSend = WebSocket.prototype.send;

beforeAll(() => {
  // Record every write of a server-side socket (`ws` marks them `_isServer`) for the server running now.
  WebSocket.prototype.send = function (this: WebSocket, data: unknown, ...rest: unknown[]) {
    const trace = (this as unknown as { _isServer: boolean })._isServer ? current : null;
    if (trace && typeof data === 'string') {
      const message = JSON.parse(data) as { type: string; id?: string };
      if (message.type === 'next' || message.type === 'complete' || message.type === 'error')
        trace.events.push({ id: message.id!, what: `send ${data}` });
      if (typeof rest[0] === 'object') trace.fastWrites++;
    }
    return (originalSend as (...a: unknown[]) => void).call(this, data, ...rest);
  } as typeof originalSend;
});

afterAll(() => {
  WebSocket.prototype.send = originalSend;
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
}

/** Our server: Yoga's envelop, graphql-ws with the fast path (src/live/websocket.ts). */
async function ours(onNext: OnNext | undefined, trace: Trace) {
  const server = createServer();
  const yoga = createYoga({ schema, logging: false });
  const ws = attachWebSocketServer(server, yoga as never, {
    path: '/graphql',
    keepAliveMs: 0,
    initTimeoutMs: 5_000,
    maxSubscriptionsPerSocket: 10,
    maxPayloadBytes: 65_536,
    onNext: onNext && ((ctx, id, payload, args, result) => onNext(ctx, id, payload, args, result) as never),
  });
  const url = await listen(server);
  return { url, trace, close: () => ws.close() };
}

/** Plain graphql-ws on the same schema, nothing of ours. */
async function plain(onNext: OnNext | undefined, trace: Trace) {
  const server = createServer();
  const wss = new WebSocketServer({ server, path: '/graphql' });
  const disposable = useServer({ schema, onNext: onNext as never }, wss, 0);
  const url = await listen(server);
  return { url, trace, close: () => disposable.dispose() as Promise<void> };
}

/** Runs the subscriptions on one socket to completion; returns the raw frames the client received. */
async function run(
  url: string,
  subscriptions: { id: string; variables: Record<string, unknown> }[],
): Promise<{ id: string; frame: string }[]> {
  const client = new WebSocket(url, GRAPHQL_TRANSPORT_WS_PROTOCOL);
  const received: { id: string; frame: string }[] = [];
  await new Promise<void>((resolve, reject) => {
    client.once('open', resolve);
    client.once('error', reject);
  });
  const done = new Promise<void>((resolve) => {
    const open = new Set(subscriptions.map((s) => s.id));
    client.on('message', (m) => {
      const text = String(m);
      const message = JSON.parse(text) as { type: string; id?: string };
      if (message.type === 'connection_ack') {
        for (const s of subscriptions)
          client.send(
            JSON.stringify({
              id: s.id,
              type: 'subscribe',
              payload: {
                query:
                  'subscription ($count: Int!, $failAt: Int) { ticks(count: $count, failAt: $failAt) { n label } }',
                variables: s.variables,
              },
            }),
          );
        return;
      }
      received.push({ id: message.id!, frame: text });
      if (message.type === 'complete' || message.type === 'error') open.delete(message.id!);
      if (open.size === 0) resolve();
    });
  });
  client.send(JSON.stringify({ type: 'connection_init' }));
  await done;
  client.close();
  return received;
}

describe('pre-built next frames (src/live/frames.ts) against plain graphql-ws', () => {
  it('splits graphql-ws own next message around the payload, for any id', () => {
    const payload = { data: { ticks: { n: 1, label: '속보 "q" \\ \u2028' } } };
    for (const id of ['1', 'b "quoted" \\ id', '속보-7', '\u0000\u001f']) {
      const [head, tail] = nextFrameParts(id);
      expect(head + JSON.stringify(payload) + tail).toBe(stringifyMessage({ id, type: MessageType.Next, payload }));
    }
  });

  for (const withOnNext of [false, true]) {
    it(`sends the same bytes as graphql-ws ${withOnNext ? 'with a configured onNext, called the same way' : 'without onNext'}`, async () => {
      const outcomes = [];
      for (const make of [plain, ours]) {
        const trace: Trace = { events: [], fastWrites: 0 };
        const seqs = new Map<string, number>();
        const onNext: OnNext | undefined = withOnNext
          ? (_ctx, id, _payload, _args, result) => {
              trace.events.push({ id, what: `onNext ${JSON.stringify(result)}` });
              // Error-free results get a replacement payload; results with errors are left to the library.
              if (!result.errors) {
                seqs.set(id, (seqs.get(id) ?? 0) + 1);
                return { ...result, extensions: { seq: seqs.get(id), by: 'onNext' } };
              }
            }
          : undefined;
        const server = await make(onNext, trace);
        current = trace;
        try {
          const received = await run(server.url, [
            { id: 'a', variables: { count: 4 } },
            { id: 'b "quoted"', variables: { count: 3, failAt: 1 } },
          ]);
          outcomes.push({ received, trace });
        } finally {
          current = null;
          await server.close();
        }
      }
      const [library, fast] = outcomes as { received: { id: string; frame: string }[]; trace: Trace }[] as [
        { received: { id: string; frame: string }[]; trace: Trace },
        { received: { id: string; frame: string }[]; trace: Trace },
      ];
      // The two subscriptions interleave as timing has it: compare each one's sequence.
      const of = <T extends { id: string }>(list: T[], id: string) => list.filter((e) => e.id === id);
      for (const id of ['a', 'b "quoted"']) {
        expect(of(fast.received, id).map((e) => e.frame)).toEqual(of(library.received, id).map((e) => e.frame));
        expect(of(fast.trace.events, id).map((e) => e.what)).toEqual(of(library.trace.events, id).map((e) => e.what));
      }
      expect(fast.received).toHaveLength(library.received.length);
      expect(of(library.trace.events, 'a')).toHaveLength(withOnNext ? 9 : 5);
      // 4 + 3 `next` frames and 2 `complete`; the fast path wrote the 6 error-free results, graphql-ws the rest.
      expect(fast.received.map((e) => (JSON.parse(e.frame) as { type: string }).type).sort()).toEqual(
        [...Array(7).fill('next'), 'complete', 'complete'].sort(),
      );
      expect(library.trace.fastWrites).toBe(0);
      expect(fast.trace.fastWrites).toBe(6);
      if (withOnNext) {
        const sent = fast.received.map(
          (e) => JSON.parse(e.frame) as { type: string; payload?: { errors?: unknown; extensions?: { by?: string } } },
        );
        // Every error-free result went out as onNext's payload, and onNext came right before each frame.
        expect(
          sent
            .filter((m) => m.type === 'next' && !m.payload!.errors)
            .every((m) => m.payload!.extensions?.by === 'onNext'),
        ).toBe(true);
        expect(
          of(fast.trace.events, 'a').map(
            (e) => e.what.slice(0, e.what.indexOf(' ')) + (e.what.includes('"type":"complete"') ? ' complete' : ''),
          ),
        ).toEqual(['onNext', 'send', 'onNext', 'send', 'onNext', 'send', 'onNext', 'send', 'send complete']);
      }
    });
  }
});
