// Purge delivery: a durable outbox in PostgreSQL (table "CachePurge").
//
// A change writes its keys as rows (`insert`, an INSERT in the change's own transaction, so the
// change and its purge commit together); it never waits for a CDN. Each instance runs a worker that claims due rows, purges the server's response
// caches (pub/sub `cache:purge`, every instance) on the first attempt, POSTs `{"keys": [...]}` to
// CDN_PURGE_URL, and deletes the rows once the CDN answered 2xx. It runs when this instance queues
// keys, when a retry falls due, at start (rows left by a restart), and every CDN_PURGE_POLL_MS.
//
// Exactly once across instances: a claim is one UPDATE of rows picked with FOR UPDATE SKIP LOCKED,
// which moves their due time past a lease and stamps them with the claim's id; only the holder of
// that claim deletes them or reschedules them. A failed call reschedules with exponential backoff
// (nothing is lost, the backlog drains when the CDN is back). An instance that dies holding a claim
// loses it when the lease ends and another instance sends those keys again (at least once).
// One call carries at most `batch` keys (Cloudflare: 100 tags per purge call), so rows hold at most
// that many and a claim takes whole rows up to that total.
import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { PubSub } from '../pubsub/pubsub.ts';
import type { Logger } from '../platform/logger.ts';

export interface PurgeOutboxOptions {
  prisma: PrismaClient;
  pubsub: PubSub;
  /** CDN_PURGE_URL; unset = only the server caches are purged. */
  url: string | undefined;
  batch: number;
  pollMs: number;
  timeoutMs: number;
  maxBackoffMs: number;
  log: Logger;
  /**
   * Resolves once the read replicas have replayed what the primary has committed (bounded), naming
   * those that had not; purges wait for it so no cache refills from a replica with the old answer.
   */
  replicasCaughtUp?: () => Promise<string[]>;
}

interface Claimed {
  id: bigint;
  keys: string[];
  attempts: number;
}

export class PurgeOutbox {
  private timer: NodeJS.Timeout | null = null;
  private readonly retries = new Set<NodeJS.Timeout>();
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  /** Called with each call's keys as it leaves (benchmark, tests). */
  onSent: ((keys: string[]) => void) | null = null;

  constructor(private readonly options: PurgeOutboxOptions) {}

  /** Queues `keys` (deduplicated) for purging and starts delivering them; resolves once they are stored. */
  async enqueue(keys: Iterable<string>): Promise<void> {
    await this.insert(this.options.prisma, keys);
    this.kick();
  }

  /**
   * Writes `keys` (deduplicated) as outbox rows through `db`: a change's transaction client, so they
   * commit with the change. Delivery waits for the next pass (call `kick()` after the commit).
   */
  async insert(db: Pick<PrismaClient, '$executeRaw'>, keys: Iterable<string>): Promise<void> {
    const unique = [...new Set(keys)].filter((k) => k.length > 0);
    if (!unique.length) return;
    const rows: string[][] = [];
    for (let i = 0; i < unique.length; i += this.options.batch) rows.push(unique.slice(i, i + this.options.batch));
    await db.$executeRaw`INSERT INTO "CachePurge" ("keys") SELECT string_to_array(k, ' ') FROM unnest(${rows.map((r) => r.join(' '))}::text[]) AS k`;
  }

  /**
   * Starts polling for due rows; resolves after a first pass has delivered what is due (rows left
   * by a crash or a restart).
   */
  async start(): Promise<void> {
    if (this.stopped || this.timer) return;
    if (this.options.pollMs > 0) {
      this.timer = setInterval(() => this.kick(), this.options.pollMs);
      this.timer.unref();
    }
    this.kick();
    await this.running;
  }

  /** Runs a delivery pass now (or right after the current one). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .catch((error) => this.options.log.warn(`purge: delivery pass failed: ${(error as Error).message}`))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const retry of this.retries) clearTimeout(retry);
    await this.running;
  }

  /** Rows waiting (due or backing off). */
  async backlog(): Promise<number> {
    const [row] = await this.options.prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM "CachePurge"`;
    return Number(row?.n ?? 0);
  }

  private async drain(): Promise<void> {
    while (!this.stopped) {
      const claimed = await this.claim();
      if (!claimed) return;
      await this.deliver(claimed.claim, claimed.rows);
    }
  }

  private async claim(): Promise<{ claim: string; rows: Claimed[] } | null> {
    const { prisma, batch, timeoutMs } = this.options;
    const claim = randomUUID();
    const leaseMs = timeoutMs * 2 + 5_000;
    const rows = await prisma.$queryRaw<Claimed[]>`
      UPDATE "CachePurge" SET "claim" = ${claim}, "nextAttemptAt" = CURRENT_TIMESTAMP + ${leaseMs} * interval '1 millisecond'
      WHERE "id" IN (
        SELECT "id" FROM "CachePurge" WHERE "nextAttemptAt" <= CURRENT_TIMESTAMP
        ORDER BY "nextAttemptAt", "id" LIMIT ${batch} FOR UPDATE SKIP LOCKED
      )
      RETURNING "id", "keys", "attempts"`;
    if (!rows.length) return null;
    rows.sort((a, b) => (a.id < b.id ? -1 : 1));
    // Whole rows up to `batch` distinct keys in one call; the rest go back at once.
    const keys = new Set<string>();
    const taken: Claimed[] = [];
    for (const row of rows) {
      const added = row.keys.filter((k) => !keys.has(k)).length;
      if (taken.length && keys.size + added > batch) break;
      for (const k of row.keys) keys.add(k);
      taken.push(row);
    }
    const rest = rows.slice(taken.length).map((r) => r.id);
    if (rest.length) {
      await prisma.$executeRaw`UPDATE "CachePurge" SET "claim" = NULL, "nextAttemptAt" = CURRENT_TIMESTAMP WHERE "id" = ANY(${rest}::bigint[]) AND "claim" = ${claim}`;
      this.again = true;
    }
    return { claim, rows: taken };
  }

  private async deliver(claim: string, rows: Claimed[]): Promise<void> {
    const { prisma, pubsub, url, log } = this.options;
    const ids = rows.map((r) => r.id);
    const keys = [...new Set(rows.flatMap((r) => r.keys))];
    const lagging = (await this.options.replicasCaughtUp?.()) ?? [];
    if (lagging.length)
      log.warn(`purge: replicas ${lagging.join(', ')} had not replayed the change yet; purging anyway`);
    // Server caches first (every instance), so a CDN refetch finds fresh answers.
    const fresh = [...new Set(rows.filter((r) => r.attempts === 0).flatMap((r) => r.keys))];
    if (fresh.length) {
      await pubsub
        .publish('cache:purge', { keys: fresh })
        .catch((error: Error) => log.warn(`purge: server caches not told: ${error.message}`));
    }
    let failure: string | null = null;
    if (url) {
      try {
        this.onSent?.(keys);
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ keys }),
          signal: AbortSignal.timeout(this.options.timeoutMs),
        });
        await res.arrayBuffer().catch(() => undefined);
        if (!res.ok) failure = `HTTP ${res.status}`;
      } catch (error) {
        failure = (error as Error).message;
      }
    }
    if (failure == null) {
      await prisma.$executeRaw`DELETE FROM "CachePurge" WHERE "id" = ANY(${ids}::bigint[]) AND "claim" = ${claim}`;
      return;
    }
    const attempts = Math.max(...rows.map((r) => r.attempts)) + 1;
    const backoffMs =
      Math.min(this.options.maxBackoffMs, 250 * 2 ** Math.min(attempts, 20)) * (0.75 + Math.random() * 0.5);
    log.warn(
      `purge: ${keys.length} keys not delivered (${failure}); attempt ${attempts}, next in ${Math.round(backoffMs)} ms`,
    );
    await prisma.$executeRaw`
      UPDATE "CachePurge" SET "claim" = NULL, "attempts" = "attempts" + 1, "lastError" = ${failure.slice(0, 500)},
        "nextAttemptAt" = CURRENT_TIMESTAMP + ${Math.round(backoffMs)} * interval '1 millisecond'
      WHERE "id" = ANY(${ids}::bigint[]) AND "claim" = ${claim}`;
    const retry = setTimeout(() => {
      this.retries.delete(retry);
      this.kick();
    }, backoffMs + 10);
    retry.unref();
    this.retries.add(retry);
  }
}
