// `npm run db:seed -- [--articles N] [--seed S] [--demo]`
// Seeds the configured database (DATABASE_URL, or the embedded PGlite in PGLITE_DIR):
// reference data, then N generated articles, deterministically for a given seed, with a progress bar.
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { openDatabase } from '../db/client.ts';
import { generateArticles } from './corpus.ts';
import { seedIfEmpty, seedReferenceData } from './demo.ts';
import { insertArticles, resetSequences } from './insert.ts';

const BATCH = 1000;

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
  if (!Number.isSafeInteger(count) || count < 0) throw new Error(`--articles must be a non-negative integer, got ${values.articles}`);
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
      let batch = [];
      let done = 0;
      // A distinct seed from the demo corpus so the two never collide on slugs.
      for (const article of generateArticles(count, refs, seed + 1)) {
        batch.push({ ...article, slug: `s${seed}-${article.slug}` });
        if (batch.length === BATCH) {
          await insertArticles(db.prisma, batch);
          done += batch.length;
          batch = [];
          process.stderr.write(progress(done, count, startedAt));
        }
      }
      if (batch.length) await insertArticles(db.prisma, batch);
      done += batch.length;
      process.stderr.write(`${progress(done, count, startedAt)}\n`);
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
