// /metrics over real HTTP: request counts and latency per operation and error code, open
// subscriptions per transport, view outcomes, event-loop lag; access limited by METRICS_TOKEN.
import { print } from 'graphql';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { graphql } from './generated/index.ts';
import { TestDemoRecordViewDocument, TestSectionSlugsDocument } from './generated/graphql.ts';
import { startTestServer, type TestServer } from './harness/server.ts';
import { untilSubscriptions, whenSubscriptions } from './harness/live-hub.ts';

const TOKEN = 'metrics-token-0123456789';
/** An operation name with the characters a client may use, kept in the label as sent. */
const WEIRD_NAME = graphql(`
  query TestWeird_Name_1 { sections { slug } }
`);
const PUBLISHED = graphql(`
  subscription TestMetricsPublished { articlePublished { articleId } }
`);
const LATEST_ID = graphql(`
  query TestMetricsLatestId { latestArticles(first: 1) { id } }
`);
const RANKS = graphql(`
  query TestMetricsRanks { mostViewed(window: HOUR, first: 1) { rank } }
`);

describe('metrics', () => {
  let server: TestServer;
  let base: string;
  beforeAll(async () => {
    server = await startTestServer('pglite', { env: { METRICS_TOKEN: TOKEN, VIEWS_FLUSH_MS: '0' } });
    base = server.url.replace('/graphql', '');
  });
  afterAll(async () => {
    await server?.stop();
  });

  const scrape = async () => {
    const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return res.text();
  };
  /** The value of one sample line, by its exact name and labels (0 when absent). */
  const sample = (text: string, series: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line ? Number(line.slice(series.length + 1)) : 0;
  };

  it('answers only with the token when METRICS_TOKEN is set', async () => {
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    expect(
      (await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status,
    ).toBe(401);
    const text = await scrape();
    expect(text).toContain('nodejs_eventloop_lag_seconds');
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('counts requests and latency per operation name and error code', async () => {
    const before = await scrape();
    const ok = `http_requests_total{route="/graphql",operation="TestSectionSlugs",status="200",code=""}`;
    const bad = `http_requests_total{route="/graphql",operation="",status="400",code="GRAPHQL_VALIDATION_FAILED"}`;
    for (let i = 0; i < 3; i++) await server.graphql(TestSectionSlugsDocument);
    // An invalid document, as raw bytes: the failure's code is what is counted.
    await (
      await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        body: '{"query":"{ nope }"}',
      })
    ).text();
    const after = await scrape();
    expect(sample(after, ok) - sample(before, ok)).toBe(3);
    expect(sample(after, bad) - sample(before, bad)).toBe(1);
    const count = `http_request_duration_seconds_count{route="/graphql",operation="TestSectionSlugs"}`;
    expect(sample(after, count) - sample(before, count)).toBe(3);
  });

  it('caps client-chosen operation names', async () => {
    await server.graphql(WEIRD_NAME);
    // A GET naming an operation the document does not have, written out: the name is the hostile part.
    const res = await fetch(
      `${server.url}?query=${encodeURIComponent('query A { sections { slug } }')}&operationName=${encodeURIComponent('no/such name')}`,
    );
    await res.text();
    const text = await scrape();
    expect(text).toContain('operation="TestWeird_Name_1"');
    expect(text).not.toContain('no/such name');
  });

  it('reports open WebSocket subscriptions and recorded view outcomes', async () => {
    const client = createClient({
      url: `${base.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
    });
    const it = client.iterate({ query: print(PUBLISHED) });
    const first = it.next();
    await whenSubscriptions(server.app.services.live, 1);
    expect(sample(await scrape(), 'graphql_subscriptions_active{transport="websocket"}')).toBe(1);
    await it.return?.();
    void first.catch(() => {});
    await untilSubscriptions(server.app.services.live, (s) => s.published === 0);
    expect(sample(await scrape(), 'graphql_subscriptions_active{transport="websocket"}')).toBe(0);
    await client.dispose();

    const [article] = (await server.graphql(LATEST_ID)).data!.latestArticles;
    for (const v of ['metrics-visitor-1', 'metrics-visitor-1'])
      await server.graphql(TestDemoRecordViewDocument, { a: article!.id, v });
    await server.graphql(RANKS);
    const text = await scrape();
    expect(sample(text, 'views_directory_queries_total')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'views_rankings_computed_total')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'views_recorded_total{outcome="COUNTED"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'views_recorded_total{outcome="DUPLICATE"}')).toBeGreaterThanOrEqual(1);
    expect(text).toContain('views_outage_buffered 0');
    // The counted view waits for the write-behind flush (only on demand here), then it is in PostgreSQL.
    expect(sample(text, 'views_pending_flush')).toBe(await server.app.services.views.store.pendingSum());
    expect(sample(text, 'views_pending_flush')).toBeGreaterThanOrEqual(1);
    await server.app.services.views.flusher.flush();
    expect(sample(await scrape(), 'views_pending_flush')).toBe(0);
    expect(text).toContain('pubsub_subscribed 1');
  });
});
