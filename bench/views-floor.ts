// The floor for the beacon: a bare node:http handler that answers 204, nothing else.
import { createServer } from 'node:http';

const server = createServer((req, res) => {
  req.resume();
  res.writeHead(204);
  res.end();
});
server.listen(0, '127.0.0.1', () => process.send!({ ready: (server.address() as { port: number }).port }));
