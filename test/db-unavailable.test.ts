// What counts as "the database is unavailable" (src/db/unavailable.ts) and how it is answered: the
// pool's timeouts against a real PostgreSQL (statement timeout, waiting for a connection), and the
// error classes Prisma and pg raise, each mapped by maskError to SERVICE_UNAVAILABLE/503 or left alone.
import { GraphQLError } from 'graphql';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/db/client.ts';
import { unavailableReason } from '../src/db/unavailable.ts';
import { maskError } from '../src/errors.ts';
import { Prisma } from '../src/generated/prisma/client.ts';
import { createPostgresDatabase } from './harness/server.ts';
import { inject } from 'vitest';

const known = (code: string) =>
  new Prisma.PrismaClientKnownRequestError('\nInvalid `prisma.article.findMany()` invocation:\n\n\nsomething', {
    code,
    clientVersion: '6.19',
  });

describe('database unavailable: error shapes', () => {
  it.each([
    ['P1001 (cannot reach the server)', known('P1001'), 'P1001'],
    ['P2024 (pool timeout)', known('P2024'), 'P2024'],
    ['P1017 (server closed the connection)', known('P1017'), 'P1017'],
    [
      'a refused socket',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
        code: 'ECONNREFUSED',
        syscall: 'connect',
        errno: -111,
      }),
      'ECONNREFUSED',
    ],
    [
      'admin shutdown (57P01)',
      new pg.DatabaseError('terminating connection due to administrator command', 0, 'error'),
      null,
    ],
    ['pg: connection terminated', new Error('Connection terminated unexpectedly'), 'Connection terminated'],
    [
      'pg-pool: no free connection in time',
      new Error('timeout exceeded when trying to connect'),
      'timeout exceeded when trying to connect',
    ],
    ['pg: no answer within query_timeout', new Error('Query read timeout'), 'Query read timeout'],
    ['a unique violation (P2002)', known('P2002'), null],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'id')"), null],
  ])('%s', (_name, error, reason) => {
    if (error instanceof pg.DatabaseError) {
      // The code is set on the instance by pg's parser.
      expect(unavailableReason(error)).toBeNull();
      error.code = '57P01';
      reason = 'SQLSTATE 57P01';
    }
    expect(unavailableReason(error)).toBe(reason);
    // Wrapped the way graphql-js hands resolver errors to maskError.
    const masked = maskError(
      new GraphQLError('x', { originalError: error as Error, path: ['articles'] }),
      'Unexpected error.',
    ) as GraphQLError;
    if (reason) {
      expect(masked.message).toBe('The database is unavailable; retry shortly.');
      expect(masked.extensions).toEqual({
        code: 'SERVICE_UNAVAILABLE',
        http: { status: 503, headers: { 'Retry-After': '2' } },
      });
      expect(masked.path).toEqual(['articles']);
      // Masking it again (Yoga does, for results that pass through twice) keeps it as it is.
      expect(maskError(masked, 'Unexpected error.')).toBe(masked);
    } else {
      expect(masked.extensions.code).not.toBe('SERVICE_UNAVAILABLE');
    }
  });
});

describe.skipIf(!inject('postgresUrl'))('database unavailable: the pool fails fast (real PostgreSQL)', () => {
  let db: Database;
  beforeAll(async () => {
    const url = await createPostgresDatabase('seeded');
    db = await openDatabase({ kind: 'postgres', url, poolSize: 1, connectTimeoutMs: 300, statementTimeoutMs: 300 });
  });
  afterAll(async () => {
    await db?.close();
  });

  it('a statement over DATABASE_STATEMENT_TIMEOUT_MS is cancelled by PostgreSQL (57014) and counts as unavailable', async () => {
    const error = await db.prisma.$queryRawUnsafe('SELECT pg_sleep(2)').catch((e: unknown) => e);
    expect(unavailableReason(error)).toBe('SQLSTATE 57014');
    // The connection is fine afterwards.
    expect(await db.prisma.article.count()).toBeGreaterThan(0);
  });

  it('waiting longer than DATABASE_CONNECT_TIMEOUT_MS for a free connection counts as unavailable', async () => {
    // The only connection is held by an open transaction.
    let release!: () => void;
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const inside = new Promise<void>((resolve) => (holding = resolve));
    const transaction = db.prisma.$transaction(async (tx) => {
      await tx.$queryRawUnsafe('SELECT 1');
      holding();
      await held;
    });
    await inside;
    try {
      const error = await db.prisma.article.count().catch((e: unknown) => e);
      expect(unavailableReason(error)).not.toBeNull();
    } finally {
      release();
      await transaction;
    }
    expect(await db.prisma.article.count()).toBeGreaterThan(0);
  });
});
