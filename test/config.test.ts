import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';

describe('configuration', () => {
  it('needs nothing: embedded PGlite in ./data with demo data and in-process pub/sub', () => {
    const config = loadConfig({});
    expect(config.database).toEqual({ kind: 'pglite', dir: `${process.cwd()}/data` });
    expect(config).toMatchObject({ port: 4000, seedDemo: true, redisUrl: undefined, graphiql: true, maxPageSize: 100 });
  });

  it('uses PostgreSQL and Redis when their URLs are set, without seeding demo data', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgresql://u:p@db:5432/news',
      REDIS_URL: 'rediss://:pw@cache:6380/2',
    });
    expect(config.database).toEqual({
      kind: 'postgres',
      url: 'postgresql://u:p@db:5432/news',
      poolSize: 10,
      preparedStatements: true,
      connectTimeoutMs: 3_000,
      statementTimeoutMs: 5_000,
      replicaUrls: [],
    });
    expect(config.redisUrl).toBe('rediss://:pw@cache:6380/2');
    expect(config.seedDemo).toBe(false);
  });

  it('reads replicas as a comma-separated list of PostgreSQL URLs', () => {
    const env = {
      DATABASE_URL: 'postgresql://db/news',
      DATABASE_REPLICA_URLS: ' postgresql://r1/news, postgres://r2:5433/news ,',
    };
    expect(loadConfig(env).database).toMatchObject({
      replicaUrls: ['postgresql://r1/news', 'postgres://r2:5433/news'],
    });
    expect(() => loadConfig({ ...env, DATABASE_REPLICA_URLS: 'postgresql://r1/news,mysql://r2' })).toThrow(
      /DATABASE_REPLICA_URLS[\s\S]*postgres/,
    );
    expect(() => loadConfig({ DATABASE_REPLICA_URLS: 'postgresql://r1/news' })).toThrow(
      /DATABASE_REPLICA_URLS: needs DATABASE_URL/,
    );
  });

  it('explains every invalid setting at once', () => {
    expect(() => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', REDIS_URL: 'localhost:6379' })).toThrow(
      /PORT[\s\S]*DATABASE_URL: must be a postgres[\s\S]*REDIS_URL: must be a redis/,
    );
  });

  it('keeps the embedded database in memory with PGLITE_DIR=memory', () => {
    expect(loadConfig({ PGLITE_DIR: 'memory' }).database).toEqual({ kind: 'pglite', dir: undefined });
  });
});

describe('.env.example', () => {
  it('lists every variable the server reads, each with a valid value', async () => {
    const { readFileSync } = await import('node:fs');
    const { ENV_VARIABLES } = await import('../src/config.ts');
    const text = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
    const listed = [...text.matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]);
    expect([...listed].sort()).toEqual([...ENV_VARIABLES].sort());
    // The uncommented values, as a shell would read them, parse.
    const env = Object.fromEntries(
      [...text.matchAll(/^([A-Z][A-Z0-9_]+)=("[^"]*"|\S*)/gm)].map((m) => [m[1], m[2]!.replace(/^"|"$/g, '')]),
    );
    expect(() => loadConfig(env)).not.toThrow();
  });
});
