// Starts the real app on a free loopback port, on PGlite (in memory) or on a fresh database in the
// run's throwaway PostgreSQL, and talks to it over real HTTP.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { inject } from 'vitest';
import { type App, type AppOptions, buildApp } from '../../src/app.ts';
import { type Config, loadConfig } from '../../src/config.ts';
import { createDatabase } from './postgres.ts';
import { silentLogger } from '../../src/platform/logger.ts';

export type Backend = 'pglite' | 'postgres';

/** The databases every data test runs against: PGlite always, PostgreSQL when installed. */
export function backends(): Backend[] {
  const skip = inject('postgresSkip');
  if (skip) console.warn(`PostgreSQL suites skipped: ${skip}`);
  return inject('postgresUrl') ? ['pglite', 'postgres'] : ['pglite'];
}

/** A new PostgreSQL database in the run's server: empty, or a copy of the run's seeded demo database. */
export async function createPostgresDatabase(contents: 'empty' | 'seeded' = 'empty'): Promise<string> {
  const admin = inject('postgresUrl');
  if (!admin) throw new Error('PostgreSQL is not available in this run');
  return createDatabase(
    admin,
    `t_${randomBytes(6).toString('hex')}`,
    contents === 'seeded' ? inject('postgresSeeded')! : undefined,
  );
}

let snapshot: Blob | undefined;
/** The run's seeded PGlite data directory (a `dumpDataDir()` tarball), read once per test file. */
export function seededPgliteSnapshot(): Blob {
  snapshot ??= new Blob([readFileSync(inject('pgliteSnapshot'))]);
  return snapshot;
}

/**
 * Configuration for a test app on a database of its own. With demo data (SEED_DEMO, the default here)
 * the database starts as a copy of the run's seeded one instead of being seeded again.
 */
export async function testConfig(backend: Backend, env: Record<string, string> = {}): Promise<Config> {
  const seeded = (env.SEED_DEMO ?? 'true') === 'true';
  const database =
    backend === 'postgres'
      ? { DATABASE_URL: env.DATABASE_URL ?? (await createPostgresDatabase(seeded ? 'seeded' : 'empty')) }
      : { PGLITE_DIR: 'memory' };
  const config = loadConfig({
    SEED_DEMO: 'true',
    DEMO_VIEWS: 'false',
    SITE_URL: 'https://news.example',
    // The plan cache's first plans of each shape are compared with a fresh compile (src/db/plan-cache.ts).
    DATABASE_PLAN_CACHE: 'verify',
    ...database,
    ...env,
  });
  if (config.database.kind === 'pglite' && config.seedDemo) config.database.snapshot = seededPgliteSnapshot();
  return config;
}

export interface GraphQLResponse<T = any> {
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
}

export interface RequestOptions {
  token?: string;
}

export interface TestServer {
  app: App;
  url: string;
  /**
   * POSTs an operation. Pass a document made by `graphql()` from test/generated (codegen checks it
   * against the schema; result and variables are typed). A plain string is for documents that are
   * invalid on purpose; its answer is untyped.
   */
  graphql<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables>,
    variables?: TVariables,
    options?: RequestOptions,
  ): Promise<GraphQLResponse<TData>>;
  graphql(document: string, variables?: Record<string, unknown>, options?: RequestOptions): Promise<GraphQLResponse>;
  stop(): Promise<void>;
}

export async function startTestServer(
  backend: Backend,
  options: AppOptions & { env?: Record<string, string> } = {},
): Promise<TestServer> {
  const config = await testConfig(backend, options.env);
  const app = await buildApp(config, { logger: silentLogger, ...options });
  const port = await app.start(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}/graphql`;
  return {
    app,
    url,
    async graphql(
      document: TypedDocumentNode<unknown, unknown> | string,
      variables?: unknown,
      options?: RequestOptions,
    ) {
      const query = typeof document === 'string' ? document : print(document);
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json',
          ...(options?.token != null ? { authorization: `Bearer ${options.token}` } : {}),
        },
        body: JSON.stringify({ query, variables }),
      });
      const text = await res.text();
      try {
        return JSON.parse(text);
      } catch {
        throw new Error(`HTTP ${res.status}: not JSON: ${text.slice(0, 200)}`);
      }
    },
    stop: () => app.stop(),
  };
}

/** The one error of a response, asserting there is exactly one. */
export function onlyError(response: GraphQLResponse) {
  if (response.errors?.length !== 1)
    throw new Error(`expected one error, got ${JSON.stringify(response.errors ?? response.data)}`);
  return response.errors[0]!;
}
