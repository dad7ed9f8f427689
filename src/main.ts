// Reads config, builds the app, listens, handles signals. Nothing else.
import { buildApp } from './app.ts';
import { loadConfig } from './config.ts';

const config = loadConfig();
const app = await buildApp(config);
const port = await app.start();
const mode = config.database.kind === 'pglite' ? `embedded PGlite (${config.database.dir ?? 'in memory'})` : 'PostgreSQL';
console.log(`News API on http://localhost:${port}/graphql — ${mode}, ${config.redisUrl ? 'Redis' : 'in-process'} pub/sub`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down`);
    app.stop().then(
      () => process.exit(0),
      (error) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}
