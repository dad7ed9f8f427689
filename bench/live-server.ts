// One API instance in its own process, driven over IPC: the multi-instance test and the live
// benchmark start several of these. Configuration comes from the environment (loadConfig); the
// parent sends { type: 'publish' | 'stats' | 'stop' } and hears 'ready', 'pubsub', and replies.
//   parent -> { type: 'publish', ref, id }      child -> { type: 'published', ref, announced, at, error? }
//   parent -> { type: 'stats', ref }            child -> { type: 'stats', ref, rss, cpuUserMs, cpuSystemMs, sockets, subscriptions }
//   parent -> { type: 'subscriptions', ref, count } child -> { type: 'subscriptions', ref } once that many are open
//   parent -> { type: 'stop' }                  child exits 0 after app.stop()
//   child  -> { type: 'ready', port } once listening; { type: 'pubsub', subscribed } on every change
import { buildApp } from '../src/app.ts';
import { publishArticle } from '../src/articles/publishing.ts';
import { loadConfig } from '../src/config.ts';

if (!process.send) throw new Error('bench/live-server.ts runs as a child process with an IPC channel');
const send = (message: object) => process.send?.(message);

const quiet = process.env.LIVE_SERVER_QUIET === 'true';
const log = (m: string) => {
  if (!quiet) console.error(`[instance ${process.pid}] ${m}`);
};
const app = await buildApp(loadConfig(), { log });
app.pubsub.onStatus((status) => send({ type: 'pubsub', subscribed: status.subscribed }));
const port = await app.start(Number(process.env.PORT ?? 0), '127.0.0.1');
const cpuAtStart = process.cpuUsage();
send({ type: 'ready', port, subscribed: app.pubsub.status().subscribed });

process.on('message', async (message: { type: string; ref?: number; id?: number; count?: number }) => {
  switch (message.type) {
    case 'publish': {
      const at = performance.timeOrigin + performance.now();
      try {
        const result = await publishArticle(app.services, message.id!);
        send({ type: 'published', ref: message.ref, announced: result.announced, at });
      } catch (error) {
        send({ type: 'published', ref: message.ref, announced: false, at, error: (error as Error).message });
      }
      break;
    }
    case 'stats': {
      const cpu = process.cpuUsage(cpuAtStart);
      const hub = app.services.live.stats();
      send({
        type: 'stats',
        ref: message.ref,
        rss: process.memoryUsage().rss,
        cpuUserMs: cpu.user / 1000,
        cpuSystemMs: cpu.system / 1000,
        sockets: app.ws.clientCount(),
        subscriptions: hub.published + hub.updated,
      });
      break;
    }
    case 'subscriptions': {
      await app.services.live.whenSubscriptions(message.count ?? 0);
      send({ type: 'subscriptions', ref: message.ref });
      break;
    }
    case 'stop':
      await app.stop();
      process.exit(0);
  }
});
process.on('disconnect', () => {
  // The parent went away: do not linger.
  app.stop().finally(() => process.exit(0));
});
