// /dashboard: the live newsroom board, served by this server from files in src/dashboard/public and
// graphql-ws's own browser build (node_modules), so it works with no network beyond this server.
// A Yoga plugin (onRequest): the board's paths answer before Yoga parses anything; all else passes on.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Plugin } from 'graphql-yoga';

const require = createRequire(import.meta.url);
// From the repository's src/ both when run from src/ (tsx) and from dist/ (the build, beside src/).
const publicFile = (name: string) => readFileSync(new URL(`../../src/dashboard/public/${name}`, import.meta.url));
const graphqlWsBrowserBuild = () =>
  readFileSync(path.resolve(path.dirname(require.resolve('graphql-ws')), '../umd/graphql-ws.min.js'));

const JS = 'text/javascript; charset=utf-8';
const FILES: Record<string, { type: string; body: () => Buffer }> = {
  '/dashboard': { type: 'text/html; charset=utf-8', body: () => publicFile('index.html') },
  '/dashboard/app.js': { type: JS, body: () => publicFile('app.js') },
  '/dashboard/style.css': { type: 'text/css; charset=utf-8', body: () => publicFile('style.css') },
  '/dashboard/graphql-ws.js': { type: JS, body: graphqlWsBrowserBuild },
};
// Nothing but this server: scripts, styles, images and connections.
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'";

export function useDashboard(): Plugin {
  const cache = new Map<string, Buffer>();
  return {
    onRequest({ url, request, endResponse, fetchAPI }) {
      const file = FILES[url.pathname === '/dashboard/' ? '/dashboard' : url.pathname];
      if (!file) return;
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        return endResponse(
          new fetchAPI.Response('Method not allowed', { status: 405, headers: { allow: 'GET, HEAD' } }),
        );
      }
      let body = cache.get(url.pathname);
      if (!body) cache.set(url.pathname, (body = file.body()));
      endResponse(
        new fetchAPI.Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
          headers: {
            'content-type': file.type,
            'cache-control': 'no-cache',
            'content-security-policy': CSP,
            'x-content-type-options': 'nosniff',
          },
        }),
      );
    },
  };
}
