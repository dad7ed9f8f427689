// Hand-written read statements (list pages, article rows, links, search steps) straight to the
// connection pool on PostgreSQL, past Prisma's raw-query path. Through `$queryRawUnsafe` a statement
// returning 20 article rows cost ~0.38 ms of the API's CPU (the client engine's request pipeline, the
// adapter's result set of typed columns, its decoding into objects); through the pool, as below,
// ~0.12 ms (bench/README.md). The rows come back as Prisma returns them: pg's own parsers, except
// `timestamp` (without time zone, as Prisma writes DateTime) read as UTC and `int8` as BigInt.
//
// Each PrismaClient made in src/db/client.ts registers how its statements reach PostgreSQL: the
// primary's pool, or a replica's with the same fallback to the primary as its adapter
// (src/db/replicas.ts), so read routing (src/db/read-routing.ts) picks the runner with the client.
// Any other client (PGlite, a transaction's) keeps `$queryRawUnsafe`. Statements are named per
// connection by the pool (src/db/prepared-statements.ts) and reported to `onQuery` like Prisma's.
import pg from 'pg';
import type { PrismaClient } from '../generated/prisma/client.ts';

type Rows = Record<string, unknown>[];
export type RawRunner = (sql: string, values: unknown[]) => Promise<Rows>;

const runners = new WeakMap<object, RawRunner>();

/** Statements sent past Prisma since start (tests tell them from those Prisma planned). */
export const rawRowStats = { direct: 0 };

/** Statements of `client` read through `runner` from now on. */
export function registerRawRunner(client: object, runner: RawRunner): void {
  runners.set(client, runner);
}

/** The rows of a read statement, through the client's registered runner or else Prisma. */
export function rawRows<T = Record<string, unknown>>(
  prisma: Pick<PrismaClient, '$queryRawUnsafe'>,
  sql: string,
  values: unknown[],
): Promise<T[]> {
  const run = runners.get(prisma);
  return run ? (run(sql, values) as Promise<T[]>) : prisma.$queryRawUnsafe<T[]>(sql, ...values);
}

const TIMESTAMP = 1114;
const TIMESTAMP_ARRAY = 1115;
const INT8 = 20;
const INT8_ARRAY = 1016;

/** `2025-04-25 08:22:20.053` (or with a BC or infinite value, left to pg) as that instant in UTC. */
const utc = (text: string): Date | string => {
  const date = new Date(`${text.replace(' ', 'T')}Z`);
  return Number.isNaN(date.getTime()) ? text : date;
};

const parserOf = pg.types.getTypeParser as (oid: number, format?: 'text' | 'binary') => (text: string) => unknown;
/** pg's parser of `text[]`: the elements as strings (null for NULL). */
const arrayParser = parserOf(1009) as (text: string) => (string | null)[];

/** pg's parsers with Prisma's readings of timestamps and int8 (pg's own: local time and strings). */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === TIMESTAMP) return utc;
    if (oid === INT8) return (text: string) => BigInt(text);
    if (oid === TIMESTAMP_ARRAY) return (text: string) => arrayParser(text).map((t) => (t == null ? t : utc(t)));
    if (oid === INT8_ARRAY) return (text: string) => arrayParser(text).map((t) => (t == null ? t : BigInt(t)));
    return parserOf(oid, format);
  },
};

/** A runner over a pool; `onQuery` is told each statement and its values (a JSON array) as Prisma's log is. */
export function poolRunner(pool: pg.Pool, onQuery?: (sql: string, params: string) => void): RawRunner {
  return async (sql, values) => {
    rawRowStats.direct++;
    onQuery?.(sql, JSON.stringify(values));
    return (await pool.query({ text: sql, values, types } as pg.QueryConfig)).rows;
  };
}
