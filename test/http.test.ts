// The HTTP surface: GraphiQL served offline, GET queries, GraphQL-over-HTTP behaviour, masking.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from './generated/index.ts';
import { startTestServer, type TestServer } from './harness/server.ts';

describe('HTTP', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('pglite');
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('serves GraphiQL with its bundle inlined (works offline) and the article page as default query', async () => {
    const res = await fetch(server.url, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('일간환경연합 News API');
    expect(html).toContain('ArticlePage');
    expect(html).not.toMatch(/<script[^>]+src="https?:\/\//);
    expect(html).not.toMatch(/<link[^>]+href="https?:\/\//);
    expect(html.length).toBeGreaterThan(500_000);
  });

  it('answers GET queries', async () => {
    const res = await fetch(`${server.url}?query=${encodeURIComponent('{ sections { slug } }')}`, {
      headers: { accept: 'application/json' },
    });
    expect(res.status).toBe(200);
    expect((await res.json()).data.sections).toHaveLength(6);
  });

  it('rejects invalid documents with 400 and a validation error, never a 500', async () => {
    for (const body of ['{"query":"{ nope }"}', '{"query":"{"}', 'not json', '{"query":123}', '[]', '{}']) {
      const res = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        body,
      });
      expect(res.status, body).toBeGreaterThanOrEqual(400);
      expect(res.status, body).toBeLessThan(500);
      const json = await res.json();
      expect(json.errors?.length, body).toBeGreaterThan(0);
    }
  });

  it('masks unexpected errors: no stack traces or SQL reach the client', async () => {
    const prisma = server.app.db.prisma;
    const original = prisma.section.findMany;
    (prisma.section as any).findMany = () => Promise.reject(new Error('SELECT secret FROM internals failed'));
    try {
      const res = await server.graphql(graphql(`query TestSectionSlugs { sections { slug } }`));
      expect(res.errors?.[0]?.message).toBe('Unexpected error.');
      expect(JSON.stringify(res)).not.toContain('secret');
    } finally {
      (prisma.section as any).findMany = original;
    }
  });
});
