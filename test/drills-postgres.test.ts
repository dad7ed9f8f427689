// Failure drill: PostgreSQL stopped for 10 s under load, against the server as its own process over
// real HTTP. Every request fails fast (well under the connect timeout) with SERVICE_UNAVAILABLE and
// HTTP 503, never a stack trace or a hang; /readyz is 503 naming the database; the process stays up,
// and once PostgreSQL is back on the same port and data directory everything answers again by itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createApiToken } from '../src/auth/tokens.ts';
import { type Database, openDatabase } from '../src/db/client.ts';
import { seedIfEmpty } from '../src/seed/demo.ts';
import { findPostgresBin, requireBinary } from './harness/binaries.ts';
import { startChildServer, type ChildServer } from './harness/child-server.ts';
import { type PostgresServer, startPostgres } from './harness/postgres.ts';

const bin = findPostgresBin();
const skip = requireBinary('PostgreSQL', bin);

const LATEST = '{ latestArticles(first: 5) { id headline } }';
const OUTAGE_MS = 10_000;
/** "Fails fast": no request may take longer than this, in the outage or at its edges. */
const FAST_MS = 4_000;

interface Answer {
  kind: string;
  status: number;
  ms: number;
  codes: string[];
  body: string;
  retryAfter: string | null;
  startedAt: number;
}

describe.skipIf(skip)('drill: PostgreSQL stopped for 10 s under load', () => {
  let pg: PostgresServer;
  let db: Database;
  let server: ChildServer;
  let editor: string;
  let cursor: string;

  beforeAll(async () => {
    pg = await startPostgres(bin!);
    const url = await pg.createDatabase('news');
    db = await openDatabase({ kind: 'postgres', url });
    await seedIfEmpty(db.prisma);
    editor = (await createApiToken(db.prisma, { name: 'night desk', role: 'EDITOR' })).token;
    server = await startChildServer({
      DATABASE_URL: url,
      SEED_DEMO: 'false',
      DEMO_VIEWS: 'false',
      LOG_LEVEL: 'info',
      NODE_ENV: 'production',
      RATE_LIMIT_MUTATIONS_PER_MINUTE: '100000',
    });
  });
  afterAll(async () => {
    await server?.stop();
    await db?.close().catch(() => {});
    pg?.stop();
  });

  const post = async (
    kind: string,
    query: string,
    token?: string,
    variables?: Record<string, unknown>,
  ): Promise<Answer> => {
    const startedAt = Date.now();
    const res = await fetch(`${server.base}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(30_000),
    });
    const body = await res.text();
    let codes: string[] = [];
    try {
      codes = (JSON.parse(body).errors ?? []).map((e: { extensions?: { code?: string } }) => e.extensions?.code ?? '');
    } catch {}
    return {
      kind,
      status: res.status,
      ms: Date.now() - startedAt,
      codes,
      body,
      retryAfter: res.headers.get('retry-after'),
      startedAt,
    };
  };
  const anonymous = () => post('anonymous', LATEST);
  const newsroom = () =>
    post('newsroom', 'query($id: ID!) { article(id: $id, preview: true) { id headline } }', editor, {
      id: cursorArticle,
    });
  const like = () =>
    post(
      'mutation',
      'mutation($id: ID!) { likeArticle(input: { articleId: $id, visitorId: "drill-visitor-1" }) { liked article { likeCount } } }',
      undefined,
      { id: cursorArticle },
    );
  let cursorArticle = '';

  /** A server-sent-events subscription resuming from a cursor: its replay reads PostgreSQL. */
  const sse = async (): Promise<Answer> => {
    const startedAt = Date.now();
    const query = 'subscription($after: String) { articlePublished(after: $after) { cursor article { id } } }';
    const res = await fetch(
      `${server.base}/graphql?query=${encodeURIComponent(query)}&variables=${encodeURIComponent(JSON.stringify({ after: cursor }))}`,
      {
        headers: { accept: 'text/event-stream' },
        signal: AbortSignal.timeout(30_000),
      },
    );
    const reader = res.body!.getReader();
    let text = '';
    // The first `next` event: a replayed article (PostgreSQL up) or an error (down).
    while (!/event: next\ndata: .*\n/.test(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    await reader.cancel();
    const data = /event: next\ndata: (.*)\n/.exec(text)?.[1];
    const codes = data
      ? (JSON.parse(data).errors ?? []).map((e: { extensions?: { code?: string } }) => e.extensions?.code ?? '')
      : ['NO_EVENT'];
    return {
      kind: 'sse',
      status: res.status,
      ms: Date.now() - startedAt,
      codes,
      body: data ?? text,
      retryAfter: null,
      startedAt,
    };
  };

  /**
   * A graphql-ws session: connection_init with `params`, then a resuming subscription once
   * acknowledged; resolves with the close code and the first answer to the subscription.
   */
  const websocket = (params: Record<string, unknown>) =>
    new Promise<{ code: number; codes: string[] }>((resolve) => {
      const socket = new WebSocket(`${server.base.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
      let codes: string[] = [];
      const query = 'subscription($after: String) { articlePublished(after: $after) { cursor } }';
      socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: params })));
      socket.on('message', (data) => {
        const message = JSON.parse(String(data));
        if (message.type === 'connection_ack')
          socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query, variables: { after: cursor } } }));
        if (message.type === 'next' || message.type === 'error') {
          const errors = message.type === 'error' ? message.payload : (message.payload.errors ?? []);
          codes = errors.map((e: { extensions?: { code?: string } }) => e.extensions?.code ?? '');
          socket.close(1000);
        }
      });
      socket.on('close', (code) => resolve({ code, codes }));
    });

  const probe = async (path: string) => {
    const res = await fetch(`${server.base}${path}`, { signal: AbortSignal.timeout(10_000) });
    return { status: res.status, body: await res.json() };
  };

  it('fails fast with SERVICE_UNAVAILABLE/503 while PostgreSQL is down and recovers by itself', async () => {
    // A cursor two articles back, so a resuming subscription has something to replay.
    const page = JSON.parse((await post('setup', '{ articles(first: 3) { edges { cursor node { id } } } }')).body);
    cursor = page.data.articles.edges[2].cursor;
    cursorArticle = page.data.articles.edges[0].node.id;

    const before = await Promise.all([anonymous(), newsroom(), like(), sse()]);
    for (const a of before)
      expect({ kind: a.kind, status: a.status, codes: a.codes }).toEqual({ kind: a.kind, status: 200, codes: [] });
    expect((await probe('/readyz')).status).toBe(200);

    // Load: 6 clients, each sending requests back to back, through the outage.
    const answers: Answer[] = [];
    let running = true;
    const kinds = [anonymous, anonymous, anonymous, newsroom, like, sse];
    const clients = kinds.map(async (send) => {
      while (running) answers.push(await send());
    });
    await new Promise((r) => setTimeout(r, 1_000));

    const haltedAt = Date.now();
    pg.halt();
    const stoppedAt = Date.now();
    await new Promise((r) => setTimeout(r, 1_500));
    const ready = await probe('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.notReady).toContain('database');
    expect(ready.body.checks.database).toMatch(/^unreachable: /);
    expect((await probe('/healthz')).status).toBe(200);
    // WebSocket: a token cannot be checked, so the socket is told to try again later (1013, which
    // clients retry; never 4403 as for a bad token); an anonymous resuming subscription gets the
    // error payload with SERVICE_UNAVAILABLE.
    expect(await websocket({ authorization: `Bearer ${editor}` })).toEqual({ code: 1013, codes: [] });
    expect(await websocket({})).toEqual({ code: 1000, codes: ['SERVICE_UNAVAILABLE'] });
    await new Promise((r) => setTimeout(r, OUTAGE_MS - (Date.now() - haltedAt)));
    pg.restart();
    const restartedAt = Date.now();

    // Ready again without touching the app.
    let readyAgain = await probe('/readyz');
    while (readyAgain.status !== 200 && Date.now() - restartedAt < 15_000) {
      await new Promise((r) => setTimeout(r, 200));
      readyAgain = await probe('/readyz');
    }
    expect(readyAgain.status).toBe(200);
    const readyAt = Date.now();
    await new Promise((r) => setTimeout(r, 1_000));
    running = false;
    await Promise.all(clients);

    // Nothing hung, at any moment.
    const slowest = Math.max(...answers.map((a) => a.ms));
    expect(slowest).toBeLessThan(FAST_MS);
    // Every request sent while PostgreSQL was down: 503 (SSE: an error event) with SERVICE_UNAVAILABLE and no stack.
    const during = answers.filter((a) => a.startedAt > stoppedAt && a.startedAt + a.ms < restartedAt);
    expect(during.length).toBeGreaterThan(20);
    for (const kind of ['anonymous', 'newsroom', 'mutation', 'sse'])
      expect(during.some((a) => a.kind === kind)).toBe(true);
    for (const a of during) {
      expect({
        kind: a.kind,
        status: a.status,
        codes: a.codes,
        body: a.codes[0] === 'SERVICE_UNAVAILABLE' ? '' : a.body,
      }).toEqual({ kind: a.kind, status: a.kind === 'sse' ? 200 : 503, codes: ['SERVICE_UNAVAILABLE'], body: '' });
      expect(a.body).not.toMatch(/\bat .*\.(ts|js):\d+|stack|prisma|ECONNREFUSED|P1001/i);
      if (a.kind !== 'sse') expect(a.retryAfter).toBe('2');
    }
    // Everything sent a second after it was ready again answered normally.
    const after = answers.filter((a) => a.startedAt > readyAt + 300);
    expect(after.length).toBeGreaterThan(0);
    for (const a of after)
      expect({ kind: a.kind, status: a.status, codes: a.codes }).toEqual({ kind: a.kind, status: 200, codes: [] });
    expect(server.alive()).toBe(true);

    const metrics = await (await fetch(`${server.base}/metrics`)).text();
    expect(metrics).toMatch(/http_requests_total\{[^}]*status="503",code="SERVICE_UNAVAILABLE"\} [1-9]/);
    // The log says what happened, in one line per request, without a stack.
    expect(server.output()).toMatch(/database unavailable: request answered 503/);
    expect(server.output()).not.toMatch(/\n\s+at .*\.ts:\d+/);
    console.log(
      `drill: ${answers.length} requests, ${during.length} during the outage, slowest ${slowest} ms, ready again ${readyAgain.status === 200 ? `${Date.now() - restartedAt} ms` : 'never'} after restart`,
    );
  });
});
