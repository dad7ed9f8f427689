// Multiplexed subscription execution: when thousands of subscribers in one process run the same
// subscription document with the same variables as the same viewer, each event is executed once and
// the result is shared, instead of once per subscriber. Each subscriber still gets its own selection:
// a different document, variables or viewer is a different key. Sharing needs the event object to be
// shared too; the live hub hands every subscriber in a process the same event object, while a replay
// makes private events (and so private executions).
//
// An envelop plugin, so it applies over WebSocket (graphql-ws runs Yoga's envelop) and SSE alike, and
// it sits under Yoga's own result hooks: error masking still runs for every subscriber.
import { createSourceEventStream, type DocumentNode, execute, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { isAsyncIterable, mapStream } from './async-iterators.ts';

const documentIds = new WeakMap<DocumentNode, number>();
let nextDocumentId = 0;
const resultsByEvent = new WeakMap<object, Map<string, Promise<ExecutionResult> | ExecutionResult>>();

/** `viewerKey` names whatever in the context can change a result (the viewer, for field auth). */
export function useSharedSubscriptionExecution(viewerKey: (context: unknown) => string): Plugin {
  return {
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn(async (args: ExecutionArgs) => {
        const source = await createSourceEventStream(args);
        if (!isAsyncIterable(source)) return source;
        let documentId = documentIds.get(args.document);
        if (documentId == null) documentIds.set(args.document, (documentId = ++nextDocumentId));
        const key = JSON.stringify([
          documentId,
          args.operationName ?? null,
          args.variableValues ?? null,
          viewerKey(args.contextValue),
        ]);
        return mapStream(source, (event) => {
          if (event === null || typeof event !== 'object') return execute({ ...args, rootValue: event });
          let results = resultsByEvent.get(event);
          if (!results) resultsByEvent.set(event, (results = new Map()));
          let result = results.get(key);
          if (!result) {
            result = execute({ ...args, rootValue: event });
            results.set(key, result);
          }
          return result;
        }) as never;
      });
    },
  };
}
