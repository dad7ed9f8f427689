// The floor of `npm run bench:read`: a bare node:http server answering each page with one named
// (prepared) SQL statement whose result is the response body, built as JSON by PostgreSQL.
// GET /<scenario>?key=<slug>. Reports its port over IPC.
import { createServer } from 'node:http';
import pg from 'pg';
import { FLOOR_SQL, type ScenarioName } from './read-scenarios.ts';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL_SIZE ?? 10) });

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://floor');
  const name = url.pathname.slice(1) as ScenarioName;
  const sql = FLOOR_SQL[name];
  const key = url.searchParams.get('key');
  if (!sql || !key) {
    res.writeHead(404).end();
    return;
  }
  try {
    const { rows } = await pool.query<{ body: string }>({ name, text: sql, values: [key] });
    const body = rows[0]!.body;
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  } catch (error) {
    res.writeHead(500).end(String(error));
  }
});
server.listen(0, '127.0.0.1', () => process.send?.({ ready: (server.address() as { port: number }).port }));
process.on('SIGTERM', () => process.exit(0));
