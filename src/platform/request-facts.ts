// What one HTTP request was, as the request log line and the request metrics report it: an id
// (x-request-id accepted from the client or proxy, else generated; echoed on the response), and for
// GraphQL requests the operation's name and type and the error codes of its result. The node handler
// creates the record; the Yoga plugin below fills in the GraphQL part through the server context.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';

export interface RequestFacts {
  id: string;
  operationName?: string;
  operationType?: string;
  /** Distinct `extensions.code`s of the result's errors, in order of first appearance. */
  codes: string[];
}

const FACTS = Symbol('request facts');
type WithFacts = IncomingMessage & { [FACTS]?: RequestFacts };

/** A client-supplied id is kept when it is short and printable (it ends up in log lines). */
const ACCEPTABLE_ID = /^[\w.:@/+=-]{1,128}$/;

export function beginRequest(req: IncomingMessage): RequestFacts {
  const header = req.headers['x-request-id'];
  const given = Array.isArray(header) ? header[0] : header;
  const facts: RequestFacts = { id: given && ACCEPTABLE_ID.test(given) ? given : randomUUID(), codes: [] };
  (req as WithFacts)[FACTS] = facts;
  return facts;
}

export function requestFacts(req: unknown): RequestFacts | undefined {
  return (req as WithFacts | undefined)?.[FACTS];
}

const factsOf = (context: unknown) => requestFacts((context as { req?: IncomingMessage } | undefined)?.req);

function collectCodes(facts: RequestFacts, result: unknown): void {
  for (const r of Array.isArray(result) ? result : [result]) {
    const errors = (r as { errors?: readonly { extensions?: { code?: unknown } }[] } | undefined)?.errors;
    for (const error of errors ?? []) {
      const code = typeof error.extensions?.code === 'string' ? error.extensions.code : 'INTERNAL_SERVER_ERROR';
      if (!facts.codes.includes(code)) facts.codes.push(code);
    }
  }
}

/** Fills the GraphQL part of a request's facts (HTTP and SSE; WebSocket operations have no request). */
export function useRequestFacts(): Plugin {
  return {
    onParams({ params, context }) {
      const facts = factsOf(context);
      if (facts && params.operationName) facts.operationName = params.operationName;
    },
    onExecute({ args }) {
      const facts = factsOf(args.contextValue);
      if (!facts) return;
      const operation = getOperationAST(args.document, args.operationName);
      if (operation?.name) facts.operationName = operation.name.value;
      if (operation) facts.operationType = operation.operation;
    },
    onSubscribe({ args }) {
      const facts = factsOf(args.contextValue);
      if (!facts) return;
      const operation = getOperationAST(args.document, args.operationName);
      if (operation?.name) facts.operationName = operation.name.value;
      facts.operationType = 'subscription';
    },
    onResultProcess({ result, serverContext }) {
      const facts = factsOf(serverContext);
      if (facts && !(result && typeof result === 'object' && Symbol.asyncIterator in result))
        collectCodes(facts, result);
    },
  };
}
