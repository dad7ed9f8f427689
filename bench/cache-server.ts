// The API under `npm run bench:cache`, as a child process: the demo data on DATABASE_URL (else PGlite
// in memory), the in-process response cache, and a local purge receiver as CDN_PURGE_URL. Reports its
// port over IPC and answers `{ stats: true }` (fast path hits, 304s and misses; response-store hits
// and misses) and `{ publish: n }` (n publications, each timed from the publishArticle call to its
// purge request leaving the server).
import { createServer } from 'node:http';
import { buildApp } from '../src/app.ts';
import { createDraft } from '../src/articles/editing.ts';
import { publishArticle } from '../src/articles/publishing.ts';
import { loadConfig } from '../src/config.ts';
import { silentLogger } from '../src/platform/logger.ts';
import { encodeGlobalId } from '../src/relay/global-id.ts';

const receiver = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200).end('{}'));
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const purgeUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/purge`;

const database = process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : { PGLITE_DIR: 'memory' };
const config = loadConfig({
  ...database,
  SEED_DEMO: 'true',
  DEMO_VIEWS: 'false',
  GRAPHIQL: 'false',
  PUBLISH_SCHEDULER_MS: '0',
  CDN_PURGE_URL: purgeUrl,
  LOG_LEVEL: 'silent',
});
const app = await buildApp(config, { logger: silentLogger });
const port = await app.start(0, '127.0.0.1');

let hits = 0;
let misses = 0;
const store = app.caching.store;
const get = store.get.bind(store);
store.get = async (id: string) => {
  const found = await get(id);
  if (found) hits++;
  else misses++;
  return found;
};

async function publishLatencies(n: number): Promise<number[]> {
  const section = await app.db.prisma.section.findFirstOrThrow({ select: { id: true } });
  const reporter = await app.db.prisma.reporter.findFirstOrThrow({ select: { id: true } });
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const id = await createDraft(
      app.services,
      {
        headline: `캐시 퍼지 측정 ${i}`,
        sectionId: encodeGlobalId('Section', section.id),
        reporterIds: [encodeGlobalId('Reporter', reporter.id)],
        body: [{ type: 'PARAGRAPH', text: '본문.' }],
      },
      { reporterId: reporter.id },
    );
    const gid = encodeGlobalId('Article', id);
    const sent = new Promise<number>((resolve) => {
      app.caching.outbox.onSent = (keys) => {
        if (keys.includes(gid)) resolve(performance.now());
      };
    });
    const start = performance.now();
    await publishArticle(app.services, id);
    out.push((await sent) - start);
    await new Promise((r) => setTimeout(r, 20));
  }
  app.caching.outbox.onSent = null;
  return out;
}

async function fastPathCounts(): Promise<Record<string, number>> {
  const metric = await app.metrics.registry.getSingleMetric('response_cache_fast_path_total')?.get();
  return Object.fromEntries((metric?.values ?? []).map((v) => [String(v.labels.result), v.value]));
}

process.on('message', (m: { stats?: boolean; publish?: number }) => {
  if (m.stats) void fastPathCounts().then((fast) => process.send?.({ stats: { fast, hits, misses } }));
  if (m.publish) void publishLatencies(m.publish).then((latencies) => process.send?.({ latencies }));
});
process.on('SIGTERM', () => void app.stop().then(() => process.exit(0)));
process.send?.({ ready: port });
