// Real-browser tests (Debian's chromium driven by playwright-core, fonts-noto-cjk for Korean): GraphiQL
// works with no request leaving the machine, the view beacon example counts from a page, and the
// /dashboard newsroom board shows new articles live, reorders the ranking after recorded views, and
// recovers from a server restart with what was published meanwhile. Screenshots go to
// test-output/browser/ (git-ignored) for a person to look at.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../src/app.ts';
import type { Config } from '../src/config.ts';
import { silentLogger } from '../src/platform/logger.ts';
import { encodeGlobalId } from '../src/relay/global-id.ts';
import { graphql } from './generated/index.ts';
import { TestDemoRecordViewDocument, TestViewCountDocument } from './generated/graphql.ts';
import { chromiumSkipReason, launchChromium } from './harness/browser.ts';
import { publishNew } from './harness/newsroom.ts';
import { testConfig } from './harness/server.ts';

const HOUR_RANKING = graphql(`
  query TestBrowserHourRanking { mostViewed(window: HOUR, first: 5) { views article { id } } }
`);
const SHOTS = path.resolve(import.meta.dirname, '../test-output/browser');
const BROWSER_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const skip = chromiumSkipReason();
if (skip) console.warn(`browser suite skipped: ${skip}`);

describe.skipIf(skip)('in a real browser', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'newsroom-browser-'));
  let config: Config;
  let app: App;
  let port: number;
  let base: string;
  let context: BrowserContext;
  /** Requests to anything but this server (the machine must not be left). */
  const outside: string[] = [];

  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  const publish = (headline: string, breaking = false) => publishNew(app, headline, { section: 'economy', breaking });
  async function gql<TData, TVariables>(document: TypedDocumentNode<TData, TVariables>, variables?: TVariables) {
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': BROWSER_UA },
      body: JSON.stringify({ query: print(document), variables: variables ?? {} }),
    });
    return ((await res.json()) as { data: TData }).data;
  }

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    config = await testConfig('pglite', {
      PGLITE_DIR: path.join(dir, 'db'),
      MEDIA_DIR: path.join(dir, 'media'),
      DEMO_VIEWS: 'true',
      PUBLISH_SCHEDULER_MS: '0',
      VIEWS_RANKING_CACHE_MS: '200',
    });
    app = await buildApp(config, { logger: silentLogger });
    port = await app.start(0, '127.0.0.1');
    base = `http://127.0.0.1:${port}`;
    context = await launchChromium(path.join(dir, 'profile'), {
      viewport: { width: 1280, height: 900 },
      locale: 'ko-KR',
      // Headless Chromium announces itself as HeadlessChrome, which the view counter rightly takes for a bot.
      userAgent: BROWSER_UA,
    });
    context.on('request', (request) => {
      const url = new URL(request.url());
      if (!['data:', 'about:', 'blob:', 'file:'].includes(url.protocol) && url.hostname !== '127.0.0.1')
        outside.push(request.url());
    });
  }, 180_000);
  afterAll(async () => {
    await context?.close();
    await app?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('GraphiQL loads offline, runs the article page query and a subscription', async () => {
    const page = await context.newPage();
    await page.goto(`${base}/graphql`);
    await page.locator('.graphiql-container').first().waitFor();
    await page.locator('.graphiql-query-editor').first().click();
    const [response] = await Promise.all([
      page.waitForResponse(
        (r) =>
          r.url().startsWith(`${base}/graphql`) &&
          r.request().method() === 'POST' &&
          (r.request().postData() ?? '').includes('ArticlePage'),
      ),
      page.keyboard.press('Control+Enter'),
    ]);
    const body = await response.json();
    expect(body.data.mostViewed.map((e: { rank: number }) => e.rank)).toEqual([1, 2, 3, 4, 5]);
    const result = page.locator('.result-window').first();
    await expect
      .poll(async () => (await result.innerText()).replace(/\u00a0/g, ' '), { timeout: 30_000 })
      .toContain('서울시장-베이징시장 6년 만에 회담');
    await shot(page, 'graphiql-article-page');

    // A subscription, opened from the URL (GraphiQL's own text, as a reader would type it), then a breaking article published while it runs.
    await page.goto(
      `${base}/graphql?query=${encodeURIComponent('subscription { breakingNews { article { headline } } }')}`,
    );
    await page.locator('.graphiql-container').first().waitFor();
    await page.locator('.graphiql-query-editor').first().click();
    await page.keyboard.press('Control+Enter');
    // The subscription is registered once the run button turns into "stop".
    await page
      .locator('.graphiql-execute-button[aria-label*="Stop"], .graphiql-execute-button[aria-label*="stop"]')
      .waitFor({ timeout: 15_000 })
      .catch(() => {});
    await expect
      .poll(
        async () => {
          await publish(`GraphiQL 구독 속보 ${Date.now()}`, true);
          return (await result.innerText()).replace(/\u00a0/g, ' ');
        },
        { timeout: 20_000, interval: 1000 },
      )
      .toContain('GraphiQL 구독 속보');
    await shot(page, 'graphiql-subscription');
    await page.close();
    expect(outside).toEqual([]);
  });

  it('the view beacon example counts a view from a page', async () => {
    const article = await app.db.prisma.article.findFirstOrThrow({
      where: { slug: { startsWith: '서울시장-베이징시장' } },
      select: { id: true },
    });
    const gid = encodeGlobalId('Article', article.id);
    const before = (await gql(TestViewCountDocument, { id: gid })).article!.viewCount;
    const page = await context.newPage();
    await page.goto(
      `file://${path.resolve(import.meta.dirname, '../examples/view-beacon.html')}?api=${encodeURIComponent(base)}&article=${encodeURIComponent(gid)}`,
    );
    await expect.poll(() => page.locator('#status').innerText()).toMatch(/조회 기록 전송/);
    await expect
      .poll(async () => (await gql(TestViewCountDocument, { id: gid })).article!.viewCount, { timeout: 10_000 })
      .toBe(before + 1);
    await shot(page, 'view-beacon');
    await page.close();
  });

  it('the dashboard shows new articles live, reorders the ranking, and recovers from a restart', async () => {
    const page = await context.newPage();
    await page.goto(`${base}/dashboard`);
    await page.locator('#conn[data-state="connected"]').waitFor({ timeout: 30_000 });
    await page.locator('#rank-HOUR li').first().waitFor();
    expect(await page.locator('h1').innerText()).toBe('일간환경연합 뉴스룸 현황판');

    // A new article within a second of its publication.
    const headline = `대시보드 실시간 기사 ${Date.now()}`;
    const id = await publish(headline, true);
    await page.locator(`#latest li[data-id="${encodeGlobalId('Article', id)}"]`).waitFor({ timeout: 1_000 });
    expect(await page.locator('#latest li').first().innerText()).toContain(headline);
    expect(await page.locator('#ticker-items').innerText()).toContain(headline);
    await shot(page, 'dashboard-live-article');

    // Views recorded for the fifth of the HOUR ranking move it to the top, with an up arrow.
    const fifth = (await page.locator('#rank-HOUR li').nth(4).getAttribute('data-id'))!;
    const ranking = (await gql(HOUR_RANKING)).mostViewed;
    const needed = ranking[0]!.views - ranking.find((e) => e.article.id === fifth)!.views + 3;
    for (let i = 0; i < needed; i++) await gql(TestDemoRecordViewDocument, { a: fifth, v: `dashboard-reader-${i}` });
    await expect
      .poll(() => page.locator('#rank-HOUR li').first().getAttribute('data-id'), { timeout: 15_000 })
      .toBe(fifth);
    expect(await page.locator('#rank-HOUR li').first().locator('.move').innerText()).toMatch(/▲/);
    await shot(page, 'dashboard-ranking-moved');

    // The server stops: the board says so; an article is published before it listens again.
    await app.stop();
    await page.locator('#conn[data-state="reconnecting"]').waitFor({ timeout: 15_000 });
    expect(await page.locator('#error').innerText()).toMatch(/서버에 연결할 수 없습니다/);
    await shot(page, 'dashboard-server-down');
    app = await buildApp(config, { logger: silentLogger });
    const meanwhile = `재시작 중 발행된 기사 ${Date.now()}`;
    const missedId = await publish(meanwhile);
    await app.start(port, '127.0.0.1');
    await page.locator('#conn[data-state="resumed"]').waitFor({ timeout: 30_000 });
    await page.locator(`#latest li[data-id="${encodeGlobalId('Article', missedId)}"]`).waitFor({ timeout: 10_000 });
    expect(await page.locator('#conn').innerText()).toMatch(/다시 연결됨 · 놓친 기사 1건/);
    expect(await page.locator('#error').isHidden()).toBe(true);
    await shot(page, 'dashboard-resumed');

    // The section selector: 경제 only (the society article leading overall drops out of the list).
    await page.locator('#section').selectOption('economy');
    await expect
      .poll(() => page.locator('#rank-DAY li').first().innerText(), { timeout: 10_000 })
      .toContain('현대제철');
    expect(await page.locator('#rank-DAY').innerText()).not.toContain('대학교 학생상담센터');
    await shot(page, 'dashboard-section-economy');
    await page.close();
    expect(outside).toEqual([]);
  }, 120_000);
});
