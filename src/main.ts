// Reads config, builds the app, listens, handles signals. Nothing else.
import { buildApp } from './app.ts';
import { type Config, loadConfig } from './config.ts';
import { createLogger } from './platform/logger.ts';

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  // Every invalid variable at once, then stop: nothing is started with a half-valid configuration.
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
// Pretty lines only for a person who ran `npm start` in a terminal; JSON for everything else.
const pretty =
  config.log.format === 'pretty' ||
  (config.log.format === 'auto' && process.stdout.isTTY === true && process.env.npm_lifecycle_event === 'start');
const log = await createLogger({ level: config.log.level, pretty });
const app = await buildApp(config, { logger: log });
const port = await app.start();
log.info(
  {
    port,
    database:
      config.database.kind === 'pglite' ? `embedded PGlite (${config.database.dir ?? 'in memory'})` : 'PostgreSQL',
    pubsub: config.redisUrl ? 'Redis' : 'in-process',
  },
  `News API on http://localhost:${port}/graphql`,
);

// Graceful shutdown (app.stop(), README "Shutdown"), bounded by SHUTDOWN_TIMEOUT_MS: past it the
// process names what it was still waiting for and exits 1, so an orchestrator never has to SIGKILL it.
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    const started = performance.now();
    const { timeoutMs, drainMs } = config.shutdown;
    log.info({ signal, timeoutMs, drainMs }, 'shutting down');
    setTimeout(() => {
      log.fatal(
        { timeoutMs, phase: app.shutdownPhase() },
        'shutdown did not finish within SHUTDOWN_TIMEOUT_MS: exiting anyway',
      );
      process.exit(1);
    }, timeoutMs);
    app.stop().then(
      () => {
        log.info({ ms: Math.round(performance.now() - started) }, 'shut down');
        process.exit(0);
      },
      (error) => {
        log.fatal({ err: error, phase: app.shutdownPhase() }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
