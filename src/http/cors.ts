// CORS from configuration. Default: any origin may call the API, without credentials (no cookies;
// API tokens travel in the Authorization header, which does not need them). With CORS_ORIGINS set,
// only those origins get CORS headers at all (others: none, so the browser refuses), and
// CORS_CREDENTIALS may allow credentials for them. Never a reflected origin with credentials.
import type { IncomingMessage } from 'node:http';
import { getCORSHeadersByRequestAndOptions } from '@whatwg-node/server';
import type { YogaServerOptions } from 'graphql-yoga';
import type { Config } from '../config.ts';

type Cors = NonNullable<YogaServerOptions<Record<string, unknown>, Record<string, unknown>>['cors']>;
const COMMON = { maxAge: 600, exposedHeaders: ['Retry-After'] };

/** Yoga's `cors` option. */
export function corsOptions(cors: Config['cors']): Cors {
  if (cors.origins === '*') return { ...COMMON, origin: '*', credentials: false };
  const allowed = new Set(cors.origins);
  return (request: Request) => {
    const origin = request.headers.get('origin');
    return origin && allowed.has(origin) ? { ...COMMON, origin: [origin], credentials: cors.credentials } : false;
  };
}

/**
 * The CORS headers Yoga's CORS plugin adds to a response, for a request answered on node:http ahead of
 * Yoga (src/cache/fast-path.ts): the same options through the same function of @whatwg-node/server.
 * Names in lower case, as Yoga's node adapter sends them.
 */
export function nodeCorsHeaders(cors: Config['cors']): (req: IncomingMessage) => [string, string][] {
  const options = corsOptions(cors);
  return (req) => {
    const get = (name: string) => {
      const value = req.headers[name];
      return Array.isArray(value) ? value.join(', ') : (value ?? null);
    };
    const request = { method: req.method, headers: { get } } as unknown as Request;
    const resolved = typeof options === 'function' ? options(request, {}) : options;
    const headers = getCORSHeadersByRequestAndOptions(
      request,
      resolved as Parameters<typeof getCORSHeadersByRequestAndOptions>[1],
    );
    return headers ? Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]) : [];
  };
}
