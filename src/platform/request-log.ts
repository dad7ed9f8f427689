// One log line per HTTP request, written when the response is finished (or the client went away):
// request id, method, path, status, duration, and for GraphQL the operation name, type and error codes.
// `observeRequests` wraps the node handler once; the log line and the request metrics are observers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from './logger.ts';
import { beginRequest, type RequestFacts } from './request-facts.ts';

export interface FinishedRequest {
  facts: RequestFacts;
  method: string;
  /** Path without the query string. */
  path: string;
  status: number;
  seconds: number;
  /** The connection closed before the response was complete. */
  aborted: boolean;
}

export type RequestObserver = (request: FinishedRequest) => void;
type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export function observeRequests(handler: Handler, observers: RequestObserver[]): Handler {
  return (req, res) => {
    const started = process.hrtime.bigint();
    const facts = beginRequest(req);
    res.setHeader('x-request-id', facts.id);
    res.once('close', () => {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const finished: FinishedRequest = {
        facts,
        method: req.method ?? 'GET',
        path: q === -1 ? url : url.slice(0, q),
        status: res.statusCode,
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
        aborted: !res.writableFinished,
      };
      for (const observe of observers) observe(finished);
    });
    handler(req, res);
  };
}

/** The request log line: `info`, or `warn` for 5xx and aborted requests. */
export function requestLogger(log: Logger): RequestObserver {
  return ({ facts, method, path, status, seconds, aborted }) => {
    const level = status >= 500 || aborted ? 'warn' : 'info';
    if (!log.isLevelEnabled(level)) return;
    log[level](
      {
        reqId: facts.id,
        method,
        path,
        status,
        durationMs: Math.round(seconds * 10_000) / 10,
        ...(facts.operationName ? { operation: facts.operationName } : {}),
        ...(facts.operationType ? { operationType: facts.operationType } : {}),
        ...(facts.codes.length ? { code: facts.codes.join(',') } : {}),
        ...(aborted ? { aborted } : {}),
      },
      'request',
    );
  };
}
