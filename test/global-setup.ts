// Once per run: one throwaway PostgreSQL (each suite creates its own databases in it) and the demo
// data seeded once, as a PGlite snapshot file and a PostgreSQL template database (see harness/seeded.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { findPostgresBin, requireBinary } from './harness/binaries.ts';
import { type PostgresServer, startPostgres } from './harness/postgres.ts';
import { createSeededTemplate, SEEDED_TEMPLATE, writeSeededPgliteSnapshot } from './harness/seeded.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string | null;
    postgresSkip: string | null;
    /** Template database holding the seeded demo data (null without PostgreSQL). */
    postgresSeeded: string | null;
    /** File holding a `dumpDataDir()` tarball of a migrated PGlite with the demo data. */
    pgliteSnapshot: string;
  }
}

let server: PostgresServer | undefined;
let dir: string | undefined;

export async function setup(project: TestProject) {
  const bin = findPostgresBin();
  const skip = requireBinary('PostgreSQL', bin);
  dir = mkdtempSync(path.join(os.tmpdir(), 'newsroom-run-'));
  const snapshot = path.join(dir, 'seeded-pglite.tar');
  if (bin) server = await startPostgres(bin);
  // The PGlite seed runs in this process, the PostgreSQL one mostly in the server: overlap them.
  await Promise.all([server && createSeededTemplate(server.url), writeSeededPgliteSnapshot(snapshot)]);
  project.provide('postgresUrl', server?.url ?? null);
  project.provide('postgresSkip', skip);
  project.provide('postgresSeeded', server ? SEEDED_TEMPLATE : null);
  project.provide('pgliteSnapshot', snapshot);
}

export async function teardown() {
  server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}
