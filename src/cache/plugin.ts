// HTTP caching of anonymous reads: Cache-Control from the fields' cache hints, surrogate keys
// (Surrogate-Key for Fastly/Varnish, Cache-Tag for Cloudflare), a content ETag with 304s, and the
// server's own response cache (@graphql-yoga/plugin-response-cache) filed under the same keys.
//
// Only an anonymous GET of a query without errors is cacheable. Its headers are computed once, when it
// executes, and stored with the result, so a response-cache hit (which runs no resolver and no
// SQL) answers with the same headers. Everything else (a token, a preview, a mutation, any POST,
// an error) is `private, no-store` and carries no keys.
import { createHash } from 'node:crypto';
import type { Plugin as EnvelopPlugin } from '@envelop/core';
import { useResponseCache } from '@graphql-yoga/plugin-response-cache';
import { handleMaybePromise } from '@whatwg-node/promise-helpers';
import stableStringify from 'fast-json-stable-stringify';
import { getOperationAST, type ExecutionResult, type GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { CacheConfig } from '../config.ts';
import { documentMaxAge, listKeysOf, recordListKeys } from './hints.ts';
import { boundedKeys, KEYED_TYPES, type ResponseKeys } from './keys.ts';
import { cacheableRequest, matches, notModifiedHeaders, varyValue } from './conditional.ts';
import type { FastPath } from './fast-path.ts';
import type { ResponseStore } from './store.ts';

export const PRIVATE = 'private, no-store';

type Headers = Record<string, string>;
const headersOf = (result: ExecutionResult): Headers | undefined =>
  (result.extensions as { http?: { headers?: Headers } } | undefined)?.http?.headers;

function setHeaders(result: ExecutionResult, headers: Headers) {
  const extensions = (result.extensions ??= {}) as { http?: { headers?: Headers } };
  const http = (extensions.http ??= {});
  http.headers = { ...http.headers, ...headers };
}

/** Entity keys of the response: every Article, Reporter, Section and Tag in it, by global id. */
function collectEntities(data: unknown, into: Map<string, Set<string>>): void {
  if (Array.isArray(data)) {
    for (const item of data) collectEntities(item, into);
    return;
  }
  if (data == null || typeof data !== 'object') return;
  const record = data as Record<string, unknown>;
  const typename = record.__responseCacheTypeName ?? record.__typename;
  const id = record.__responseCacheId ?? record.id;
  if (typeof typename === 'string' && KEYED_TYPES.has(typename) && typeof id === 'string') {
    let ids = into.get(typename);
    if (!ids) into.set(typename, (ids = new Set()));
    ids.add(id);
  }
  for (const value of Object.values(record))
    if (value != null && typeof value === 'object') collectEntities(value, into);
}

function cacheControl(maxAge: number, config: CacheConfig): string {
  return `public, max-age=${maxAge}, s-maxage=${maxAge}, stale-while-revalidate=${config.staleWhileRevalidate}, stale-if-error=${config.staleIfError}`;
}

/** A content ETag, computed once per result object. */
const etags = new WeakMap<object, string>();
function etagOf(result: ExecutionResult): string {
  let etag = etags.get(result);
  if (!etag) {
    etag = `"${createHash('sha256')
      .update(JSON.stringify({ data: result.data, errors: result.errors }))
      .digest('base64url')
      .slice(0, 27)}"`;
    etags.set(result, etag);
  }
  return etag;
}

/** Computes the cache headers of each anonymous query as it executes (runs before the response cache stores it). */
function useCacheHeaders(config: CacheConfig, maxAges: WeakMap<object, number>): EnvelopPlugin {
  let schema: GraphQLSchema | null = null;
  return {
    onSchemaChange({ schema: next }) {
      schema = next;
      recordListKeys(next);
    },
    onExecute({ args }) {
      const context = args.contextValue as { request?: Request };
      if (!schema || !context.request || !cacheableRequest(context.request)) return;
      if (getOperationAST(args.document, args.operationName)?.operation !== 'query') return;
      const maxAge = documentMaxAge(schema, args.document, args.variableValues ?? undefined, config.maxAge);
      if (maxAge <= 0) return;
      maxAges.set(context, maxAge);
      return {
        onExecuteDone({ result }) {
          // @defer/@stream results are streamed, not cached.
          if (Symbol.asyncIterator in result) return;
          const single = result as ExecutionResult;
          if (single.errors?.length || headersOf(single)?.['Surrogate-Key']) return;
          const keys: ResponseKeys = { entities: new Map(), lists: listKeysOf(context) };
          collectEntities(single.data, keys.entities);
          const bounded = boundedKeys(keys);
          setHeaders(single, {
            'Cache-Control': cacheControl(maxAge, config),
            'Surrogate-Key': bounded.join(' '),
            'Cache-Tag': bounded.join(','),
          });
        },
      };
    },
  };
}

/** Vary: Accept and Authorization pick the answer, besides what is there already (Origin, from CORS). */
const vary = (headers: globalThis.Headers) => headers.set('Vary', varyValue(headers.get('vary')));

/** The key of a request the cache never answers or stores (`cacheableRequest`: a POST, a token). */
export const UNCACHED_KEY = 'uncached';

/**
 * The response cache's key: the plugin's default (SHA-256 hex of the same fields), hashed with
 * node:crypto in the request's turn instead of WebCrypto's thread-pool job and promise per request.
 * The plugin asks for it for every request, before it checks `enabled`; a request the cache does not
 * serve gets UNCACHED_KEY instead of a hash of its document and variables (~1.5% of an uncached
 * article page's CPU).
 */
export function responseCacheKey(params: {
  documentString: string;
  operationName?: string | null;
  variableValues?: Record<string, unknown> | null;
  sessionId?: string | null;
  request?: Request;
}): string {
  if (params.request && !cacheableRequest(params.request)) return UNCACHED_KEY;
  const text = [
    params.documentString,
    params.operationName ?? '',
    stableStringify(params.variableValues ?? {}),
    params.sessionId ?? '',
  ].join('|');
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The caching plugin: one line in app.ts. `store` holds the server's cached responses, each for as
 * long as its Cache-Control says.
 */
export function useHttpCache(config: CacheConfig, store: ResponseStore, fast?: FastPath): Plugin {
  const maxAges = new WeakMap<object, number>();
  /** Each result's body as sent, by the serialiser it was given (a cached result keeps its serialiser). */
  const serialised = new WeakMap<object, { body?: string }>();
  const bodies = new WeakMap<Request, { body?: string }>();
  /** When the response store took each answer (ms): the fast path keeps a copy no longer than the store does. */
  const storedAt = new WeakMap<Request, number>();
  // The plugin also looks up every If-None-Match value as a response id; ours are content ETags,
  // never ids (SHA-256 hex), so those lookups are answered here without touching the store.
  const RESPONSE_ID = /^[0-9a-f]{64}$/;
  const lookups: ResponseStore = Object.assign(Object.create(store) as ResponseStore, {
    get: (id: string) => (RESPONSE_ID.test(id) ? store.get(id) : undefined),
  });
  return {
    onPluginInit({ addPlugin }) {
      addPlugin(useCacheHeaders(config, maxAges) as Plugin);
      // Without a store (RESPONSE_CACHE=false) there is nothing to look up: headers, ETags and 304s
      // above and below are this plugin's own.
      if (store.kind === 'none') return;
      addPlugin(
        useResponseCache({
          cache: lookups,
          buildResponseCacheKey: responseCacheKey,
          // Only anonymous GETs are cached, all sharing one session; a token's answer never is.
          enabled: (request) => cacheableRequest(request),
          session: () => null,
          invalidateViaMutation: false,
          includeExtensionMetadata: false,
          shouldCacheResult: ({ result }) => {
            if (result.errors?.length || headersOf(result)?.['Surrogate-Key'] == null) return false;
            // Kept with the result (Redis too) and never sent: Yoga omits `extensions.http` from bodies.
            (result.extensions as { http: { storedAt?: number } }).http.storedAt = Date.now();
            return true;
          },
          onTtl: ({ context }) => (maxAges.get(context) ?? 0) * 1000,
        }),
      );
    },
    onRequest({ request, serverContext, fetchAPI, endResponse }) {
      if (!fast) return;
      return handleMaybePromise(
        () => fast.answer(request, serverContext, fetchAPI),
        (stored) => {
          if (stored) endResponse(stored);
        },
      );
    },
    onResultProcess({ request, result }) {
      if (Array.isArray(result) || Symbol.asyncIterator in (result as object)) return;
      const single = result as ExecutionResult & { stringify?: (r: ExecutionResult) => string };
      const headers = headersOf(single);
      if (headers?.['Surrogate-Key'] == null) return;
      headers.ETag = etagOf(single);
      // A cached result is sent many times: serialise it once (Yoga calls this with the result
      // minus its internal extensions, which never change for the same object).
      if (!single.stringify) {
        const holder: { body?: string } = {};
        single.stringify = (r) => (holder.body ??= JSON.stringify(r));
        serialised.set(single.stringify, holder);
      }
      const holder = serialised.get(single.stringify);
      if (holder) bodies.set(request, holder);
      const stamp = (single.extensions as { http?: { storedAt?: number } } | undefined)?.http?.storedAt;
      if (stamp != null) storedAt.set(request, stamp);
    },
    onResponse({ request, response, serverContext, setResponse, fetchAPI }) {
      const headers = response.headers;
      // Yoga's CORS plugin may have set `Vary: Origin` (CORS_ORIGINS): keep it.
      if (fast?.isServed(response)) return void vary(headers);
      // Requests for the same URL waiting for this answer go on once the hooks below have stored it.
      if (fast) queueMicrotask(() => fast.finish(request));
      const cacheable = cacheableRequest(request) && response.status === 200 && headers.has('surrogate-key');
      if (!cacheable) {
        headers.set('Cache-Control', PRIVATE);
        for (const name of ['surrogate-key', 'cache-tag', 'etag', 'last-modified']) headers.delete(name);
        return;
      }
      vary(headers);
      const body = bodies.get(request)?.body;
      if (fast && body != null) fast.remember(request, response, body, storedAt.get(request), serverContext);
      const ifNoneMatch = request.headers.get('if-none-match');
      const etag = headers.get('etag');
      if (ifNoneMatch && etag && matches(ifNoneMatch, etag)) {
        const notModified = new fetchAPI.Headers(notModifiedHeaders(headers));
        headers.forEach((value, name) => {
          if (name.startsWith('access-control-')) notModified.set(name, value);
        });
        setResponse(new fetchAPI.Response(null, { status: 304, headers: notModified }));
      }
    },
  };
}
