// A stand-in CDN purge endpoint on a free loopback port: records every `{"keys": [...]}` POSTed to
// it, and can be told to fail (HTTP 503) until a given moment.
import { createServer, type Server } from 'node:http';

export interface PurgeReceiver {
  url: string;
  /** Every accepted call's keys, in arrival order. */
  calls: string[][];
  /** Calls refused while failing. */
  refused: number;
  failUntil(time: number): void;
  /** Resolves once an accepted call satisfies `predicate` (rejects after `timeoutMs`). */
  waitFor(predicate: (keys: string[]) => boolean, timeoutMs?: number): Promise<string[]>;
  close(): Promise<void>;
}

export async function startPurgeReceiver(): Promise<PurgeReceiver> {
  const calls: string[][] = [];
  const waiters = new Set<() => void>();
  let failingUntil = 0;
  let refused = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      if (Date.now() < failingUntil) {
        refused++;
        res.writeHead(503).end('down');
        return;
      }
      const parsed = JSON.parse(body) as { keys: string[] };
      if (req.method !== 'POST' || req.headers['content-type'] !== 'application/json' || !Array.isArray(parsed.keys)) {
        res.writeHead(400).end();
        return;
      }
      calls.push(parsed.keys);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"success":true}');
      for (const wake of [...waiters]) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/purge`,
    calls,
    get refused() {
      return refused;
    },
    failUntil(time) {
      failingUntil = time;
    },
    waitFor(predicate, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = calls.find(predicate);
          if (!hit) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(hit);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no purge call matched within ${timeoutMs} ms; calls: ${JSON.stringify(calls)}`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
