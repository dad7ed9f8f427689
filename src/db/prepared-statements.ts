// PostgreSQL connections for the app: a pg.Pool whose clients name every parameterised statement,
// so each connection parses a statement once and then only binds and executes it (PostgreSQL plans
// it once per connection, or keeps a generic plan once it is as good). @prisma/adapter-pg sends
// unnamed statements, which PostgreSQL parses and plans on every request; it accepts an external
// pool, so naming happens here, in the pool's Client class.
//
// Names are given to the first MAX_NAMED distinct SQL texts of the process; later ones (e.g. IN lists
// of unusual lengths) stay unnamed, so neither the client's statement map nor PostgreSQL's per-session
// memory can grow without bound. Turn it off (DATABASE_PREPARED_STATEMENTS=false) behind a pooler that
// does not keep prepared statements across transactions (PgBouncer in transaction mode before 1.21).
import pg from 'pg';

const MAX_NAMED = 2000;
const names = new Map<string, string>();

function nameOf(text: string): string | undefined {
  let name = names.get(text);
  if (name === undefined && names.size < MAX_NAMED) names.set(text, (name = `p${names.size + 1}`));
  return name;
}

class NamingClient extends pg.Client {
  // pg calls query() with a config object (the adapter), a string (scripts, pool checks), or both
  // forms with a callback: only parameterised config objects without a name are named.
  // biome-ignore lint/suspicious/noExplicitAny: pg's query() overloads return either a promise or void
  override query(...args: unknown[]): any {
    const config = args[0] as { text?: unknown; name?: unknown; values?: unknown } | null;
    if (
      config &&
      typeof config === 'object' &&
      typeof config.text === 'string' &&
      config.name === undefined &&
      Array.isArray(config.values ?? args[1])
    ) {
      const name = nameOf(config.text);
      if (name) args[0] = { ...config, name };
    }
    return (super.query as (...a: unknown[]) => unknown)(...args);
  }
}

export interface PoolOptions {
  /** Connections in the pool. */
  size: number;
  /** Name (prepare) parameterised statements. */
  prepared: boolean;
  /** Longest wait for a connection: connecting, or a free one when all are in use (pg-pool applies it to both). */
  connectTimeoutMs?: number;
  /** PostgreSQL's statement_timeout; the client gives up a second later (a server that stopped answering). */
  statementTimeoutMs?: number;
}

/**
 * The pool fails fast when PostgreSQL is gone instead of queueing requests behind it: a bounded wait
 * for a connection, a server-side statement timeout and a client-side read timeout just above it (a
 * query that timed out on the client is released with its error, so pg-pool drops that connection),
 * TCP keep-alive so a half-open connection is noticed, and no JIT compilation of statements. Broken
 * connections are discarded and new ones made on demand, so the pool recovers by itself when the
 * server is back.
 */
export function applicationPool(connectionString: string, options: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: options.size,
    keepAlive: true,
    // No JIT compilation: every statement here is a bounded index range, and JIT only adds its
    // compile time (~20 ms, measured on a search step at 1,000,000 articles, whose estimated cost
    // passes jit_above_cost). A connection string's own `options` take precedence.
    //
    // Plans stay PostgreSQL's choice (plan_cache_mode=auto): custom plans for a named statement's
    // first five runs, then its generic plan where that is estimated no worse. Forcing generic plans
    // (force_generic_plan) saved the reporter page's re-planning (~0.6 ms of PostgreSQL CPU, +30%
    // req/s at 100,000 articles), but at 1,000,000 the generic plans of a reporter's or tag's
    // filtered list and of some page statements took 16-160 ms instead of under 2 (hash joins over a
    // whole section's index range; bench/README.md), so it is not set.
    options: '-c jit=off',
    ...(options.connectTimeoutMs ? { connectionTimeoutMillis: options.connectTimeoutMs } : {}),
    ...(options.statementTimeoutMs
      ? { statement_timeout: options.statementTimeoutMs, query_timeout: options.statementTimeoutMs + 1_000 }
      : {}),
    ...(options.prepared ? { Client: NamingClient } : {}),
  });
  // An idle connection the server closes (shutdown, restart) is an 'error' event on the pool: without
  // a listener it would end the process. The pool has already dropped that connection.
  pool.on('error', () => {});
  return pool;
}
