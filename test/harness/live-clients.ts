// Client-side helpers shared by the live tests and the benchmark: a graphql-ws or graphql-sse
// subscription that records what it receives and lets the caller await "n events" as an event.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { type Client, createClient, type ExecutionResult } from 'graphql-ws';
import { createClient as createSseClient } from 'graphql-sse';
import WebSocket from 'ws';

export interface Recorded<T = any> {
  results: ExecutionResult<T>[];
  /** The data of every result without errors. */
  data(): T[];
  /** Resolves once `count` results have arrived (rejects if the subscription errors or ends first). */
  received(count: number): Promise<ExecutionResult<T>[]>;
  /** Resolves with the error the subscription ended with, or null if it completed. */
  ended: Promise<unknown>;
  dispose(): void;
}

export interface Operation<TData = any, TVariables = Record<string, unknown>> {
  /**
   * A document made by `graphql()` from test/generated (sent printed; the results are typed from it), or
   * the text of one (untyped results).
   */
  query: string | TypedDocumentNode<TData, TVariables>;
  variables?: TVariables;
}

const request = ({ query, variables }: Operation<unknown, unknown>) => ({
  query: typeof query === 'string' ? query : print(query),
  variables: variables as Record<string, unknown> | undefined,
});

function recorder<T>(): {
  rec: Recorded<T>;
  next(r: ExecutionResult<T>): void;
  end(error: unknown): void;
  setDispose(f: () => void): void;
} {
  const results: ExecutionResult<T>[] = [];
  const waiters: { count: number; resolve: (r: ExecutionResult<T>[]) => void; reject: (e: unknown) => void }[] = [];
  let finished: { error: unknown } | null = null;
  let resolveEnded!: (e: unknown) => void;
  const ended = new Promise<unknown>((r) => (resolveEnded = r));
  let dispose = () => {};
  const check = () => {
    for (const w of waiters.splice(0)) {
      if (results.length >= w.count) w.resolve(results.slice(0, w.count));
      else if (finished)
        w.reject(finished.error ?? new Error(`subscription ended after ${results.length} of ${w.count} results`));
      else waiters.push(w);
    }
  };
  return {
    rec: {
      results,
      data: () => results.filter((r) => !r.errors).map((r) => r.data as T),
      received(count) {
        return new Promise((resolve, reject) => {
          waiters.push({ count, resolve, reject });
          check();
        });
      },
      ended,
      dispose: () => dispose(),
    },
    next(r) {
      results.push(r);
      check();
    },
    end(error) {
      if (finished) return;
      finished = { error };
      resolveEnded(error);
      check();
    },
    setDispose(f) {
      dispose = f;
    },
  };
}

/** A graphql-ws client over a real WebSocket (no retries: a test must see a closed socket). */
export function wsClient(
  url: string,
  options: { connectionParams?: Record<string, unknown>; lazy?: boolean } = {},
): Client {
  return createClient({
    url,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: options.lazy ?? true,
    connectionParams: options.connectionParams,
  });
}

export function subscribeWs<T = any, V = Record<string, unknown>>(
  client: Client,
  operation: Operation<T, V>,
): Recorded<T> {
  const r = recorder<T>();
  const unsubscribe = client.subscribe<T>(request(operation as Operation<unknown, unknown>), {
    next: (value) => r.next(value as ExecutionResult<T>),
    error: (error) => r.end(error ?? new Error('subscription error')),
    complete: () => r.end(null),
  });
  r.setDispose(unsubscribe);
  return r.rec;
}

/** GraphQL over SSE against Yoga's built-in handler (distinct connections mode). */
export function subscribeSse<T = any, V = Record<string, unknown>>(
  url: string,
  operation: Operation<T, V>,
): Recorded<T> {
  const client = createSseClient({ url, retryAttempts: 0 });
  const r = recorder<T>();
  const unsubscribe = client.subscribe<T>(request(operation as Operation<unknown, unknown>), {
    next: (value) => r.next(value as ExecutionResult<T>),
    error: (error) => r.end(error ?? new Error('subscription error')),
    complete: () => r.end(null),
  });
  r.setDispose(() => {
    unsubscribe();
    client.dispose();
  });
  return r.rec;
}
