// `npm run db:seed -- [--articles N] [--seed S] [--demo]`
// Seeds the configured database (DATABASE_URL, or the embedded PGlite in PGLITE_DIR):
// reference data, then N generated articles, deterministically for a given seed, with a progress bar.
// On PostgreSQL the articles are generated in a worker thread and streamed with COPY in one
// transaction (copy.ts); on PGlite they are inserted in batches through Prisma.
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { openDatabase } from '../db/client.ts';
import { type CorpusSpec, corpusArticles } from './corpus.ts';
import { seedIfEmpty, seedReferenceData } from './demo.ts';
import { copyArticles } from './copy.ts';
import { insertArticles, type NewArticle, resetSequences } from './insert.ts';

const BATCH = 1000;
/** From this many articles a COPY load drops and rebuilds the secondary indexes. */
const DEFER_INDEXES_FROM = 20_000;

function progress(done: number, total: number, startedAt: number): string {
  const width = 30;
  const filled = Math.round((done / total) * width);
  const rate = done / Math.max(0.001, (Date.now() - startedAt) / 1000);
  return `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} articles (${Math.round(rate)}/s)`;
}

async function main() {
  const { values } = parseArgs({
    options: {
      articles: { type: 'string', default: '0' },
      seed: { type: 'string', default: '2024' },
      demo: { type: 'boolean', default: true },
    },
  });
  const count = Number(values.articles);
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(count) || count < 0)
    throw new Error(`--articles must be a non-negative integer, got ${values.articles}`);
  if (!Number.isSafeInteger(seed)) throw new Error(`--seed must be an integer, got ${values.seed}`);

  const config = loadConfig();
  const db = await openDatabase(config.database);
  try {
    if (values.demo) {
      const seeded = await seedIfEmpty(db.prisma);
      console.log(seeded ? `Demo data: ${seeded.articles} articles` : 'Demo data already present');
    }
    if (count > 0) {
      const refs = await seedReferenceData(db.prisma);
      const startedAt = Date.now();
      const report = (done: number) => process.stderr.write(progress(done, count, startedAt));
      // A distinct seed from the demo corpus so the two never collide on slugs.
      const corpus: CorpusSpec = { count, refs, seed: seed + 1, slugPrefix: `s${seed}-` };
      if (config.database.kind === 'postgres') {
        let indexingAt = 0;
        await copyArticles(config.database.url, corpus, {
          deferIndexes: count >= DEFER_INDEXES_FROM,
          onProgress: report,
          onIndexing: () => {
            indexingAt = Date.now();
            process.stderr.write(`\nloaded in ${((indexingAt - startedAt) / 1000).toFixed(1)} s; building indexes… `);
          },
        });
        process.stderr.write(`${((Date.now() - indexingAt) / 1000).toFixed(1)} s`);
      } else {
        let batch: NewArticle[] = [];
        let done = 0;
        for (const article of corpusArticles(corpus)) {
          batch.push(article);
          if (batch.length === BATCH) {
            await insertArticles(db.prisma, batch);
            report((done += batch.length));
            batch = [];
          }
        }
        if (batch.length) await insertArticles(db.prisma, batch);
        report((done += batch.length));
      }
      process.stderr.write(`\n${count} articles in ${((Date.now() - startedAt) / 1000).toFixed(1)} s\n`);
      await resetSequences(db.prisma);
    }
  } finally {
    await db.close();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
