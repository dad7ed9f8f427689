// The floor of `npm run bench:cache`: a bare node:http server sending fixed bytes (the cached article
// page's body and headers, given in FLOOR_BODY_FILE and FLOOR_HEADERS), and 304 to a matching
// If-None-Match, as the API does from its cache. Reports its port over IPC.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const body = readFileSync(process.env.FLOOR_BODY_FILE!);
const headers = JSON.parse(process.env.FLOOR_HEADERS!) as Record<string, string>;
const etag = headers.etag!;
const server = createServer((req, res) => {
  if (req.headers['if-none-match'] === etag) {
    res
      .writeHead(304, { etag, 'cache-control': headers['cache-control']!, 'surrogate-key': headers['surrogate-key']! })
      .end();
    return;
  }
  res.writeHead(200, { ...headers, 'content-length': body.length }).end(body);
});
server.listen(0, '127.0.0.1', () => process.send?.({ ready: (server.address() as { port: number }).port }));
process.on('SIGTERM', () => process.exit(0));
