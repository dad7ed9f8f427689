// GraphQL over WebSocket (graphql-transport-ws) on the HTTP server's /graphql path. Every operation
// runs through Yoga's envelop (`yoga.getEnveloped`), so error masking, the operation-limits guard and any
// later auth plugin apply exactly as over HTTP. HTTP-only plugins never see this traffic: a client
// authenticates with `connectionParams` in its ConnectionInit message.
import type { IncomingMessage, Server } from 'node:http';
import { type DocumentNode, GraphQLError, type ExecutionArgs } from 'graphql';
import type { ServerOptions } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import type { YogaServerInstance } from 'graphql-yoga';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Context } from '../context.ts';
import { isDatabaseUnavailable } from '../db/unavailable.ts';
import { serviceUnavailable, userError } from '../errors.ts';
import { isAsyncIterable } from './async-iterators.ts';
import { writeNextFrames } from './frames.ts';

/**
 * Decides whether a connection may open, from its `connectionParams`. Return `false` to refuse it
 * (closed with 4403 Forbidden), or an object merged into every operation's initial context (e.g. the
 * viewer the token belongs to). The default lets everyone in as an anonymous reader.
 */
export type ConnectionAuthenticator = (
  connectionParams: Readonly<Record<string, unknown>> | undefined,
  request: IncomingMessage,
) => Promise<Record<string, unknown> | false> | Record<string, unknown> | false;

export interface WebSocketOptions {
  path: string;
  /** Ping interval; a socket that does not answer within the next interval is terminated. */
  keepAliveMs: number;
  /** Time a client has to send ConnectionInit before the socket is closed (4408). */
  initTimeoutMs: number;
  /** Subscriptions one socket may hold at once; further ones get an error (RATE_LIMITED). */
  maxSubscriptionsPerSocket: number;
  /** Largest incoming message; larger ones close the socket (1009). */
  maxPayloadBytes: number;
  authenticate?: ConnectionAuthenticator;
  /** graphql-ws's `onNext` hook: called for every result before it is sent; what it returns is sent instead. */
  onNext?: ServerOptions<Record<string, unknown> | undefined, Extra>['onNext'];
}

export interface LiveWebSocketServer {
  /** Open sockets. */
  clientCount(): number;
  /**
   * Says goodbye (1001 Going Away) to every client and stops accepting new ones; resolves once every
   * socket has closed. A client that has not completed the closing handshake within `graceMs` is cut.
   */
  close(graceMs?: number): Promise<void>;
}

type Extra = {
  auth?: Record<string, unknown>;
  socket: WebSocket;
  request: IncomingMessage;
};

interface EnvelopedRoot {
  execute: (args: ExecutionArgs) => unknown;
  subscribe: (args: ExecutionArgs) => unknown;
}

export function attachWebSocketServer(
  server: Server,
  yoga: YogaServerInstance<Record<string, unknown>, Context>,
  options: WebSocketOptions,
): LiveWebSocketServer {
  const wss = new WebSocketServer({ server, path: options.path, maxPayload: options.maxPayloadBytes });
  const disposable = useServer<Record<string, unknown> | undefined, Extra>(
    {
      connectionInitWaitTimeout: options.initTimeoutMs,
      onConnect: async (ctx) => {
        if (!options.authenticate) return true;
        let result: Awaited<ReturnType<ConnectionAuthenticator>>;
        try {
          result = await options.authenticate(ctx.connectionParams, ctx.extra.request);
        } catch (error) {
          if (!isDatabaseUnavailable(error)) throw error;
          // The token cannot be checked now: 1013 Try Again Later, which clients retry (4403 would not be).
          ctx.extra.socket.close(1013, 'Database unavailable; retry shortly');
          return false;
        }
        if (result === false) return false;
        ctx.extra.auth = result;
        return true;
      },
      onSubscribe: async (ctx, _id, params) => {
        if (Object.keys(ctx.subscriptions).length > options.maxSubscriptionsPerSocket) {
          return [
            userError('RATE_LIMITED', `At most ${options.maxSubscriptionsPerSocket} subscriptions per connection`),
          ];
        }
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          ...ctx.extra.auth,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params,
        });
        let document: DocumentNode;
        try {
          document = parse(params.query);
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        const errors = validate(schema, document);
        if (errors.length) return errors;
        let contextValue: Awaited<ReturnType<typeof contextFactory>>;
        try {
          // Building the context authenticates the operation (e.g. the token in connectionParams).
          contextValue = await contextFactory();
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          if (isDatabaseUnavailable(error)) return [serviceUnavailable(error)];
          throw error;
        }
        const root: EnvelopedRoot = { execute, subscribe };
        return {
          schema,
          document,
          operationName: params.operationName,
          variableValues: params.variables,
          contextValue,
          rootValue: root,
        };
      },
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args) as never,
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args) as never,
      onNext: options.onNext,
      // A subscription's results go out as pre-built graphql-ws frames (one JSON per shared result, no
      // Promise per write; see frames.ts), through graphql-ws's documented seam for replacing an
      // operation's result; `onNext` is still called for each one.
      onOperation: (ctx, id, payload, args, result) => {
        if (!isAsyncIterable(result)) return;
        const onNext = options.onNext;
        return writeNextFrames(
          result,
          ctx.extra.socket,
          id,
          onNext && ((r) => onNext(ctx, id, payload, args, r)),
        ) as never;
      },
    },
    wss,
    options.keepAliveMs,
  );
  return {
    clientCount: () => wss.clients.size,
    async close(graceMs = 1_000) {
      const closed = disposable.dispose();
      const cut = setTimeout(() => {
        for (const client of wss.clients) client.terminate();
      }, graceMs);
      try {
        await closed;
      } finally {
        clearTimeout(cut);
      }
    },
  };
}
