// Cross-site request forgery from a real browser: a page on another origin (Debian's chromium driven
// by playwright-core) makes its visitor's browser post a plain HTML form (urlencoded and multipart)
// and a no-preflight fetch (text/plain, no credentials) to the API. All are refused (403) and no like
// is counted. A JSON fetch from the same page, which the browser preflights and CORS allows (a
// public API), is counted: the harness sees a success when there is one.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { visibleArticleWhere } from '../src/articles/visibility.ts';
import { encodeGlobalId } from '../src/relay/global-id.ts';
import { chromiumSkipReason, launchChromium } from './harness/browser.ts';
import { startTestServer, type TestServer } from './harness/server.ts';

const skip = chromiumSkipReason();

// Untyped on purpose: the mutation is text in an attacker's HTML form and script, sent by the browser.
function attackerPage(api: string, articleId: string): string {
  const like = (visitor: string) =>
    `mutation { likeArticle(input: { articleId: "${articleId}", visitorId: "${visitor}" }) { liked } }`;
  return `<!doctype html><meta charset="utf-8"><title>win a prize</title>
<form id="urlencoded" method="POST" action="${api}" target="f1"><input type="hidden" name="query" value='${like('csrf-form-urlencoded')}'></form>
<form id="multipart" method="POST" action="${api}" enctype="multipart/form-data" target="f2">
  <input type="hidden" name="operations" value='${JSON.stringify({ query: like('csrf-form-multipart') })}'>
  <input type="hidden" name="map" value="{}">
</form>
<iframe name="f1"></iframe><iframe name="f2"></iframe>
<script>
  window.attack = async () => {
    document.getElementById('urlencoded').submit();
    document.getElementById('multipart').submit();
    const simple = await fetch(${JSON.stringify(api)}, { method: 'POST', mode: 'no-cors', credentials: 'omit',
      headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query: ${JSON.stringify(like('csrf-fetch-textplain'))} }) }).then(() => 'sent', (e) => String(e));
    const json = await fetch(${JSON.stringify(api)}, { method: 'POST', credentials: 'omit',
      headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: ${JSON.stringify(like('csrf-fetch-json-ok'))} }) }).then((r) => r.json(), (e) => String(e));
    return { simple, json };
  };
</script>`;
}

describe.skipIf(skip)('CSRF from a page on another origin, in a real browser', () => {
  let api: TestServer;
  let attacker: Server;
  let attackerUrl = '';
  let context: BrowserContext;
  let profile = '';

  beforeAll(async () => {
    api = await startTestServer('pglite');
    const article = await api.app.db.prisma.article.findFirstOrThrow({
      where: visibleArticleWhere(new Date()),
      select: { id: true },
    });
    const html = attackerPage(api.url, encodeGlobalId('Article', article.id));
    attacker = createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html),
    );
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    // localhost vs the API's 127.0.0.1: another origin, and another site.
    attackerUrl = `http://localhost:${(attacker.address() as { port: number }).port}/`;
    profile = mkdtempSync(path.join(os.tmpdir(), 'csrf-chromium-'));
    context = await launchChromium(profile);
  });

  afterAll(async () => {
    await context?.close();
    await new Promise((resolve) => attacker?.close(resolve));
    await api?.stop();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('refuses the form posts and the simple fetch; the like is not counted', async () => {
    const likedBy = async () =>
      (await api.app.db.prisma.articleLike.findMany({ select: { visitorHash: true } })).map((l) => l.visitorHash);
    const before = await likedBy();
    const page = await context.newPage();
    const statuses: { method: string; type: string; status: number }[] = [];
    page.on('response', (res) => {
      if (res.url().startsWith(api.url) && res.request().method() === 'POST') {
        statuses.push({
          method: 'POST',
          type: (res.request().headers()['content-type'] ?? '').split(';')[0]!,
          status: res.status(),
        });
      }
    });
    await page.goto(attackerUrl);
    // Both waits start before the attack: a response that came first would leave a later wait idle until
    // Playwright's 30 s timeout.
    const answered = (type: string) =>
      page.waitForResponse(
        (r) => r.url().startsWith(api.url) && (r.request().headers()['content-type'] ?? '').startsWith(type),
      );
    const done = Promise.all([answered('multipart/'), answered('application/x-www-form-urlencoded')]);
    const result = await page.evaluate(() =>
      (window as unknown as { attack: () => Promise<{ simple: string; json: any }> }).attack(),
    );
    await done;

    const byType = Object.fromEntries(statuses.map((s) => [s.type, s.status]));
    expect(byType['application/x-www-form-urlencoded']).toBe(403);
    expect(byType['multipart/form-data']).toBe(403);
    expect(byType['text/plain']).toBe(403);
    expect(result.simple).toBe('sent'); // the browser sent it (opaque answer): the server refused it
    // The preflighted JSON request went through CORS (any origin, no credentials) and was counted.
    expect(result.json).toEqual({ data: { likeArticle: { liked: true } } });

    const added = (await likedBy()).filter((h) => !before.includes(h));
    expect(added).toEqual([createHash('sha256').update('csrf-fetch-json-ok').digest('hex')]);
    await page.close();
  });
});
