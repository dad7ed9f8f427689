// One benchmark client process: opens `count` graphql-ws sockets with one articlePublished
// subscription each and records, per article, when every socket received it.
//   parent -> { type: 'start', urls, count, query }   child -> { type: 'connected' } once all are acked
//   child  -> { type: 'done' } once every socket has `expect` events, or on { type: 'collect' } anyway:
//   child  -> { type: 'receipts', receipts: { [articleId]: number[] }, errors, closed }
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

if (!process.send) throw new Error('bench/live-client.ts runs as a child process with an IPC channel');
const send = (m: object) => process.send!(m);
const now = () => performance.timeOrigin + performance.now();

const receipts = new Map<string, number[]>();
const clients: Client[] = [];
let errors = 0;
let closed = 0;
let delivered = 0;
let expected = Infinity;

async function start(urls: string[], count: number, query: string, batch = 250) {
  for (let i = 0; i < count; i += batch) {
    const opened: Promise<void>[] = [];
    for (let j = i; j < Math.min(count, i + batch); j++) {
      const client = createClient({
        url: urls[j % urls.length]!,
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        lazy: false,
      });
      clients.push(client);
      opened.push(new Promise((resolve) => client.on('connected', () => resolve())));
      client.on('closed', () => closed++);
      client.subscribe<{ articlePublished: { articleId: string } }>(
        { query },
        {
          next: (result) => {
            const at = now();
            const id = result.data?.articlePublished.articleId;
            if (!id) {
              errors++;
              return;
            }
            let list = receipts.get(id);
            if (!list) receipts.set(id, (list = []));
            list.push(at);
            if (++delivered === expected) send({ type: 'done' });
          },
          error: () => errors++,
          complete: () => {},
        },
      );
    }
    await Promise.all(opened);
  }
  send({ type: 'connected' });
}

process.on('message', async (m: { type: string; urls?: string[]; count?: number; query?: string; expect?: number }) => {
  if (m.type === 'start') await start(m.urls!, m.count!, m.query!);
  if (m.type === 'expect') {
    expected = m.expect!;
    if (delivered >= expected) send({ type: 'done' });
  }
  if (m.type === 'collect') {
    // Exit only once the (large) message has been handed over, or the parent never gets it.
    process.send!({ type: 'receipts', receipts: Object.fromEntries(receipts), errors, closed }, async () => {
      await Promise.all(clients.map((c) => c.dispose()));
      process.exit(0);
    });
  }
});
