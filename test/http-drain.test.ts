// The HTTP side of a graceful shutdown on a real socket: once the listener is closed, no connection
// carries a new request, not even a keep-alive one whose answer was under way when it closed.
import { Agent, createServer, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { trackHttp } from '../src/platform/http-drain.ts';

const get = (port: number, path: string, agent: Agent | false) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });

describe('HTTP drain', () => {
  const cleanup: (() => void)[] = [];
  afterEach(() => {
    for (const undo of cleanup.splice(0)) undo();
  });

  it('answers what is in flight and closes a keep-alive connection instead of serving a new request on it', async () => {
    let held: ServerResponse | undefined;
    let slow: ServerResponse | undefined;
    let slowArrived!: () => void;
    const slowSeen = new Promise<void>((resolve) => {
      slowArrived = resolve;
    });
    const server = createServer((req, res) => {
      if (req.url === '/hold') held = res;
      else if (req.url === '/slow') {
        // Headers go out before the shutdown begins, so they carry no `Connection: close`.
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('part ');
        slow = res;
        slowArrived();
      } else res.end('fresh');
    });
    const drain = trackHttp(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    cleanup.push(() => {
      agent.destroy();
      drain.destroy();
    });

    const holding = get(port, '/hold', false); // keeps a request in flight for the whole test
    const slowAnswer = get(port, '/slow', agent);
    await slowSeen;
    expect(held).toBeDefined();

    drain.begin();
    drain.stopAccepting();
    slow!.end('done');
    expect(await slowAnswer).toEqual({ status: 200, body: 'part done' });

    // The agent reuses its keep-alive socket (or opens a new one, which is refused): never answered.
    await expect(get(port, '/after', agent)).rejects.toThrow();
    expect(drain.inFlight()).toBe(1);

    held!.end('held');
    expect(await holding).toEqual({ status: 200, body: 'held' });
    await drain.settled();
  });
});
