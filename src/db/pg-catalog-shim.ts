// Workaround for prisma/prisma#27403: Prisma Migrate through adapter-pg cannot deserialize
// catalog columns of type `name` (oid 19) and `"char"` (oid 18). This pool reports them as text.
// Only the Prisma CLI (prisma/prisma.config.ts) uses it; the application does not need it.
import pg from 'pg';

const CATALOG_TYPES = new Set([18, 19]);
const TEXT_OID = 25;

function asText(result: unknown): unknown {
  for (const r of Array.isArray(result) ? result : [result]) {
    for (const field of (r as pg.QueryResult | undefined)?.fields ?? []) {
      if (CATALOG_TYPES.has(field.dataTypeID)) field.dataTypeID = TEXT_OID;
    }
  }
  return result;
}

class CatalogTextClient extends pg.Client {
  // pg calls query() both with a callback (from the Pool) and as a promise.
  // biome-ignore lint/suspicious/noExplicitAny: pg's query() overloads return either a promise or void
  override query(...args: unknown[]): any {
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      const callback = last as (err: Error | null, res?: unknown) => void;
      return (super.query as (...a: unknown[]) => unknown)(...args.slice(0, -1), (err: Error | null, res: unknown) =>
        callback(err, err ? res : asText(res)),
      );
    }
    const result = (super.query as (...a: unknown[]) => unknown)(...args);
    return result instanceof Promise ? result.then(asText) : result;
  }
}

export function migrationPool(connectionString: string): pg.Pool {
  return new pg.Pool({ connectionString, Client: CatalogTextClient, allowExitOnIdle: true });
}
