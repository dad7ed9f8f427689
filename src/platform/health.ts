// /healthz: the process answers (liveness; nothing external is checked, so a database outage never
// gets every instance restarted). /readyz: this instance can serve (readiness): PostgreSQL answers,
// every migration this build knows is applied, Redis is reachable when configured, and the instance
// is not shutting down. 503 names what is not ready, so a load balancer stops sending and a person
// reading the probe sees why. A Yoga plugin answering in onRequest, like Yoga's own health check.
// Read replicas are reported (`replicas`) but never make the instance unready: while one is down its
// reads go to the primary (src/db/replicas.ts).
import type { Plugin } from 'graphql-yoga';
import type { ReplicaStatus } from '../db/replicas.ts';
import { unavailableReason } from '../db/unavailable.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';

export type CheckResult = 'ok' | string;

export interface ReadinessSources {
  prisma: PrismaClient;
  /** Names of the migrations this build ships (all must be recorded as applied). */
  migrations: readonly string[];
  /** Redis reachability, when configured: null when there is no Redis. */
  redis: (() => CheckResult) | null;
  /** True from the moment shutdown begins. */
  stopping: () => boolean;
  /** Longest a database check may take before it counts as failed (default 2 s). */
  timeoutMs?: number;
  /** The read replicas' state, when there are any (reported, not a readiness condition). */
  replicas?: () => ReplicaStatus[];
}

export interface Readiness {
  ready: boolean;
  checks: Record<string, CheckResult>;
  /** Each replica: 'ok', or 'down (…): reads on the primary'. Absent without replicas. */
  replicas?: Record<string, string>;
}

/** A database error in one line: its outage reason (P1001, SQLSTATE 57P01 …) or its first line of text. */
function describe(error: unknown): string {
  const reason = unavailableReason(error);
  if (reason) return reason;
  const lines = String((error as Error)?.message ?? error)
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return (lines.at(-1) ?? 'error').slice(0, 200);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Readiness, one database round trip per check; concurrent probes share one check. */
export function readinessCheck(sources: ReadinessSources): () => Promise<Readiness> {
  let running: Promise<Readiness> | null = null;
  const run = async (): Promise<Readiness> => {
    const checks: Record<string, CheckResult> = {};
    try {
      const [row] = await withTimeout(
        sources.prisma.$queryRawUnsafe<{ applied: number }[]>(
          `SELECT count(DISTINCT migration_name)::int AS applied FROM "_prisma_migrations"
            WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL AND migration_name = ANY($1::text[])`,
          [...sources.migrations],
        ),
        sources.timeoutMs ?? 2_000,
      );
      checks.database = 'ok';
      const missing = sources.migrations.length - (row?.applied ?? 0);
      checks.migrations = missing === 0 ? 'ok' : `${missing} of ${sources.migrations.length} not applied`;
    } catch (error) {
      checks.database = `unreachable: ${describe(error)}`;
      checks.migrations = 'unknown';
    }
    if (sources.redis) checks.redis = sources.redis();
    if (sources.stopping()) checks.shutdown = 'shutting down';
    const ready = Object.values(checks).every((c) => c === 'ok');
    const replicas = sources.replicas?.();
    if (!replicas?.length) return { ready, checks };
    return {
      ready,
      checks,
      replicas: Object.fromEntries(
        replicas.map((r) => [r.name, r.up ? 'ok' : `down (${r.reason}): reads on the primary`]),
      ),
    };
  };
  return () => (running ??= run().finally(() => (running = null)));
}

export function useHealthEndpoints(
  readiness: () => Promise<Readiness>,
  paths = { live: '/healthz', ready: '/readyz' },
): Plugin {
  // A fresh headers object per response: the Response constructor adds content-length to it.
  const json = () => ({ 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  return {
    async onRequest({ url, endResponse, fetchAPI }) {
      if (url.pathname === paths.live) {
        return endResponse(new fetchAPI.Response('{"status":"ok"}', { status: 200, headers: json() }));
      }
      if (url.pathname !== paths.ready) return;
      const { ready, checks, replicas } = await readiness();
      const notReady = Object.entries(checks)
        .filter(([, c]) => c !== 'ok')
        .map(([name]) => name);
      const body = {
        ...(ready ? { status: 'ready' } : { status: 'not ready', notReady }),
        checks,
        ...(replicas ? { replicas } : {}),
      };
      endResponse(new fetchAPI.Response(JSON.stringify(body), { status: ready ? 200 : 503, headers: json() }));
    },
  };
}
