// Environment parsed once and validated. Everything optional: with no configuration at all the
// server runs on an embedded PGlite database with demo data and in-process pub/sub.
import path from 'node:path';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  PGLITE_DIR: z.string().min(1).default('./data'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  SEED_DEMO: bool.optional(),
  SITE_URL: z.string().url().default('http://localhost:4000'),
  GRAPHIQL: bool.default(true),
  MAX_PAGE_SIZE: z.coerce.number().int().min(1).max(1000).default(100),
});

export interface Config {
  port: number;
  host: string;
  database: { kind: 'postgres'; url: string } | { kind: 'pglite'; dir: string | undefined };
  redisUrl: string | undefined;
  /** Seed demo data into an empty database at start (default: only for the embedded database). */
  seedDemo: boolean;
  siteUrl: string;
  graphiql: boolean;
  maxPageSize: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Env.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const database: Config['database'] = e.DATABASE_URL
    ? { kind: 'postgres', url: e.DATABASE_URL }
    : { kind: 'pglite', dir: e.PGLITE_DIR === 'memory' ? undefined : path.resolve(e.PGLITE_DIR) };
  return {
    port: e.PORT,
    host: e.HOST,
    database,
    redisUrl: e.REDIS_URL,
    seedDemo: e.SEED_DEMO ?? database.kind === 'pglite',
    siteUrl: e.SITE_URL.replace(/\/$/, ''),
    graphiql: e.GRAPHIQL,
    maxPageSize: e.MAX_PAGE_SIZE,
  };
}
