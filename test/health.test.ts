// /healthz and /readyz over real HTTP: readiness names what is not ready (migrations, Redis,
// shutdown) with 503, and comes back by itself. The PostgreSQL outage is in test/drills-postgres.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisViewStore } from '../src/views/redis-store.ts';
import { redisSkipReason, startRedis, type RedisServer } from './harness/redis.ts';
import { startTestServer, type TestServer } from './harness/server.ts';

const probe = async (server: TestServer, path: string) => {
  const res = await fetch(server.url.replace('/graphql', path));
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    throw new Error(`${path}: HTTP ${res.status}, not JSON: ${text} ${JSON.stringify([...res.headers])}`);
  }
};

describe('health endpoints', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('pglite');
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('/healthz answers 200 without touching anything external; /readyz checks the database and migrations', async () => {
    expect(await probe(server, '/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await probe(server, '/readyz')).toEqual({
      status: 200,
      body: { status: 'ready', checks: { database: 'ok', migrations: 'ok' } },
    });
  });

  it('/readyz is 503 naming migrations when one this build knows is not applied', async () => {
    const prisma = server.app.db.prisma;
    await prisma.$executeRawUnsafe(
      `UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = (SELECT max(migration_name) FROM "_prisma_migrations")`,
    );
    try {
      const { status, body } = await probe(server, '/readyz');
      expect(status).toBe(503);
      expect(body).toMatchObject({
        status: 'not ready',
        notReady: ['migrations'],
        checks: { database: 'ok', migrations: expect.stringMatching(/^1 of \d+ not applied$/) },
      });
    } finally {
      await prisma.$executeRawUnsafe(`UPDATE "_prisma_migrations" SET rolled_back_at = NULL`);
    }
    expect((await probe(server, '/readyz')).status).toBe(200);
  });
});

describe.skipIf(redisSkipReason())('readiness with Redis', () => {
  let redis: RedisServer;
  let server: TestServer;
  beforeAll(async () => {
    redis = await startRedis();
    server = await startTestServer('pglite', { env: { REDIS_URL: redis.url } });
  });
  afterAll(async () => {
    await server?.stop();
    await redis?.stop();
  });

  it('is 503 naming redis while it is down, ready again once it is back', async () => {
    expect((await probe(server, '/readyz')).body.checks.redis).toBe('ok');
    const down = new Promise<void>((resolve) => {
      const off = server.app.pubsub.onStatus((s) => s.subscribed || (off(), resolve()));
    });
    await redis.kill();
    await down;
    const { status, body } = await probe(server, '/readyz');
    expect(status).toBe(503);
    expect(body.notReady).toEqual(['redis']);
    expect(body.checks.redis).toMatch(/^unreachable/);
    expect((await probe(server, '/healthz')).status).toBe(200);
    await redis.restart();
    await server.app.pubsub.ready(10_000);
    await (server.app.services.views.store as RedisViewStore).ready(10_000);
    expect((await probe(server, '/readyz')).status).toBe(200);
  });

  it('is 503 naming shutdown from the moment shutdown begins', async () => {
    const stopped = server.app.stop();
    const res = await server.app.yoga.fetch('http://localhost/readyz');
    const body = await res.json();
    expect(res.status).toBe(503);
    expect(body.notReady).toContain('shutdown');
    await stopped;
  });
});
