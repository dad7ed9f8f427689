// The demo data set, migrated and seeded once per test run and copied for each suite: a PGlite
// data-dir dump (each in-memory database starts from it) and a PostgreSQL template database
// (CREATE DATABASE … TEMPLATE). Seeding per suite cost most of the suite's time.
import { writeFileSync } from 'node:fs';
import pg from 'pg';
import { openDatabase } from '../../src/db/client.ts';
import { seedIfEmpty } from '../../src/seed/demo.ts';
import { createDatabase } from './postgres.ts';

/** Name of the seeded template database in the run's PostgreSQL. */
export const SEEDED_TEMPLATE = 'seeded_demo';

/** Migrates and seeds an in-memory PGlite and writes its data directory (a tarball) to `file`. */
export async function writeSeededPgliteSnapshot(file: string): Promise<void> {
  const db = await openDatabase({ kind: 'pglite', dir: undefined });
  try {
    await seedIfEmpty(db.prisma);
    const tarball = await db.pglite!.dumpDataDir('none');
    writeFileSync(file, new Uint8Array(await tarball.arrayBuffer()));
  } finally {
    await db.close();
  }
}

/** Creates, migrates and seeds the template database; no session stays connected to it. */
export async function createSeededTemplate(adminUrl: string): Promise<void> {
  const url = await createDatabase(adminUrl, SEEDED_TEMPLATE);
  const db = await openDatabase({ kind: 'postgres', url });
  try {
    await seedIfEmpty(db.prisma);
  } finally {
    await db.close();
  }
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    // CREATE DATABASE … TEMPLATE refuses while anyone is connected to the template.
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [SEEDED_TEMPLATE]);
    await admin.query(`ALTER DATABASE "${SEEDED_TEMPLATE}" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`);
  } finally {
    await admin.end();
  }
}
