// The demo a new user sees on `npm start`: "많이 본 뉴스" filled for every window from the demo's view
// history (the sample page's five headlines, DAY in the page's order, with previousRank), rankings that
// move when views are recorded, a later start topping the history up, and every demo photo an image.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../src/app.ts';
import type { Config } from '../src/config.ts';
import { sniffImage } from '../src/media/image.ts';
import { DEMO } from '../src/seed/demo.ts';
import { graphql } from './generated/index.ts';
import { ArticlePageDocument } from './generated/graphql.ts';
import { testConfig } from './harness/server.ts';
import { silentLogger } from '../src/platform/logger.ts';

const BROWSER =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const NOW = Date.parse('2026-03-02T09:30:00Z');
const PAGE_ORDER = DEMO.mostViewed.map((m) => m.headline);
const MOST_VIEWED = graphql(`
  query TestDemoMostViewed($w: RankingWindow!) { mostViewed(window: $w, first: 10) { rank previousRank views article { id headline } } }
`);
const RECORD_VIEW = graphql(`
  mutation TestDemoRecordView($a: ID!, $v: String!) { recordView(articleId: $a, visitorId: $v) { status } }
`);
const WINDOWS = ['HOUR', 'DAY', 'WEEK', 'MONTH'] as const;

type Entry = { rank: number; previousRank: number | null; views: number; article: { id: string; headline: string } };

describe('demo data on the embedded default', () => {
  let app: App;
  let base: string;
  let config: Config;
  let clock = NOW;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'newsroom-demo-'));

  async function start() {
    app = await buildApp(config, { logger: silentLogger, clock: () => new Date(clock) });
    base = `http://127.0.0.1:${await app.start(0, '127.0.0.1')}`;
  }
  const gql = async <TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables>,
    variables?: TVariables,
  ): Promise<TData> => {
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': BROWSER },
      body: JSON.stringify({ query: print(document), variables }),
    });
    const body = (await res.json()) as { data?: TData; errors?: unknown[] };
    expect(body.errors).toBeUndefined();
    return body.data!;
  };
  const ranking = async (w: (typeof WINDOWS)[number]): Promise<Entry[]> => (await gql(MOST_VIEWED, { w })).mostViewed;

  beforeAll(async () => {
    config = await testConfig('pglite', {
      PGLITE_DIR: path.join(dir, 'db'),
      MEDIA_DIR: path.join(dir, 'media'),
      DEMO_VIEWS: 'true',
      VIEWS_FLUSH_MS: '0',
      VIEWS_RANKING_CACHE_MS: '0',
      PUBLISH_SCHEDULER_MS: '0',
    });
    await start();
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ranks the sample page five most viewed first in every window, DAY in the page order, with previous ranks', async () => {
    for (const w of WINDOWS) {
      const entries = await ranking(w);
      expect(entries.length, w).toBe(10);
      const five = entries.slice(0, 5);
      expect(new Set(five.map((e) => e.article.headline)), w).toEqual(new Set(PAGE_ORDER));
      if (w === 'DAY') expect(five.map((e) => e.article.headline)).toEqual(PAGE_ORDER);
      // Every one of the five ranked in the previous window too, not all at the same place.
      expect(
        five.every((e) => e.previousRank != null && e.previousRank <= 5),
        w,
      ).toBe(true);
      expect(
        five.some((e) => e.previousRank !== e.rank),
        w,
      ).toBe(true);
      expect(
        entries.map((e) => e.views),
        w,
      ).toEqual([...entries.map((e) => e.views)].sort((a, b) => b - a));
    }
  });

  it('serves the article page example with its most-viewed list', async () => {
    const page = await gql(ArticlePageDocument);
    expect(page.article?.headline).toMatch(/서울시장-베이징시장/);
    expect(page.mostViewed.map((e) => e.article.headline)).toEqual(PAGE_ORDER);
    expect(page.mostViewed.map((e) => e.rank)).toEqual([1, 2, 3, 4, 5]);
  });

  it('moves the ranking when readers record views', async () => {
    const before = await ranking('HOUR');
    const fifth = before[4]!;
    const needed = before[0]!.views - fifth.views + 1;
    for (let i = 0; i < needed; i++) {
      const r = await gql(RECORD_VIEW, { a: fifth.article.id, v: `reader-${i}-xxxxxxxx` });
      expect(r.recordView.status).toBe('COUNTED');
    }
    const after = await ranking('HOUR');
    expect(after[0]!.article.id).toBe(fifth.article.id);
    expect(after[0]!.previousRank).toBe(fifth.previousRank);
  });

  it('answers every photo url of the demo data with a JPEG of the stated size', async () => {
    const media = await app.db.prisma.media.findMany({ select: { url: true, width: true, height: true } });
    const urls = new Map(media.map((m) => [m.url, m]));
    expect(urls.size).toBeGreaterThan(5);
    for (const [url, m] of urls) {
      const res = await fetch(base + url);
      expect(res.status, url).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/jpeg');
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(bytes.length, url).toBeLessThan(16_000);
      expect(sniffImage(bytes), url).toMatchObject({ mimeType: 'image/jpeg', width: m.width, height: m.height });
    }
    expect((await fetch(`${base}/media/demo/../../etc/passwd`)).status).toBe(404);
    expect((await fetch(`${base}/media/demo/no-such-photo.jpg`)).status).toBe(404);
  });

  it('tops the history up on a later start: still the five, DAY in page order, old hours not written twice', async () => {
    const first = (await ranking('MONTH')).slice(0, 5);
    await app.stop();
    clock = NOW + 26 * 3_600_000;
    await start();
    const day = await ranking('DAY');
    expect(day.slice(0, 5).map((e) => e.article.headline)).toEqual(PAGE_ORDER);
    // MONTH moved by a day of traffic (26 new hours at most ~80 views an hour each), not by a second copy of it.
    const month = (await ranking('MONTH')).slice(0, 5);
    for (const e of month) {
      const was = first.find((f) => f.article.id === e.article.id)!;
      expect(Math.abs(e.views - was.views), e.article.headline).toBeLessThan(26 * 80);
    }
  });
});
