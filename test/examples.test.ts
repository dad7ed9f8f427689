// The examples in examples/ run against a real server, as a user runs them against `npm start`: the
// typed client is up to date with the schema and the operations; the article page as a typed query;
// breaking news over SSE with curl (resumed from a cursor); the Node graphql-ws subscriber, which
// survives a server restart and receives, replayed, what was published while the server was down.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generate } from '@graphql-codegen/cli';
import type { ResultOf } from '@graphql-typed-document-node/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { print } from 'graphql';
import codegenConfig from '../codegen.ts';
import { type App, buildApp } from '../src/app.ts';
import type { Config } from '../src/config.ts';
import { graphql } from './generated/index.ts';
import { publishNew } from './harness/newsroom.ts';
import { testConfig } from './harness/server.ts';
import { silentLogger } from '../src/platform/logger.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const NEWEST_CURSOR = graphql(`
  query TestNewestCursor { articles(first: 1) { edges { cursor } } }
`);

/** A child process whose output can be awaited line by line. */
function run(command: string, args: string[], env: Record<string, string>) {
  const child: ChildProcess = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  const waiters: { stream: 'stdout' | 'stderr'; pattern: RegExp; resolve: () => void }[] = [];
  for (const stream of ['stdout', 'stderr'] as const) {
    child[stream]!.setEncoding('utf8').on('data', (chunk: string) => {
      out[stream] += chunk;
      for (const w of [...waiters])
        if (w.stream === stream && w.pattern.test(out[stream])) waiters.splice(waiters.indexOf(w), 1), w.resolve();
    });
  }
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    out,
    exited,
    waitFor: (pattern: RegExp, stream: 'stdout' | 'stderr' = 'stdout') =>
      new Promise<void>((resolve) =>
        pattern.test(out[stream]) ? resolve() : waiters.push({ stream, pattern, resolve }),
      ),
    kill: () => child.exitCode == null && child.kill(),
  };
}
const tsx = (file: string, args: string[], env: Record<string, string>) =>
  run(process.execPath, ['--import', 'tsx', file, ...args], env);

describe('examples against a running server', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'newsroom-examples-'));
  let config: Config;
  let app: App;
  let port: number;
  let api: string;
  const children: { kill(): void }[] = [];

  async function publishBreaking(headline: string): Promise<void> {
    await publishNew(app, headline, { section: 'politics', breaking: true });
  }
  /** The newest article's row cursor: "everything published after this". */
  async function newestCursor(): Promise<string> {
    const res = await fetch(api, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: print(NEWEST_CURSOR) }),
    });
    return ((await res.json()) as { data: ResultOf<typeof NEWEST_CURSOR> }).data.articles.edges[0]!.cursor;
  }

  beforeAll(async () => {
    config = await testConfig('pglite', {
      PGLITE_DIR: dir,
      MEDIA_DIR: path.join(dir, 'media'),
      PUBLISH_SCHEDULER_MS: '0',
      DEMO_VIEWS: 'true',
    });
    app = await buildApp(config, { logger: silentLogger });
    port = await app.start(0, '127.0.0.1');
    api = `http://127.0.0.1:${port}/graphql`;
  }, 120_000);
  afterAll(async () => {
    for (const c of children) c.kill();
    await app?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the committed typed client matches the schema and the operations in examples/', async () => {
    const target = 'examples/generated/';
    const files = await generate(
      { ...codegenConfig, cwd: ROOT, generates: { [target]: codegenConfig.generates[target]! } },
      false,
    );
    expect(files.length).toBeGreaterThan(0);
    for (const f of files as { filename: string; content: string }[]) {
      const committed = readFileSync(path.resolve(ROOT, f.filename), 'utf8');
      expect(committed, `${f.filename} is stale: run npm run codegen`).toBe(f.content);
    }
  }, 60_000);

  it('article-page.ts prints the page with its most-viewed list', async () => {
    const p = tsx('examples/article-page.ts', [], { NEWS_API: api });
    children.push(p);
    expect(await p.exited, p.out.stderr).toBe(0);
    expect(p.out.stdout).toMatch(/^서울시장-베이징시장 6년 만에 회담…미래지향적 교류 방안 모색\n/);
    expect(p.out.stdout).toMatch(/많이 본 뉴스\n {2}1\. 대학교 학생상담센터에서도 마약 상담 가능/);
    expect(p.out.stdout.match(/^ {2}\d\. /gm)).toHaveLength(5);
  }, 60_000);

  it('breaking-news-sse.sh streams breaking news with curl, resuming from a cursor', async () => {
    const cursor = await newestCursor();
    await publishBreaking('[SSE] 속보: 서울시 폭염 비상 대응');
    const p = run('sh', ['examples/breaking-news-sse.sh', cursor], { NEWS_API: api });
    children.push(p);
    await p.waitFor(/event: next\ndata: .*서울시 폭염 비상 대응/);
    const data = JSON.parse(/data: (.*서울시 폭염.*)/.exec(p.out.stdout)![1]!);
    expect(data.data.breakingNews).toMatchObject({
      replayed: true,
      article: { headline: '[SSE] 속보: 서울시 폭염 비상 대응' },
    });
    p.kill();
  }, 60_000);

  it('breaking-news.ts reconnects after a server restart and resumes with the cursor', async () => {
    const cursor = await newestCursor();
    await publishBreaking('[WS] 속보: 첫 번째');
    const p = tsx('examples/breaking-news.ts', ['--count', '2', '--after', cursor], { NEWS_API: api });
    children.push(p);
    await p.waitFor(/\[속보, replayed\] \[WS\] 속보: 첫 번째/);

    await app.stop();
    await p.waitFor(/disconnected: .*reconnecting/, 'stderr');
    // Published while no server is listening: the subscriber can only get it by resuming.
    app = await buildApp(config, { logger: silentLogger });
    await publishBreaking('[WS] 속보: 재시작 중 발행');
    await app.start(port, '127.0.0.1');
    await p.waitFor(/\[속보, replayed\] \[WS\] 속보: 재시작 중 발행/);
    expect(await p.exited).toBe(0);
    expect(p.out.stderr).toMatch(/connected to .* \(resuming\)/);
  }, 120_000);
});
