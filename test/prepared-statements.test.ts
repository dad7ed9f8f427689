// The app's PostgreSQL pool names Prisma's parameterised statements, so each connection parses them
// once and later requests only bind and execute; switched off, nothing is prepared.
import { PrismaPg } from '@prisma/adapter-pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/client.ts';
import { applicationPool } from '../src/db/prepared-statements.ts';
import { PrismaClient } from '../src/generated/prisma/client.ts';
import { backends, createPostgresDatabase } from './harness/server.ts';

describe.skipIf(!backends().includes('postgres'))('prepared statements on PostgreSQL', () => {
  let url: string;

  beforeAll(async () => {
    url = await createPostgresDatabase();
    const db = await openDatabase(loadConfig({ DATABASE_URL: url, SEED_DEMO: 'false' }).database);
    await db.prisma.section.create({ data: { slug: 'politics', name: '정치' } });
    await db.close();
  });

  async function preparedAfterQueries(prepared: boolean) {
    // One connection, so the session that prepared is the one asked.
    const pool = applicationPool(url, { size: 1, prepared });
    const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
    try {
      const results = [];
      for (const slug of ['politics', 'economy', 'politics'])
        results.push(await prisma.section.findUnique({ where: { slug }, select: { name: true } }));
      const { rows } = await pool.query<{ name: string; statement: string }>(
        'SELECT name, statement FROM pg_prepared_statements',
      );
      return { results, rows };
    } finally {
      await prisma.$disconnect();
      await pool.end();
    }
  }

  it('prepares each statement once per connection and answers as before', async () => {
    const { results, rows } = await preparedAfterQueries(true);
    expect(results).toEqual([{ name: '정치' }, null, { name: '정치' }]);
    const sections = rows.filter((r) => r.statement.includes('"Section"'));
    expect(sections).toHaveLength(1);
    expect(sections[0]!.name).toMatch(/^p\d+$/);
    // The unparameterised catalogue query itself is not named.
    expect(rows.some((r) => r.statement.includes('pg_prepared_statements'))).toBe(false);
  });

  it('switches off JIT compilation on its connections', async () => {
    const pool = applicationPool(url, { size: 1, prepared: true });
    try {
      expect((await pool.query<{ jit: string }>('SHOW jit')).rows[0]!.jit).toBe('off');
    } finally {
      await pool.end();
    }
  });

  it('prepares nothing when switched off', async () => {
    const { results, rows } = await preparedAfterQueries(false);
    expect(results).toEqual([{ name: '정치' }, null, { name: '정치' }]);
    expect(rows).toEqual([]);
  });

  it('is configured from the environment', () => {
    expect(loadConfig({ DATABASE_URL: url }).database).toMatchObject({ poolSize: 10, preparedStatements: true });
    expect(
      loadConfig({ DATABASE_URL: url, DATABASE_POOL_SIZE: '24', DATABASE_PREPARED_STATEMENTS: 'false' }).database,
    ).toMatchObject({ poolSize: 24, preparedStatements: false });
    expect(() => loadConfig({ DATABASE_URL: url, DATABASE_POOL_SIZE: '0' })).toThrow(/DATABASE_POOL_SIZE/);
  });
});
