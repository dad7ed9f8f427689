// @defer and @stream over HTTP: multipart/mixed and SSE deliver the article first and the deferred
// lists after it, in one response.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './harness/server.ts';

// Untyped on purpose: the example file's text is sent, and multipart/SSE incremental payloads are parsed
// by hand (codegen types describe a whole result, not @defer/@stream increments).
const DEFERRED_PAGE = readFileSync(new URL('../examples/article-page-deferred.graphql', import.meta.url), 'utf8');

describe('@defer / @stream over HTTP', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('pglite', { env: { PUBLISH_SCHEDULER_MS: '0' } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  const post = (query: string, accept: string) =>
    fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept },
      body: JSON.stringify({ query }),
    });

  /** The JSON payloads of a multipart/mixed body, in order. */
  function multipartPayloads(contentType: string, body: string): any[] {
    const boundary = /boundary="?([^";]+)"?/.exec(contentType)![1]!;
    return body
      .split(`--${boundary}`)
      .map((part) => part.split('\r\n\r\n').slice(1).join('\r\n\r\n').trim())
      .filter((json) => json.startsWith('{'))
      .map((json) => JSON.parse(json));
  }

  it('multipart/mixed: the article first, then related and the lists as labelled increments', async () => {
    const res = await post(DEFERRED_PAGE, 'multipart/mixed');
    expect(res.status).toBe(200);
    const type = res.headers.get('content-type')!;
    expect(type).toMatch(/^multipart\/mixed/);
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    const payloads = multipartPayloads(type, await res.text());
    expect(payloads.length).toBeGreaterThanOrEqual(2);
    const [first, ...rest] = payloads;
    expect(first.hasNext).toBe(true);
    expect(first.data.article.headline).toContain('베이징시장');
    expect(first.data.article.related).toBeUndefined();
    expect(first.data.latestArticles).toBeUndefined();
    const increments = rest.flatMap((p) => p.incremental ?? []);
    const byLabel = Object.fromEntries(increments.map((i: any) => [i.label, i]));
    expect(byLabel.related.path).toEqual(['article']);
    expect(byLabel.related.data.related.length).toBeGreaterThan(0);
    expect(byLabel.lists.data.latestArticles.length).toBe(5);
    expect(Array.isArray(byLabel.lists.data.mostViewed)).toBe(true);
    expect(rest.at(-1).hasNext).toBe(false);
  });

  it('SSE: the same increments as events, then complete', async () => {
    const res = await post(DEFERRED_PAGE, 'text/event-stream');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await res.text();
    const events = text
      .split('\n\n')
      .map((block) =>
        Object.fromEntries(
          block
            .split('\n')
            .filter((l) => l.includes(':') && !l.startsWith(':'))
            .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]),
        ),
      )
      .filter((e) => e.event);
    const next = events.filter((e) => e.event === 'next').map((e) => JSON.parse(e.data!));
    expect(next[0].data.article.headline).toContain('베이징시장');
    expect(
      next
        .flatMap((p) => p.incremental ?? [])
        .map((i: any) => i.label)
        .sort(),
    ).toEqual(['lists', 'related']);
    expect(events.at(-1)!.event).toBe('complete');
  });

  it('@stream sends list items as they resolve', async () => {
    const res = await post('{ latestArticles(first: 4) @stream(initialCount: 1) { headline } }', 'multipart/mixed');
    const payloads = multipartPayloads(res.headers.get('content-type')!, await res.text());
    expect(payloads[0].data.latestArticles).toHaveLength(1);
    const items = payloads.slice(1).flatMap((p) => (p.incremental ?? []).flatMap((i: any) => i.items ?? []));
    expect(items).toHaveLength(3);
  });

  it('a client that does not accept increments is told so (406), never half an answer', async () => {
    const res = await post(DEFERRED_PAGE, 'application/graphql-response+json');
    expect(res.status).toBe(406);
  });
});
