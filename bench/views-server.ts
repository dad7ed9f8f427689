// The server under test for `npm run bench:views`: the real app (config from the environment),
// counting every SQL statement Prisma sends; the parent asks for counts and flushes over IPC.
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { silentLogger } from '../src/platform/logger.ts';

let statements = 0;
const app = await buildApp(loadConfig(), { logger: silentLogger, onQuery: () => void statements++ });
const port = await app.start(0, '127.0.0.1');

process.on('message', async (message: { id: number; op: 'stats' | 'flush' | 'stop' }) => {
  const reply = (body: object) => process.send!({ id: message.id, ...body });
  if (message.op === 'stats') {
    const counted = async (name: string) =>
      (await app.metrics.registry.getSingleMetric(name)!.get()).values[0]?.value ?? 0;
    return reply({
      statements,
      directoryQueries: await counted('views_directory_queries_total'),
      rankingsComputed: await counted('views_rankings_computed_total'),
      health: app.services.views.store.health(),
    });
  }
  if (message.op === 'flush') return reply({ report: await app.services.views.flusher.flush(), statements });
  if (message.op === 'stop') {
    await app.stop();
    reply({});
    process.exit(0);
  }
});
process.send!({ ready: port });
