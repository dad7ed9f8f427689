// Counting views the way news sites do, over real HTTP: browsers and the HTTP clients of mobile apps
// and of server-side rendering count; crawlers, previewers and monitors (isbot's list) do not; a
// server rendering pages with a VIEW_RELAY token names the reader (user agent, address), and bot
// filtering, the visitor-less de-duplication and the per-address limit use the reader's values;
// without such a token those headers are ignored; malformed forwarded values count nothing.
import type { ResultOf, VariablesOf } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../src/app.ts';
import { createApiToken } from '../src/auth/tokens.ts';
import { encodeGlobalId } from '../src/relay/global-id.ts';
import { clientClass } from '../src/views/bots.ts';
import { TestDemoRecordViewDocument } from './generated/graphql.ts';
import { testConfig } from './harness/server.ts';
import { silentLogger } from '../src/platform/logger.ts';

const CLIENTS: Record<'browser' | 'app' | 'bot', string[]> = {
  browser: [
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
    'Mozilla/5.0 (Linux; Android 14; SM-S918N) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36',
    'Mozilla/5.0 (Linux; Android 14; SM-S918N) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36 KAKAOTALK 10.8.0',
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 NAVER(inapp; search; 2000; 12.5.1)',
  ],
  app: [
    'okhttp/4.12.0', // Android apps
    'Dalvik/2.1.0 (Linux; U; Android 14; SM-S918N Build/UP1A.231005.007)',
    'NewsApp/5.2 CFNetwork/1496.0.7 Darwin/23.5.0', // iOS apps (URLSession)
    'Dart/3.4 (dart:io)', // Flutter
    'Ktor client',
    'ktor-client',
    'axios/1.7.2',
    'node-fetch/1.0 (+https://github.com/bitinn/node-fetch)',
    'undici',
    'node', // Node's own fetch (a server rendering pages)
  ],
  bot: [
    'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
    'Mozilla/5.0 (compatible; Yeti/1.1; +https://naver.me/spd)',
    'Mozilla/5.0 (compatible; Daum/4.1; +http://cs.daum.net/faq/15/4118.html?faqId=28966)',
    'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)',
    'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
    'kakaotalk-scrap/1.0',
    'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)',
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36',
    'UptimeRobot/2.0',
    'curl/8.5.0',
    'python-requests/2.31.0',
    'Go-http-client/1.1',
    '',
  ],
};
const BROWSER = CLIENTS.browser[0]!;
const GOOGLEBOT = CLIENTS.bot[0]!;
const RECORD = TestDemoRecordViewDocument;
const NOW = Date.parse('2026-03-02T09:30:00Z');

describe('client classes', () => {
  it.each(Object.entries(CLIENTS).flatMap(([kind, uas]) => uas.map((ua) => [kind, ua] as const)))(
    '%s: %s',
    (kind, ua) => {
      expect(clientClass(ua)).toBe(kind);
    },
  );
  it('a missing user agent is not a reader', () => expect(clientClass(null)).toBe('bot'));
});

describe('view counting for apps and SSR relays over HTTP', () => {
  let app: App;
  let base: string;
  let clock = NOW;
  let relay: string;
  let editor: string;
  let ids: { id: number; gid: string }[];

  const gql = async (variables: VariablesOf<typeof RECORD>, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': BROWSER, ...headers },
      body: JSON.stringify({ query: print(RECORD), variables }),
    });
    return {
      status: res.status,
      body: (await res.json()) as {
        data?: ResultOf<typeof RECORD> | null;
        errors?: { message: string; extensions: Record<string, unknown> }[];
      },
    };
  };
  const status = async (variables: VariablesOf<typeof RECORD>, headers: Record<string, string> = {}) => {
    const r = await gql(variables, headers);
    if (!r.body.data?.recordView) throw new Error(JSON.stringify(r.body));
    return r.body.data.recordView.status;
  };
  const beacon = (id: number, query: string, headers: Record<string, string> = {}) =>
    fetch(`${base}/views/${id}${query}`, { method: 'POST', headers: { 'user-agent': BROWSER, ...headers } });
  const pending = () => app.services.views.store.pendingTotals(ids.map((a) => a.id));
  /** A fresh minute for the per-address limit. */
  const nextMinute = () => void (clock += 60_000);

  beforeAll(async () => {
    const config = await testConfig('pglite', {
      VIEWS_FLUSH_MS: '0',
      PUBLISH_SCHEDULER_MS: '0',
      VIEWS_LIMIT_PER_ADDRESS: '5',
      VIEWS_DEDUP_MINUTES: '30',
    });
    app = await buildApp(config, { logger: silentLogger, clock: () => new Date(clock) });
    base = `http://127.0.0.1:${await app.start(0, '127.0.0.1')}`;
    relay = (await createApiToken(app.db.prisma, { name: 'Next.js front end', role: 'VIEW_RELAY' })).token;
    editor = (await createApiToken(app.db.prisma, { name: 'Desk', role: 'EDITOR' })).token;
    const rows = await app.db.prisma.article.findMany({
      where: { status: 'PUBLISHED', publishedAt: { lte: new Date(NOW) } },
      orderBy: { id: 'asc' },
      take: 4,
      select: { id: true },
    });
    ids = rows.map((r) => ({ id: r.id, gid: encodeGlobalId('Article', r.id) }));
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
  });

  it('counts browsers and app clients, not bots, through recordView and the beacon', async () => {
    let n = 0;
    for (const [kind, uas] of Object.entries(CLIENTS)) {
      for (const ua of uas) {
        nextMinute();
        const expected = kind === 'bot' ? 'BOT' : 'COUNTED';
        const headers = ua ? { 'user-agent': ua } : { 'user-agent': '' };
        expect(await status({ a: ids[0]!.gid, v: `client-${n++}-xxxx` }, headers), ua).toBe(expected);
        const res = await beacon(ids[1]!.id, `?v=client-${n++}-xxxx`, headers);
        expect([res.status, res.headers.get('x-view-status')], ua).toEqual([204, expected]);
      }
    }
  });

  it('a VIEW_RELAY token names the reader: bot filtering uses the reader user agent', async () => {
    nextMinute();
    const asRelay = { 'user-agent': 'node', authorization: `Bearer ${relay}` };
    expect(
      await status(
        { a: ids[0]!.gid, v: 'relay-0001' },
        { ...asRelay, 'x-reader-user-agent': GOOGLEBOT, 'x-reader-address': '203.0.113.7' },
      ),
    ).toBe('BOT');
    expect(
      await status(
        { a: ids[0]!.gid, v: 'relay-0002' },
        { ...asRelay, 'x-reader-user-agent': BROWSER, 'x-reader-address': '203.0.113.7' },
      ),
    ).toBe('COUNTED');
    // Without a relay token (none, or a newsroom token), the headers are ignored: the caller's own user agent decides.
    expect(await status({ a: ids[0]!.gid, v: 'relay-0003' }, { 'x-reader-user-agent': GOOGLEBOT })).toBe('COUNTED');
    expect(
      await status(
        { a: ids[0]!.gid, v: 'relay-0004' },
        { authorization: `Bearer ${editor}`, 'x-reader-user-agent': GOOGLEBOT },
      ),
    ).toBe('COUNTED');
    expect(
      await status({ a: ids[0]!.gid, v: 'relay-0005' }, { 'user-agent': GOOGLEBOT, 'x-reader-user-agent': BROWSER }),
    ).toBe('BOT');
    const res = await beacon(ids[1]!.id, '?v=relay-0006', { ...asRelay, 'x-reader-user-agent': GOOGLEBOT });
    expect(res.headers.get('x-view-status')).toBe('BOT');
  });

  it('de-duplicates visitor-less beacons by the reader, not by the rendering server', async () => {
    nextMinute();
    const asRelay = { 'user-agent': 'node', authorization: `Bearer ${relay}` };
    const viaRelay = (address: string) =>
      beacon(ids[2]!.id, '', { ...asRelay, 'x-reader-address': address }).then((r) => r.headers.get('x-view-status'));
    expect(await viaRelay('198.51.100.1')).toBe('COUNTED');
    expect(await viaRelay('198.51.100.2')).toBe('COUNTED');
    expect(await viaRelay('2001:db8::1')).toBe('COUNTED');
    expect(await viaRelay('198.51.100.1')).toBe('DUPLICATE');
    // Without the token the forwarded address is ignored: every reader looks like the server, one visitor.
    const plain = (address: string) =>
      beacon(ids[3]!.id, '', { 'user-agent': 'node', 'x-reader-address': address }).then((r) =>
        r.headers.get('x-view-status'),
      );
    expect(await plain('198.51.100.1')).toBe('COUNTED');
    expect(await plain('198.51.100.2')).toBe('DUPLICATE');
  });

  it('limits views per reader address and minute (VIEWS_LIMIT_PER_ADDRESS=5), by the relayed address', async () => {
    nextMinute();
    const asRelay = (address: string) => ({
      'user-agent': 'node',
      authorization: `Bearer ${relay}`,
      'x-reader-address': address,
    });
    const outcomes = [];
    for (let i = 0; i < 7; i++)
      outcomes.push(await status({ a: ids[0]!.gid, v: `limit-a-${i}-xx` }, asRelay('192.0.2.10')));
    expect(outcomes).toEqual(['COUNTED', 'COUNTED', 'COUNTED', 'COUNTED', 'COUNTED', 'RATE_LIMITED', 'RATE_LIMITED']);
    // Another reader behind the same rendering server still counts; a new minute resets the budget.
    expect(await status({ a: ids[0]!.gid, v: 'limit-b-0-xx' }, asRelay('192.0.2.11'))).toBe('COUNTED');
    nextMinute();
    expect(await status({ a: ids[0]!.gid, v: 'limit-a-9-xx' }, asRelay('192.0.2.10'))).toBe('COUNTED');
    // Without a relay token every view is the server's own address: its sixth view this minute is limited.
    const own = [];
    for (let i = 0; i < 6; i++)
      own.push(await status({ a: ids[0]!.gid, v: `limit-own-${i}` }, { 'x-reader-address': `192.0.2.${20 + i}` }));
    expect(own.at(-1)).toBe('RATE_LIMITED');
  });

  it('refuses malformed visitor ids, relay tokens and forwarded values with clear errors, counting nothing', async () => {
    nextMinute();
    const before = await pending();
    const asRelay = { 'user-agent': 'node', authorization: `Bearer ${relay}` };
    const badAddress = await gql(
      { a: ids[0]!.gid, v: 'bad-00001' },
      { ...asRelay, 'x-reader-address': '203.0.113.7, 10.0.0.1' },
    );
    expect(badAddress.body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      header: 'x-reader-address',
    });
    expect(badAddress.body.errors?.[0]?.message).toMatch(
      /x-reader-address must be one IPv4 or IPv6 address; nothing was counted/,
    );
    const badUa = await gql({ a: ids[0]!.gid, v: 'bad-00002' }, { ...asRelay, 'x-reader-user-agent': 'x'.repeat(600) });
    expect(badUa.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', header: 'x-reader-user-agent' });
    const badVisitor = await gql({ a: ids[0]!.gid, v: 'no' }, { ...asRelay, 'x-reader-address': '203.0.113.7' });
    expect(badVisitor.body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      argumentName: 'visitorId',
    });
    const badToken = await gql(
      { a: ids[0]!.gid, v: 'bad-00003' },
      { authorization: 'Bearer nws_short', 'x-reader-address': '203.0.113.7' },
    );
    expect(badToken.status).toBe(401);
    expect(badToken.body.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
    const unknownToken = await gql(
      { a: ids[0]!.gid, v: 'bad-00004' },
      { authorization: `Bearer nws_${'A'.repeat(43)}` },
    );
    expect(unknownToken.status).toBe(401);

    const beaconBadAddress = await beacon(ids[1]!.id, '?v=bad-00005', { ...asRelay, 'x-reader-address': 'localhost' });
    expect(beaconBadAddress.status).toBe(400);
    expect(await beaconBadAddress.json()).toMatchObject({
      error: 'BAD_USER_INPUT',
      message: expect.stringMatching(/x-reader-address/),
    });
    const beaconBadToken = await beacon(ids[1]!.id, '?v=bad-00006', { authorization: 'Bearer nonsense' });
    expect([beaconBadToken.status, beaconBadToken.headers.get('www-authenticate')]).toEqual([401, 'Bearer']);
    expect(await beaconBadToken.json()).toMatchObject({ error: 'UNAUTHENTICATED' });
    expect((await beacon(ids[1]!.id, '?v=bad', asRelay)).status).toBe(400);
    expect(await pending()).toEqual(before);
  });
});
