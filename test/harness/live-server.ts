// One API instance in its own process, driven over IPC: the multi-instance test and the live
// benchmark start several of these. Configuration comes from the environment (loadConfig); the
// parent sends { type: 'publish' | 'stats' | 'stop' } and hears 'ready', 'pubsub', and replies.
//   parent -> { type: 'publish', ref, id }      child -> { type: 'published', ref, announced, at, error? }
//   parent -> { type: 'stats', ref }            child -> { type: 'stats', ref, rss, cpuUserMs, cpuSystemMs, sockets, subscriptions }
//   parent -> { type: 'subscriptions', ref, count } child -> { type: 'subscriptions', ref } once that many are open
//   parent -> { type: 'writes', ref }           child -> { type: 'writes', ref, writes: { [articleId]: number[] } } (see LIVE_SERVER_RECORD_WRITES)
//   parent -> { type: 'stop' }                  child exits 0 after app.stop()
//   child  -> { type: 'ready', port } once listening; { type: 'pubsub', subscribed } on every change
import { buildApp } from '../../src/app.ts';
import { publishArticle } from '../../src/articles/publishing.ts';
import { loadConfig } from '../../src/config.ts';
import { WebSocket } from 'ws';
import { pino } from 'pino';
import { createLogger, silentLogger } from '../../src/platform/logger.ts';
import { whenSubscriptions } from './live-hub.ts';

if (!process.send) throw new Error('test/harness/live-server.ts runs as a child process with an IPC channel');
const send = (message: object) => process.send?.(message);

const quiet = process.env.LIVE_SERVER_QUIET === 'true';
// Instance messages on stderr (stdout is the bench's own report), silent with LIVE_SERVER_QUIET.
const log = quiet ? silentLogger : await createLogger({ level: 'info', destination: pino.destination(2) });
// With LIVE_SERVER_RECORD_WRITES=true, when each `next` frame naming an article was handed to the
// socket (epoch ms), per article: the server's share of the latency, apart from the clients' own
// scheduling. Measured by wrapping ws's send, so it sees graphql-ws's writes and the fast path's alike.
const writes = new Map<string, number[]>();
if (process.env.LIVE_SERVER_RECORD_WRITES === 'true') {
  const send = WebSocket.prototype.send;
  const marker = '"articleId":"';
  WebSocket.prototype.send = function (this: WebSocket, data: unknown, ...rest: unknown[]) {
    (send as (...a: unknown[]) => void).call(this, data, ...rest);
    if (typeof data !== 'string' || !data.includes('"type":"next"')) return;
    const at = data.indexOf(marker);
    if (at < 0) return;
    const id = data.slice(at + marker.length, data.indexOf('"', at + marker.length));
    let list = writes.get(id);
    if (!list) writes.set(id, (list = []));
    list.push(performance.timeOrigin + performance.now());
  } as typeof send;
}
const app = await buildApp(loadConfig(), { logger: log });
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
    case 'writes':
      send({ type: 'writes', ref: message.ref, writes: Object.fromEntries(writes) });
      break;
    case 'subscriptions': {
      await whenSubscriptions(app.services.live, message.count ?? 0);
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
