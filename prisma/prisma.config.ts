// Prisma CLI configuration (generate, migrate diff, migrate status).
// The application applies migrations itself (src/db/migrate.ts); this file only serves the CLI.
// Prisma 6.19 with the JS schema engine: no engine binaries are downloaded.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'prisma/config';

const here = path.dirname(fileURLToPath(import.meta.url));
// The CLI checks that engine files exist before it looks at `engine: 'js'`; any existing file will do.
process.env.PRISMA_QUERY_ENGINE_LIBRARY ??= fileURLToPath(import.meta.url);
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= fileURLToPath(import.meta.url);

export default defineConfig({
  schema: path.join(here, 'schema.prisma'),
  migrations: { path: path.join(here, 'migrations') },
  experimental: { adapter: true },
  engine: 'js',
  async adapter() {
    const url = process.env.DATABASE_URL;
    if (!url) {
      const { PGlite } = await import('@electric-sql/pglite');
      const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
      const { btree_gin } = await import('@electric-sql/pglite/contrib/btree_gin');
      const { PrismaPGlite } = await import('pglite-prisma-adapter');
      // pglite-prisma-adapter bundles its own copy of the adapter types; the shapes are the same.
      // In memory unless PGLITE_DIR names the embedded database (`migrate status`): `migrate diff`
      // needs no database, and a PGlite on disk keeps the CLI from exiting.
      return new PrismaPGlite(new PGlite(process.env.PGLITE_DIR, { extensions: { btree_gin, pg_trgm } })) as never;
    }
    const { migrationPool } = await import('../src/db/pg-catalog-shim.ts');
    const { PrismaPg } = await import('@prisma/adapter-pg');
    return new PrismaPg(migrationPool(url));
  },
});
