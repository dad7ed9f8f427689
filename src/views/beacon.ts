// The view beacon: `POST /views/:id` for pages that fire and forget (navigator.sendBeacon), answered
// 204 No Content once the view is recorded (or buffered during a Redis outage). `:id` is the
// article's global id or its numeric id. The visitor is, in order: the `v` query parameter, the body
// (text/plain: the id itself; JSON: {"visitorId": …}), the `nvid` cookie, else a hash of the client
// address and user agent.
//
// A server rendering pages (SSR) with a VIEW_RELAY token (`Authorization: Bearer …`) may name the
// reader in `X-Reader-User-Agent` and `X-Reader-Address` (src/views/reader.ts).
//
//   204  counted, duplicate, bot, rate-limited or buffered (header `x-view-status` says which)
//   400  malformed id, visitor id or forwarded reader value
//   401  malformed, unknown or revoked token  404  no published article with that id
//   405  not POST                            413  body over 1 KB
//   503  over capacity (Redis down and the buffer full); retry after a second
//
// Served on node:http ahead of Yoga, not as a Yoga plugin: see the comment on `route` in src/app.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GraphQLError } from 'graphql';
import type { Viewer } from '../auth/tokens.ts';
import { clientAddress } from '../client-address.ts';
import { decodeGlobalId } from '../relay/global-id.ts';
import type { ViewCounting } from './wiring.ts';
import { ReaderError, readerOf } from './reader.ts';
import { VISITOR_ID } from '../inputs/visitor.ts';

export const VIEW_BEACON_PREFIX = '/views/';
const MAX_BODY = 1024;

/** Numeric article id from a beacon path segment (numeric or global id), or null. */
export function beaconArticleId(segment: string): number | null {
  if (/^[1-9][0-9]{0,9}$/.test(segment)) {
    const n = Number(segment);
    return n <= 2_147_483_647 ? n : null;
  }
  try {
    const decoded = decodeGlobalId(decodeURIComponent(segment), 'id');
    return decoded.typename === 'Article' ? Number(decoded.id) : null;
  } catch {
    return null;
  }
}

function send(
  res: ServerResponse,
  status: number,
  body?: { error: string; message: string },
  headers: Record<string, string> = {},
): void {
  const base = { 'access-control-allow-origin': '*', 'cache-control': 'no-store', ...headers };
  if (!body) {
    res.writeHead(status, base);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...base,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string | null> {
  const length = req.headers['content-length'];
  if (length === '0' || (length === undefined && req.headers['transfer-encoding'] === undefined))
    return Promise.resolve('');
  if (length !== undefined && Number(length) > MAX_BODY) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        req.removeAllListeners('data');
        req.resume();
        resolve(null);
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function visitorFromBody(body: string, contentType: string | undefined): string | null {
  const text = body.trim();
  if (!text) return null;
  if (contentType?.includes('json') || text.startsWith('{')) {
    try {
      const v = (JSON.parse(text) as { visitorId?: unknown }).visitorId;
      return typeof v === 'string' ? v : null;
    } catch {
      return null;
    }
  }
  return text;
}

function headerValue(req: IncomingMessage, name: string): string | null {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : (v ?? null);
}

function cookie(req: IncomingMessage, name: string): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return part.slice(eq + 1).trim(); // not URI-encoded: the visitor-id check below refuses it (400)
      }
    }
  }
  return null;
}

export interface BeaconOptions {
  trustProxy: boolean;
  /** The viewer for an Authorization header value (null: none); throws UNAUTHENTICATED for a bad token. */
  authenticate(credentials: string | undefined): Promise<Viewer | null>;
}

export async function handleViewBeacon(
  views: ViewCounting,
  req: IncomingMessage,
  res: ServerResponse,
  options: BeaconOptions,
): Promise<void> {
  try {
    if (req.method === 'OPTIONS') {
      return send(res, 204, undefined, {
        'access-control-allow-methods': 'POST',
        'access-control-allow-headers': 'content-type',
        'access-control-max-age': '86400',
      });
    }
    if (req.method !== 'POST')
      return send(res, 405, { error: 'METHOD_NOT_ALLOWED', message: 'Use POST.' }, { allow: 'POST, OPTIONS' });
    const url = req.url!;
    const q = url.indexOf('?');
    const segment = url.slice(VIEW_BEACON_PREFIX.length, q < 0 ? undefined : q);
    const articleId = beaconArticleId(segment);
    if (articleId === null)
      return send(res, 400, { error: 'BAD_USER_INPUT', message: `"${segment.slice(0, 100)}" is not an article id` });

    const body = await readBody(req);
    if (body === null)
      return send(res, 413, { error: 'PAYLOAD_TOO_LARGE', message: `The body is limited to ${MAX_BODY} bytes.` });
    let viewer: Viewer | null;
    try {
      viewer = await options.authenticate(req.headers.authorization);
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      return send(res, 401, { error: 'UNAUTHENTICATED', message: error.message }, { 'www-authenticate': 'Bearer' });
    }
    const given =
      (q >= 0 ? new URLSearchParams(url.slice(q + 1)).get('v') : null) ??
      visitorFromBody(body, req.headers['content-type']) ??
      cookie(req, 'nvid');
    if (given != null && !VISITOR_ID.test(given)) {
      return send(res, 400, {
        error: 'BAD_USER_INPUT',
        message: 'The visitor id must be 8 to 128 letters, digits, "-" or "_".',
      });
    }
    const own = {
      userAgent: req.headers['user-agent'] ?? null,
      address: clientAddress(req.headers['x-forwarded-for'], req.socket.remoteAddress, options.trustProxy),
    };
    let reader: ReturnType<typeof readerOf>;
    try {
      reader = readerOf((h) => headerValue(req, h), own, viewer);
    } catch (error) {
      if (!(error instanceof ReaderError)) throw error;
      return send(res, 400, { error: 'BAD_USER_INPUT', message: `${error.message}; nothing was counted.` });
    }
    const visitor = given ?? `${reader.address}|${reader.userAgent}`;

    const outcome = await views.counter.record(articleId, visitor, reader);
    if (outcome === 'NOT_FOUND')
      return send(res, 404, { error: 'NOT_FOUND', message: `No published article with id ${segment.slice(0, 100)}.` });
    if (outcome === 'DROPPED') {
      return send(
        res,
        503,
        { error: 'UNAVAILABLE', message: 'View counting is over capacity; retry shortly.' },
        { 'retry-after': '1' },
      );
    }
    send(res, 204, undefined, { 'x-view-status': outcome });
  } catch (error) {
    if (!res.headersSent) send(res, 500, { error: 'INTERNAL', message: 'Unexpected error.' });
    else res.destroy(error as Error);
  }
}
