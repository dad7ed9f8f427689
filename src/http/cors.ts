// CORS from configuration. Default: any origin may call the API, without credentials (no cookies;
// API tokens travel in the Authorization header, which does not need them). With CORS_ORIGINS set,
// only those origins get CORS headers at all (others: none, so the browser refuses), and
// CORS_CREDENTIALS may allow credentials for them. Never a reflected origin with credentials.
import type { YogaServerOptions } from 'graphql-yoga';
import type { Config } from '../config.ts';

type Cors = NonNullable<YogaServerOptions<Record<string, unknown>, Record<string, unknown>>['cors']>;

export function corsOptions(cors: Config['cors']): Cors {
  const common = { maxAge: 600, exposedHeaders: ['Retry-After'] };
  if (cors.origins === '*') return { ...common, origin: '*', credentials: false };
  const allowed = new Set(cors.origins);
  return (request: Request) => {
    const origin = request.headers.get('origin');
    return origin && allowed.has(origin) ? { ...common, origin: [origin], credentials: cors.credentials } : false;
  };
}
