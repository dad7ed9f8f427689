// Reads config, builds the app, listens, handles signals. Nothing else.
import { buildApp } from './app.ts';
import { loadConfig } from './config.ts';
import { createLogger } from './platform/logger.ts';

let config;
try {
  config = loadConfig();
} catch (error) {
  // Every invalid variable at once, then stop: nothing is started with a half-valid configuration.
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
// Pretty lines only for a person who ran `npm start` in a terminal; JSON for everything else.
const pretty = config.log.format === 'pretty' || (config.log.format === 'auto' && process.stdout.isTTY === true && process.env.npm_lifecycle_event === 'start');
const log = await createLogger({ level: config.log.level, pretty });
const app = await buildApp(config, { logger: log });
const port = await app.start();
log.info(
  {
    port,
    database: config.database.kind === 'pglite' ? `embedded PGlite (${config.database.dir ?? 'in memory'})` : 'PostgreSQL',
    pubsub: config.redisUrl ? 'Redis' : 'in-process',
  },
  `News API on http://localhost:${port}/graphql`,
);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    app.stop().then(
      () => process.exit(0),
      (error) => {
        log.fatal({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
