// The fast path for cached anonymous reads: a repeated anonymous `GET /graphql?…` is answered from
// the bytes and headers of an earlier answer to the same URL, before anything is parsed, validated or
// looked up in the response store. Over HTTP a hit or 304 is answered on node:http ahead of Yoga's
// adapter (`answerNode`, called from src/app.ts beside the view beacon); everything else goes to Yoga,
// whose caching plugin calls `answer` in `onRequest` (yoga.fetch, a URL spelled differently from the
// parser's, requests waiting for a miss) and stores the pipeline's answers. One store, key, entries,
// metric and request facts for both; the two answers are compared header by header in the tests.
//
// - What is stored: each cacheable 200 the pipeline sends (public Cache-Control, surrogate keys, an
//   ETag: src/cache/plugin.ts decides), as its body string and headers, keyed by the request's path
//   and query string (the document or persisted id, variables, operation name, exactly as sent) and
//   its Accept header (which picks the content type). Only a request with that same key is answered
//   from it: a differently spelled URL is a miss, never a wrong answer. A request with an
//   Authorization header never reads or fills it; a preview, a mutation or an error is never
//   cacheable, so never stored. Nothing else in an anonymous GET changes the answer (no cookie is
//   read; CORS headers are made per request: by Yoga's CORS plugin, or on node:http by the same
//   function with the same options, src/http/cors.ts).
// - Lifetime: what remains of the answer's max-age, counted from when the response store took it
//   (to the millisecond; else its Last-Modified), so an entry never outlives the stored response it copies.
// - Invalidation: filed under the answer's surrogate keys in a TaggedLru; every instance drops them on
//   the same `cache:purge` event that purges the response store (src/cache/caching.ts). An answer
//   computed while a purge arrived is not stored (a purge generation is taken when the request starts).
//   While the pub/sub transport is down (Redis), purges from other instances could be missed: the
//   front cache is emptied and bypassed until events flow again, and requests take the pipeline.
// - It answers 200 with the stored body, or 304 when If-None-Match names the stored ETag, and fills
//   the request's log facts (operation name and type) as the pipeline would.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Counter } from 'prom-client';
import { cacheableRequest, matches, notModifiedHeaders, varyValue } from './conditional.ts';
import { TaggedLru } from './tagged-lru.ts';
import { requestFacts } from '../platform/request-facts.ts';

interface Stored {
  body: string;
  /** The body's bytes, made on the first answer on node:http. */
  bytes?: Buffer;
  headers: Record<string, string>;
  notModified: Record<string, string>;
  etag: string;
  operationName?: string;
  operationType?: string;
}

export type FastPathResult = 'hit' | 'not_modified' | 'miss';

/**
 * Response headers made per request, never stored: CORS (Yoga's CORS plugin adds them to every
 * response, with `Vary: Origin` when it reflects the origin; the caching plugin then adds Accept and
 * Authorization to Vary) and framing.
 */
const PER_REQUEST =
  /^(access-control-|vary$|content-length$|date$|connection$|keep-alive$|transfer-encoding$|x-request-id$)/;

const ENDPOINT = '/graphql?';
/** How long requests for a key wait for the one the pipeline is answering before they run too. */
const COLLAPSE_WAIT_MS = 2_000;

/** The key of a request: Accept and the path with its query string, or null when it cannot be served from here. */
function keyOf(request: Request): string | null {
  if (!cacheableRequest(request)) return null;
  const url = request.url;
  const path = url.indexOf('/', url.indexOf('//') + 2);
  if (path < 0 || !url.startsWith(ENDPOINT, path)) return null;
  return `${request.headers.get('accept') ?? ''}\n${url.slice(path)}`;
}

const header = (req: IncomingMessage, name: string): string | null => {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : (value ?? null);
};

/**
 * The same key from a node request, as `cacheableRequest` and `keyOf` would make it from Yoga's
 * Request. The path is the raw request target: where the URL parser would spell it differently
 * (characters it percent-encodes), it names no stored key and Yoga's onRequest answers instead. It
 * can never name another URL's entry: a stored key is already in the parser's spelling, which the
 * parser leaves as it is.
 */
function nodeKeyOf(req: IncomingMessage): string | null {
  const url = req.url;
  if (req.method !== 'GET' || req.headers.authorization !== undefined || !url?.startsWith(ENDPOINT)) return null;
  return `${header(req, 'accept') ?? ''}\n${url}`;
}

const maxAgeOf = (cacheControl: string | null) => {
  const m = cacheControl?.match(/(?:^|[ ,])max-age=(\d+)/);
  return m ? Number(m[1]) : 0;
};

export class FastPath {
  private readonly entries: TaggedLru<Stored>;
  /** Bumped by every purge: an answer computed across one is not stored. */
  private generation = 0;
  private readonly started = new WeakMap<Request, number>();
  private readonly served = new WeakSet<Response>();
  /** Keys the pipeline is answering now, and how to release the requests waiting for each. */
  private readonly inflight = new Map<string, Promise<void>>();
  private readonly leaders = new WeakMap<Request, () => void>();
  private online = true;

  constructor(
    maxEntries: number,
    private readonly counter?: Counter<'result'>,
  ) {
    this.entries = new TaggedLru(maxEntries);
  }

  /**
   * The stored answer to `request`, or null (then the pipeline answers, and may store it). Misses of
   * one key collapse: while the pipeline answers the first, the others wait for it (at most
   * COLLAPSE_WAIT_MS) and are answered from what it stored, so an expired page is executed once, not
   * once per waiting reader.
   */
  answer(
    request: Request,
    serverContext: unknown,
    fetchAPI: { Response: typeof Response },
  ): Response | null | Promise<Response | null> {
    if (!this.online) return null;
    const key = keyOf(request);
    if (key == null) return null;
    const stored = this.entries.get(key);
    if (stored) return this.respond(stored, request, serverContext, fetchAPI);
    const leader = this.inflight.get(key);
    if (leader) {
      return leader.then(() => {
        const now = this.online ? this.entries.get(key) : undefined;
        return now ? this.respond(now, request, serverContext, fetchAPI) : this.miss(request, null);
      });
    }
    return this.miss(request, key);
  }

  /** The pipeline answers `request`; with `key`, requests for the same key wait for it meanwhile. */
  private miss(request: Request, key: string | null): null {
    this.started.set(request, this.generation);
    this.counter?.inc({ result: 'miss' });
    if (key != null) {
      let done!: () => void;
      const finished = new Promise<void>((resolve) => (done = resolve));
      const timer = setTimeout(() => this.finish(request), COLLAPSE_WAIT_MS);
      timer.unref();
      this.inflight.set(key, finished);
      this.leaders.set(request, () => {
        clearTimeout(timer);
        if (this.inflight.get(key) === finished) this.inflight.delete(key);
        done();
      });
    }
    return null;
  }

  /** The pipeline has answered `request` (stored or not): requests waiting for it go on. */
  finish(request: Request): void {
    const release = this.leaders.get(request);
    if (!release) return;
    this.leaders.delete(request);
    release();
  }

  /** Counts a stored answer and fills the request's log facts; whether it is a 304. */
  private serve(stored: Stored, req: unknown, ifNoneMatch: string | null): boolean {
    const facts = requestFacts(req);
    if (facts) {
      facts.operationName = stored.operationName;
      facts.operationType = stored.operationType;
    }
    const notModified = ifNoneMatch != null && matches(ifNoneMatch, stored.etag);
    this.counter?.inc({ result: notModified ? 'not_modified' : 'hit' });
    return notModified;
  }

  /** A stored answer as a Response (Yoga's onRequest: yoga.fetch, and requests that waited for a miss). */
  private respond(
    stored: Stored,
    request: Request,
    serverContext: unknown,
    fetchAPI: { Response: typeof Response },
  ): Response {
    const notModified = this.serve(
      stored,
      (serverContext as { req?: unknown } | undefined)?.req,
      request.headers.get('if-none-match'),
    );
    // Copies: the Response's Headers write through to the object it was given (CORS adds to it).
    const response = notModified
      ? new fetchAPI.Response(null, { status: 304, headers: { ...stored.notModified } })
      : new fetchAPI.Response(stored.body, { status: 200, headers: { ...stored.headers } });
    this.served.add(response);
    return response;
  }

  /**
   * Answers a plain hit or 304 on node:http, ahead of Yoga's adapter (src/app.ts), with the bytes and
   * headers Yoga's onRequest answer gets: the stored headers, the CORS headers Yoga's CORS plugin would
   * add (`cors`), Vary as the caching plugin sets it, and Content-Length as Yoga's node adapter sends
   * it. Returns false, touching nothing, for anything else (a miss, a request waiting for one, a token,
   * another method or path, pub/sub down): Yoga answers it as before.
   */
  answerNode(req: IncomingMessage, res: ServerResponse, cors: (req: IncomingMessage) => [string, string][]): boolean {
    if (!this.online) return false;
    const key = nodeKeyOf(req);
    const stored = key == null ? undefined : this.entries.get(key);
    if (!stored) return false;
    const notModified = this.serve(stored, req, header(req, 'if-none-match'));
    const headers = notModified ? stored.notModified : stored.headers;
    for (const name in headers) res.setHeader(name, headers[name]!);
    let varied: string | null = null;
    for (const [name, value] of cors(req)) {
      if (name === 'vary') varied = value;
      else res.setHeader(name, value);
    }
    res.setHeader('vary', varyValue(varied));
    if (notModified) {
      res.writeHead(304);
      res.end();
      return true;
    }
    stored.bytes ??= Buffer.from(stored.body);
    res.setHeader('content-length', String(stored.bytes.length));
    res.writeHead(200);
    res.end(stored.bytes);
    return true;
  }

  /** Whether `response` came from here (the pipeline's response hooks leave it as it is). */
  isServed(response: Response): boolean {
    return this.served.has(response);
  }

  /**
   * Stores the pipeline's cacheable 200 answer to `request`: its body string (as sent) and its headers
   * after the caching plugin's response hook. Skipped when a purge arrived since the request started.
   */
  remember(
    request: Request,
    response: Response,
    body: string,
    storedAt: number | undefined,
    serverContext: unknown,
  ): void {
    const started = this.started.get(request);
    if (!this.online || started !== this.generation) return;
    const key = keyOf(request);
    const etag = response.headers.get('etag');
    const keys = response.headers.get('surrogate-key');
    const type = response.headers.get('content-type') ?? '';
    if (key == null || !etag || !keys || !/^application\/(graphql-response\+)?json\b/.test(type)) return;
    const since = storedAt ?? Date.parse(response.headers.get('last-modified') ?? '');
    const age = Number.isNaN(since) ? 0 : Math.max(0, Date.now() - since);
    const ttlMs = maxAgeOf(response.headers.get('cache-control')) * 1000 - age;
    if (ttlMs <= 0) return;
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      if (!PER_REQUEST.test(name)) headers[name] = value;
    });
    const facts = requestFacts((serverContext as { req?: unknown } | undefined)?.req);
    this.entries.set(
      key,
      {
        body,
        headers,
        notModified: Object.fromEntries(
          notModifiedHeaders(response.headers).filter(([name]) => !PER_REQUEST.test(name)),
        ),
        etag,
        operationName: facts?.operationName,
        operationType: facts?.operationType,
      },
      keys.split(' '),
      ttlMs,
    );
  }

  /** Drops every answer filed under any of `keys` (a purge, on every instance). */
  invalidateKeys(keys: readonly string[]): void {
    this.generation++;
    this.entries.invalidateKeys(keys);
  }

  /** Whether purges from every instance reach this one; while not, nothing is served or stored. */
  setOnline(online: boolean): void {
    if (online === this.online) return;
    this.online = online;
    this.generation++;
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
