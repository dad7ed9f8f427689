// Prisma client factory: embedded PGlite (no DATABASE_URL) or PostgreSQL through adapter-pg.
// Migrations are applied here, before the client is handed out.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { btree_gin } from '@electric-sql/pglite/contrib/btree_gin';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import type { Config } from '../config.ts';
import { PrismaClient } from '../generated/prisma/client.ts';
import { backfillSearchTokens } from '../search/backfill.ts';
import { startBodyTextBackfill } from '../articles/derived-backfill.ts';
import { migrate, type SqlSession } from './migrate.ts';
import { type PlanCacheMode, planCacheOptions } from './plan-cache.ts';
import { applicationPool, type PoolOptions } from './prepared-statements.ts';
import { poolRunner, registerRawRunner } from './raw-rows.ts';
import { ReadReplicas, Replica, readOnReplica, replicaAdapter, watchReplicas } from './replicas.ts';

export interface Database {
  prisma: PrismaClient;
  kind: Config['database']['kind'];
  /** The embedded engine when `kind` is 'pglite' (e.g. for `dumpDataDir()`). */
  pglite?: PGlite;
  /** The application's connection pool when `kind` is 'postgres' (metrics: in use, waiting). */
  pool?: pg.Pool;
  /** Clients of the read replicas (DATABASE_REPLICA_URLS) for anonymous reads; none = the primary reads. */
  replicas: ReadReplicas<PrismaClient>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /**
   * Called with every SQL statement Prisma sends and its parameters as a JSON array (tests pin
   * statement counts and EXPLAIN the statements with it).
   */
  onQuery?: (sql: string, params: string) => void;
  /** How often read replicas are probed (default 2 s). */
  replicaCheckMs?: number;
  /** Query plans cached per request shape (src/db/plan-cache.ts); unset keeps the process's mode ('on' at start). */
  planCache?: PlanCacheMode;
  /** Told when the background fill of stored excerpts ends (an error is retried at the next start). */
  onBackfillDone?: (error: unknown, filled: number) => void;
}

function pgliteSession(db: PGlite): SqlSession {
  return {
    query: async (sql, params) => (await db.query(sql, params)).rows as never[],
    exec: async (sql) => void (await db.exec(sql)),
  };
}

async function migratePostgres(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await migrate({
      query: async (sql, params) => (await client.query(sql, params)).rows,
      exec: async (sql) => void (await client.query(sql)),
    });
  } finally {
    await client.end();
  }
}

function newClient(adapter: PrismaPg, options: DatabaseOptions): PrismaClient {
  const planCache = planCacheOptions(options.planCache);
  if (!options.onQuery) return new PrismaClient({ adapter, ...planCache });
  const prisma = new PrismaClient({ adapter, ...planCache, log: [{ emit: 'event', level: 'query' }] });
  const onQuery = options.onQuery;
  prisma.$on('query', (e) => onQuery(e.query, e.params));
  return prisma;
}

export async function openDatabase(config: Config['database'], options: DatabaseOptions = {}): Promise<Database> {
  if (config.kind === 'pglite') {
    // A snapshot only fills an empty data directory (PGlite refuses to load one over a database).
    const empty = config.dir === undefined || !existsSync(path.join(config.dir, 'PG_VERSION'));
    const loadDataDir = empty ? config.snapshot : undefined;
    const pglite = await PGlite.create(config.dir, {
      extensions: { btree_gin, pg_trgm },
      ...(loadDataDir ? { loadDataDir } : {}),
    });
    try {
      await migrate(pgliteSession(pglite));
    } catch (error) {
      await pglite.close();
      throw error;
    }
    // pglite-prisma-adapter bundles its own copy of the adapter types; the shapes are the same.
    const prisma = newClient(new PrismaPGlite(pglite) as never, options);
    await backfillSearchTokens(prisma);
    const backfill = startBodyTextBackfill(prisma, options.onBackfillDone ?? (() => {}));
    return {
      prisma,
      kind: 'pglite',
      pglite,
      replicas: new ReadReplicas([], prisma),
      async close() {
        await backfill.stop();
        await prisma.$disconnect();
        if (!pglite.closed) await pglite.close();
      },
    };
  }
  await migratePostgres(config.url);
  const poolOptions: PoolOptions = {
    size: config.poolSize ?? 10,
    prepared: config.preparedStatements ?? true,
    connectTimeoutMs: config.connectTimeoutMs,
    statementTimeoutMs: config.statementTimeoutMs,
  };
  const pool = applicationPool(config.url, poolOptions);
  const prisma = newClient(new PrismaPg(pool, { disposeExternalPool: true }), options);
  const onPrimary = poolRunner(pool, options.onQuery);
  registerRawRunner(prisma, onPrimary);
  await backfillSearchTokens(prisma);
  const backfill = startBodyTextBackfill(prisma, options.onBackfillDone ?? (() => {}));
  // Each replica: its own pool and client; migrations and backfills reach it by replication.
  const replicas = (config.replicaUrls ?? []).map((url) => {
    const replica = new Replica(url, applicationPool(url, poolOptions));
    const client = newClient(replicaAdapter(replica, pool), options);
    const onReplica = poolRunner(replica.pool, options.onQuery);
    registerRawRunner(client, (sql, values) =>
      readOnReplica(
        replica,
        () => onReplica(sql, values),
        () => onPrimary(sql, values),
      ),
    );
    return { replica, client };
  });
  await Promise.all(replicas.map((r) => r.replica.probe()));
  const stopWatching = watchReplicas(
    replicas.map((r) => r.replica),
    options.replicaCheckMs ?? 2_000,
  );
  return {
    prisma,
    kind: 'postgres',
    pool,
    replicas: new ReadReplicas(replicas, prisma, pool),
    async close() {
      await backfill.stop();
      stopWatching();
      // Replica clients first: their adapters borrow the primary's pool.
      await Promise.all(replicas.map((r) => r.client.$disconnect()));
      await prisma.$disconnect();
    },
  };
}
