// Read replicas (DATABASE_REPLICA_URLS): one PrismaClient per streaming replica, each over its own
// pool, for anonymous reads only (src/db/read-routing.ts decides who reads where). Everything that
// writes or must see its own writes stays on the primary client: mutations, newsroom requests (which
// include previews), subscriptions and the live hub's event loads, and every background worker (view
// flusher, publication scheduler, purge outbox, countable-article directory).
//
// A replica never makes a request fail or wait: its client's driver adapter sends each statement to
// the replica while it is healthy and to the primary otherwise; a statement the replica cannot answer
// (unreachable, shutting down, a conflict with recovery) is sent again to the primary and, for an
// outage, the replica leaves the rotation at once. A probe every `checkMs` brings it back when it
// answers again (and reports it for /readyz and /metrics). Transactions on a replica client go to
// the primary.
//
// Not @prisma/extension-read-replicas: it routes per Prisma call, not per request (one page could mix
// replicas), sends raw SQL (our keyset pages and search) to the primary, has no fallback for a replica
// that is down, and its current version (0.5) requires Prisma 7.
import { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';
import { unavailableReason } from './unavailable.ts';

type Adapter = Awaited<ReturnType<PrismaPg['connect']>>;
type Query = Parameters<Adapter['queryRaw']>[0];

export interface ReplicaStatus {
  /** host:port/database, never credentials. */
  name: string;
  up: boolean;
  /** Why it is out of rotation (when not up). */
  reason?: string;
  /** Statements the primary answered instead, since start. */
  fallbacks: number;
}

/** Where a replica's URL points, without user or password. */
export function replicaName(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
}

export class Replica {
  up = true;
  reason: string | undefined;
  fallbacks = 0;
  readonly name: string;

  constructor(
    url: string,
    readonly pool: pg.Pool,
  ) {
    this.name = replicaName(url);
  }

  down(reason: string): void {
    this.up = false;
    this.reason = reason;
  }

  status(): ReplicaStatus {
    return { name: this.name, up: this.up, ...(this.up ? {} : { reason: this.reason }), fallbacks: this.fallbacks };
  }

  /** One round trip (SELECT 1 on the replica's pool, within its connect and statement timeouts). */
  async probe(): Promise<void> {
    try {
      await this.pool.query('SELECT 1');
      this.up = true;
      this.reason = undefined;
    } catch (error) {
      this.down(unavailableReason(error) ?? (error as Error).message.split('\n')[0]!.slice(0, 200));
    }
  }
}

// SQLSTATE 40001 on a standby: "canceling statement due to conflict with recovery". The replica is
// fine; the statement is simply answered by the primary.
const isRecoveryConflict = (error: unknown): boolean => {
  const e = error as { code?: unknown; cause?: { kind?: string; code?: string } } | null;
  const cause = e?.cause;
  return (
    e?.code === '40001' ||
    cause?.kind === 'TransactionWriteConflict' ||
    (cause?.kind === 'postgres' && cause.code === '40001')
  );
};

/**
 * A read on the replica while it is up; on the primary when it is down, or when the replica cannot
 * answer (an outage takes it out of rotation; a recovery conflict only sends this read on).
 */
export async function readOnReplica<T>(
  replica: Replica,
  onReplica: () => Promise<T>,
  onPrimary: () => Promise<T>,
): Promise<T> {
  if (!replica.up) return onPrimary();
  try {
    return await onReplica();
  } catch (error) {
    const outage = unavailableReason(error);
    if (outage === null && !isRecoveryConflict(error)) throw error;
    if (outage !== null) replica.down(outage);
    replica.fallbacks++;
    return onPrimary();
  }
}

/**
 * A driver adapter factory for a replica's PrismaClient: statements go to the replica while it is up,
 * to the primary when it is down or cannot answer one; transactions and scripts go to the primary.
 */
export function replicaAdapter(replica: Replica, primaryPool: pg.Pool): PrismaPg {
  const replicaFactory = new PrismaPg(replica.pool, { disposeExternalPool: true });
  // The primary's pool is the app's: this adapter borrows it and never ends it.
  const primaryFactory = new PrismaPg(primaryPool);
  const factory = {
    provider: replicaFactory.provider,
    adapterName: replicaFactory.adapterName,
    async connect(): Promise<Adapter> {
      const [onReplica, onPrimary] = await Promise.all([replicaFactory.connect(), primaryFactory.connect()]);
      const route = <T>(run: (adapter: Adapter) => Promise<T>): Promise<T> =>
        readOnReplica(
          replica,
          () => run(onReplica),
          () => run(onPrimary),
        );
      const adapter: Adapter = Object.create(onReplica);
      return Object.assign(adapter, {
        queryRaw: (query: Query) => route((a) => a.queryRaw(query)),
        executeRaw: (query: Query) => route((a) => a.executeRaw(query)),
        executeScript: (script: string) => onPrimary.executeScript(script),
        startTransaction: (isolationLevel?: Parameters<Adapter['startTransaction']>[0]) =>
          onPrimary.startTransaction(isolationLevel),
        async dispose() {
          await onPrimary.dispose();
          await onReplica.dispose();
        },
      });
    },
  };
  return factory as unknown as PrismaPg;
}

/** Probes every replica every `checkMs` (unref'd timer) until stopped. */
export function watchReplicas(replicas: readonly Replica[], checkMs: number): () => void {
  if (replicas.length === 0) return () => {};
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void Promise.all(replicas.map((r) => r.probe())).finally(() => (running = false));
  }, checkMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** How long a purge waits for the replicas to replay the change it is for. */
export const REPLAY_WAIT_MS = 2_000;

/** The replicas' clients, handed out round-robin to anonymous reads (src/db/read-routing.ts). */
export class ReadReplicas<Client> {
  private turn = 0;

  constructor(
    private readonly entries: readonly { replica: Replica; client: Client }[],
    private readonly primary: Client,
    private readonly primaryPool?: pg.Pool,
  ) {}

  get size(): number {
    return this.entries.length;
  }

  /** The next replica that is up, or the primary when none is. */
  reader(): Client {
    for (let i = 0; i < this.entries.length; i++) {
      const entry = this.entries[this.turn++ % this.entries.length]!;
      if (entry.replica.up) return entry.client;
    }
    return this.primary;
  }

  status(): ReplicaStatus[] {
    return this.entries.map((e) => e.replica.status());
  }

  /**
   * Waits until every replica in rotation has replayed what the primary has committed by now, at
   * most `timeoutMs`; returns the names of those that had not (empty: all caught up, or no replicas).
   * Cache purges wait for this: a cache refilled from a replica that has not yet replayed the change
   * would keep the old answer for its whole TTL.
   */
  async caughtUp(timeoutMs = REPLAY_WAIT_MS): Promise<string[]> {
    const pending = this.entries.map((e) => e.replica).filter((r) => r.up);
    if (!pending.length || !this.primaryPool) return [];
    const { rows } = await this.primaryPool.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
    const lsn = rows[0]!.lsn;
    const deadline = Date.now() + timeoutMs;
    let waiting = pending;
    for (;;) {
      const replayed = await Promise.all(
        waiting.map(
          (r) =>
            r.pool
              .query<{ ok: boolean }>(
                'SELECT (NOT pg_is_in_recovery() OR pg_last_wal_replay_lsn() >= $1::pg_lsn) AS ok',
                [lsn],
              )
              .then(
                (res) => res.rows[0]!.ok,
                () => true,
              ), // a replica that cannot answer is out of rotation, not waited for
        ),
      );
      waiting = waiting.filter((_, i) => !replayed[i]);
      if (!waiting.length || Date.now() >= deadline) return waiting.map((r) => r.name);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}
