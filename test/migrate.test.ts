// Migrations: applied once, recorded the way Prisma records them, safe with instances starting together.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { PGlite } from '@electric-sql/pglite';
import { btree_gin } from '@electric-sql/pglite/contrib/btree_gin';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { migrate, readMigrations, type SqlSession } from '../src/db/migrate.ts';
import type { PrismaClient } from '../src/generated/prisma/client.ts';
import { backfillSearchTokens } from '../src/search/backfill.ts';
import { backends, createPostgresDatabase } from './harness/server.ts';

async function session(
  backend: 'pglite' | 'postgres',
): Promise<{ db: SqlSession; url?: string; close(): Promise<void> }> {
  if (backend === 'pglite') {
    const lite = await PGlite.create(undefined, { extensions: { btree_gin, pg_trgm } });
    return {
      db: {
        query: async (sql, params) => (await lite.query(sql, params)).rows as never[],
        exec: async (sql) => void (await lite.exec(sql)),
      },
      close: () => lite.close(),
    };
  }
  const url = await createPostgresDatabase();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    url,
    db: {
      query: async (sql, params) => (await client.query(sql, params)).rows,
      exec: async (sql) => void (await client.query(sql)),
    },
    close: () => client.end(),
  };
}

/** Applies the migrations before `name`; returns every migration and that one's index. */
async function migrateUpTo(db: SqlSession, name: string) {
  const all = await readMigrations();
  const index = all.findIndex((m) => m.name === name);
  await migrate(db, all.slice(0, index));
  return { all, index };
}

describe.each(backends())('migrations on %s', (backend) => {
  it('apply every migration once, with Prisma-compatible checksums', async () => {
    const { db, close } = await session(backend);
    try {
      const all = await readMigrations();
      expect(await migrate(db)).toEqual(all.map((m) => m.name));
      expect(await migrate(db)).toEqual([]);
      const rows = await db.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
        'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" ORDER BY migration_name',
      );
      expect(rows.map((r) => r.migration_name)).toEqual(all.map((m) => m.name));
      for (const [i, r] of rows.entries()) {
        expect(r.checksum).toBe(createHash('sha256').update(all[i]!.sql).digest('hex'));
        expect(r.finished_at).not.toBeNull();
      }
      const ext = await db.query<{ extname: string }>(
        `SELECT extname FROM pg_extension WHERE extname IN ('btree_gin', 'pg_trgm') ORDER BY extname`,
      );
      expect(ext.map((e) => e.extname)).toEqual(['btree_gin', 'pg_trgm']);
    } finally {
      await close();
    }
  });

  it('applies the search index migration over the index an operator built beforehand (README, Production)', async () => {
    const { db, close } = await session(backend);
    try {
      const { all, index: last } = await migrateUpTo(db, '20261207020000_search_tokens_by_time');
      // What the README gives operators of a large archive (CONCURRENTLY is PostgreSQL's; same index).
      // Two statements: CONCURRENTLY cannot run in the implicit transaction of a multi-statement query.
      await db.exec('CREATE EXTENSION IF NOT EXISTS btree_gin');
      await db.exec(`CREATE INDEX ${backend === 'postgres' ? 'CONCURRENTLY ' : ''}IF NOT EXISTS
        "Article_publishedAt_searchTokens_idx" ON "Article" USING GIN ("publishedAt", "searchTokens")`);
      expect(await migrate(db, all.slice(0, last + 1))).toEqual(['20261207020000_search_tokens_by_time']);
      const indexes = await db.query<{ indexname: string }>(
        `SELECT indexname FROM pg_indexes WHERE tablename = 'Article' AND indexdef LIKE '%USING gin%' ORDER BY indexname`,
      );
      expect(indexes.map((i) => i.indexname)).toEqual(['Article_publishedAt_searchTokens_idx']);
    } finally {
      await close();
    }
  });

  it('gives articles written before search facets their facets: tokenised rows in the migration, the rest in the backfill', async () => {
    const { db, close } = await session(backend);
    try {
      const { all } = await migrateUpTo(db, '20261207130000_search_facets');
      await db.exec(`INSERT INTO "Section" (id, slug, name, "updatedAt") VALUES (7, 's', 'S', now());
        INSERT INTO "Reporter" (id, slug, name, "updatedAt") VALUES (3, 'r3', 'R3', now()), (5, 'r5', 'R5', now());
        INSERT INTO "Tag" (id, slug, name) VALUES (9, 't', 'T');
        INSERT INTO "Article" (id, slug, headline, "searchText", "searchTokens", "sectionId", "updatedAt")
          VALUES (1, 'a', '서울', '서울', '{서,서울,울}', 7, now()), (2, 'b', 'Yin', 'Yin', '{}', 7, now());
        INSERT INTO "ArticleReporter" ("articleId", "reporterId", position) VALUES (1, 5, 0), (1, 3, 1), (2, 3, 0);
        INSERT INTO "ArticleTag" ("articleId", "tagId") VALUES (1, 9);`);
      await migrate(db, all);
      const tokens = async () =>
        (await db.query<{ searchTokens: string[] }>(`SELECT "searchTokens" FROM "Article" ORDER BY id`)).map(
          (r) => r.searchTokens,
        );
      expect(await tokens()).toEqual([['서', '서울', '울', 'section:7', 'reporter:5', 'reporter:3', 'tag:9'], []]);
      // The start-up backfill (src/search/backfill.ts) through the same SQL session.
      const prisma = {
        $queryRawUnsafe: (sql: string, ...params: unknown[]) => db.query(sql, params),
        $executeRawUnsafe: (sql: string, ...params: unknown[]) => db.query(sql, params),
      } as unknown as PrismaClient;
      expect(await backfillSearchTokens(prisma)).toBe(1);
      expect((await tokens())[1]).toEqual(['yin', 'section:7', 'reporter:3']);
    } finally {
      await close();
    }
  });

  it('refuses a migration edited after it was applied, and rolls back a failing one', async () => {
    const { db, close } = await session(backend);
    try {
      const all = await readMigrations();
      await migrate(db, all);
      const edited = all.map((m, i) => (i === 0 ? { ...m, checksum: 'x'.repeat(64) } : m));
      await expect(migrate(db, edited)).rejects.toThrow(/edited after it was applied/);
      const broken = [
        ...all,
        {
          name: '99999999999999_broken',
          sql: 'CREATE TABLE "Half" (id int); SELECT * FROM no_such_table;',
          checksum: 'b'.repeat(64),
        },
      ];
      await expect(migrate(db, broken)).rejects.toThrow(/99999999999999_broken failed/);
      const half = await db.query(`SELECT to_regclass('"Half"') AS t`);
      expect(half[0]).toEqual({ t: null });
    } finally {
      await close();
    }
  });

  if (backend === 'postgres') {
    it('several instances migrating at once apply each migration exactly once', async () => {
      const first = await session('postgres');
      const others = await Promise.all(
        Array.from({ length: 4 }, async () => {
          const client = new pg.Client({ connectionString: first.url });
          await client.connect();
          return client;
        }),
      );
      try {
        const results = await Promise.all([
          migrate(first.db),
          ...others.map((c) =>
            migrate({ query: async (s, p) => (await c.query(s, p)).rows, exec: async (s) => void (await c.query(s)) }),
          ),
        ]);
        const all = await readMigrations();
        expect(results.flat().sort()).toEqual(all.map((m) => m.name).sort());
        const rows = await first.db.query('SELECT count(*)::int AS n FROM "_prisma_migrations"');
        expect(rows[0]).toEqual({ n: all.length });
      } finally {
        await Promise.all(others.map((c) => c.end()));
        await first.close();
      }
    });

    it('`prisma migrate status` agrees that the database is up to date', async () => {
      const { db, url, close } = await session('postgres');
      try {
        await migrate(db);
      } finally {
        await close();
      }
      const out = execFileSync('npx', ['prisma', 'migrate', 'status', '--config', 'prisma/prisma.config.ts'], {
        env: { ...process.env, DATABASE_URL: url },
        encoding: 'utf8',
      });
      expect(out).toMatch(/Database schema is up to date/);
    });
  }
});
