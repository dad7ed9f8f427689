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

const NO_JIT = '-c jit=off';
/**
 * Named statements keep one generic plan per connection instead of being planned again at every
 * execution. PostgreSQL's own choice (plan_cache_mode=auto) compares the generic plan's estimate
 * with the custom plans'. A generic plan cannot see a LIMIT (Prisma sends every one as a parameter)
 * or a time bound, so for nested selections its estimate stays far above (a reporter with its latest
 * articles in LATERAL subqueries: 2,957 against 250) and PostgreSQL planned the statement again at
 * every execution (~0.6 ms of PostgreSQL CPU per reporter page, twice executing it). test/plan-guard.test.ts checks the generic plan of every statement the app sends
 * (no scan of a big table, bounded buffers), as it checks the custom one. The setting applies to
 * the connection, so the few unnamed texts past MAX_NAMED get a generic plan too (checked the same
 * way); with prepared statements off nothing is reused and PostgreSQL keeps choosing (auto).
 */
const GENERIC_PLANS = '-c plan_cache_mode=force_generic_plan';

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
 * TCP keep-alive so a half-open connection is noticed, and no JIT compilation of statements. Broken connections are discarded and new
 * ones made on demand, so the pool recovers by itself when the server is back.
 */
export function applicationPool(connectionString: string, options: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: options.size,
    keepAlive: true,
    // No JIT compilation: every statement here is a bounded index range, and JIT only adds its
    // compile time (~20 ms, measured on a search step at 1,000,000 articles, whose estimated cost
    // passes jit_above_cost). A connection string's own `options` take precedence.
    options: options.prepared ? `${NO_JIT} ${GENERIC_PLANS}` : NO_JIT,
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
