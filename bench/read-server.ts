// This API under test for `npm run bench:read`: the real app, configured from the environment.
// Reports its port over IPC; stops on SIGTERM (so that --cpu-prof writes its profile).
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { silentLogger } from '../src/platform/logger.ts';

const app = await buildApp(loadConfig(), { logger: silentLogger });
const port = await app.start(0, '127.0.0.1');
process.on('SIGTERM', async () => {
  await app.stop();
  process.exit(0);
});
process.send?.({ ready: port });
