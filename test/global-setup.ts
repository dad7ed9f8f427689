// One throwaway PostgreSQL for the whole run (each suite creates its own database in it).
import type { TestProject } from 'vitest/node';
import { findPostgresBin, requireBinary } from './harness/binaries.ts';
import { type PostgresServer, startPostgres } from './harness/postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string | null;
    postgresSkip: string | null;
  }
}

let server: PostgresServer | undefined;

export async function setup(project: TestProject) {
  const bin = findPostgresBin();
  const skip = requireBinary('PostgreSQL', bin);
  if (bin) server = await startPostgres(bin);
  project.provide('postgresUrl', server?.url ?? null);
  project.provide('postgresSkip', skip);
}

export async function teardown() {
  server?.stop();
}
