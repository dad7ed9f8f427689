// "The database cannot answer right now": the one definition. Requests that hit it fail fast with
// SERVICE_UNAVAILABLE (src/errors.ts), /readyz names the database, and a read replica that fails this
// way is taken out of rotation (src/db/replicas.ts). Everything else a query can throw (a constraint,
// a bug) is not an outage and is handled or masked as before.
//
// The shapes seen from Prisma 6.19 with @prisma/adapter-pg, checked against a PostgreSQL stopped with
// `pg_ctl stop -m fast` (test/drills-postgres.test.ts):
// - PrismaClientKnownRequestError P1001 (Can't reach database server; new connections refused),
//   P2010 wrapping SQLSTATE 57P01 (a running statement's connection terminated by the shutdown),
//   P1008/P1017/P2024 (timeouts, server closed the connection, pool timeout);
// - `meta.driverAdapterError` or the adapter's own DriverAdapterError (the replica router sees these)
//   with `cause.kind` DatabaseNotReachable, ConnectionClosed, SocketTimeout, TooManyConnections, or
//   `kind: 'postgres'` with a SQLSTATE of class 08 (connection exception), 57 (operator intervention:
//   admin/crash shutdown, cannot connect now, statement timeout) or 53300 (too many connections);
// - plain errors pg throws and the adapter passes through: ECONNREFUSED/ECONNRESET/ETIMEDOUT…,
//   "Connection terminated unexpectedly", "timeout exceeded when trying to connect" (pool wait or
//   connect over DATABASE_CONNECT_TIMEOUT_MS), "Query read timeout" (no answer within the statement
//   timeout plus a second).

const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1011', 'P1017', 'P2024', 'P2037']);
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'EAI_AGAIN',
]);
const MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Connection ended unexpectedly|the database system is (starting up|shutting down|in recovery mode)/;

interface ErrorShape {
  code?: unknown;
  kind?: unknown;
  message?: unknown;
  originalCode?: unknown;
  cause?: unknown;
  originalError?: unknown;
  meta?: { driverAdapterError?: unknown };
}

const isSqlState = (code: unknown): code is string => typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
const outageState = (code: string) => code.startsWith('08') || code.startsWith('57') || code === '53300';

/** What makes `error` an outage, or null when it is not one (follows causes, GraphQL originals). */
export function unavailableReason(error: unknown, depth = 0): string | null {
  if (error == null || typeof error !== 'object' || depth > 6) return null;
  const e = error as ErrorShape;
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (code && PRISMA_CODES.has(code)) return code;
  if (code && SOCKET_CODES.has(code)) return code;
  if (typeof e.kind === 'string') {
    if (ADAPTER_KINDS.has(e.kind)) return e.kind;
    if (e.kind === 'postgres' && isSqlState(e.code) && outageState(e.code)) return `SQLSTATE ${e.code}`;
  }
  if (isSqlState(code) && outageState(code) && typeof e.message === 'string') return `SQLSTATE ${code}`;
  if (isSqlState(e.originalCode) && outageState(e.originalCode)) return `SQLSTATE ${e.originalCode}`;
  if (typeof e.message === 'string' && !code?.startsWith('P')) {
    const m = MESSAGES.exec(e.message);
    if (m) return m[0];
  }
  for (const inner of [e.meta?.driverAdapterError, e.cause, e.originalError]) {
    const reason = unavailableReason(inner, depth + 1);
    if (reason) return reason;
  }
  return null;
}

export function isDatabaseUnavailable(error: unknown): boolean {
  return unavailableReason(error) !== null;
}
