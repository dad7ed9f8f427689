// The HTTP side of a graceful shutdown (src/app.ts `stop`). From `begin()` every response is sent
// with `Connection: close`, so a client (or load balancer) holding a keep-alive connection opens its
// next one elsewhere; `stopAccepting()` closes the listening socket (new connections are refused)
// and every connection not answering a request right now; `settled()` resolves once every request in flight has been
// answered and its connection closed. WebSocket connections are not HTTP requests here: they leave
// this tracking when upgraded (src/live/websocket.ts closes them with 1001).
import type { Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface HttpDrain {
  /** HTTP requests received and not yet answered. */
  inFlight(): number;
  /** Shutdown has begun: responses from now on close their connection. */
  begin(): void;
  /** Refuses new connections and closes every connection not answering a request; requests in flight continue. */
  stopAccepting(): void;
  /** Resolves once no request is in flight and every HTTP connection has closed. */
  settled(): Promise<void>;
  /** Cuts every remaining HTTP connection (the last resort of a shutdown that ran out of time). */
  destroy(): void;
}

export function trackHttp(server: Server): HttpDrain {
  const sockets = new Set<Socket>();
  const active = new Set<ServerResponse>();
  /** Connections with a request being answered right now. */
  const busy = new WeakSet<Socket>();
  let closing = false;
  let accepting = true;
  let waiters: (() => void)[] = [];
  const check = () => {
    if (accepting || active.size > 0) return;
    // Nothing in flight: what is left are idle keep-alive connections. end() lets any bytes still
    // queued on them go out first.
    for (const socket of sockets) socket.end();
    if (sockets.size === 0) for (const resolve of waiters.splice(0)) resolve();
  };
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => {
      sockets.delete(socket);
      check();
    });
  });
  server.on('request', (req, res: ServerResponse) => {
    active.add(res);
    busy.add(req.socket);
    res.once('finish', () => {
      busy.delete(req.socket);
      // A keep-alive connection whose answer was already under way when the listener closed (its
      // headers went out without `Connection: close`) must not carry a new request: close it now.
      if (!accepting) req.socket.end();
    });
    if (closing && !res.headersSent) res.setHeader('connection', 'close');
    res.once('close', () => {
      active.delete(res);
      check();
    });
  });
  server.on('upgrade', (_req, socket: Socket) => {
    sockets.delete(socket);
    // The WebSocket server stops listening for upgrades when it closes; refuse them from then on.
    if (closing && server.listenerCount('upgrade') === 1) socket.destroy();
  });
  return {
    inFlight: () => active.size,
    begin() {
      closing = true;
      for (const res of active) if (!res.headersSent) res.setHeader('connection', 'close');
    },
    stopAccepting() {
      accepting = false;
      if (server.listening) server.close();
      // Every connection without a request being answered: idle keep-alive ones, and ones opened but
      // with no request received yet (Node's closeIdleConnections leaves those open, and a request
      // arriving on one later would still be served).
      for (const socket of sockets) if (!busy.has(socket)) socket.destroy();
      check();
    },
    settled() {
      return new Promise<void>((resolve) => {
        waiters.push(resolve);
        check();
      });
    },
    destroy() {
      for (const socket of sockets) socket.destroy();
      for (const resolve of waiters.splice(0)) resolve();
      waiters = [];
    },
  };
}
