// GET /metrics in Prometheus text format, as a Yoga plugin answering in onRequest. With METRICS_TOKEN
// set, only `Authorization: Bearer <token>` is answered (401 otherwise); METRICS=false switches it off.
import { timingSafeEqual } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import type { Metrics } from './metrics.ts';

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function useMetricsEndpoint(metrics: Metrics, options: { token?: string; path?: string } = {}): Plugin {
  const path = options.path ?? '/metrics';
  return {
    async onRequest({ url, request, endResponse, fetchAPI }) {
      if (url.pathname !== path) return;
      if (options.token) {
        const header = request.headers.get('authorization') ?? '';
        const given = header.startsWith('Bearer ') ? header.slice(7) : '';
        if (!sameSecret(given, options.token)) {
          return endResponse(
            new fetchAPI.Response('unauthorized\n', {
              status: 401,
              headers: { 'www-authenticate': 'Bearer', 'content-type': 'text/plain' },
            }),
          );
        }
      }
      const body = await metrics.registry.metrics();
      endResponse(
        new fetchAPI.Response(body, {
          status: 200,
          headers: { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' },
        }),
      );
    },
  };
}
