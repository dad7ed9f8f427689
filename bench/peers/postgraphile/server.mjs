// PostGraphile v5 (amber preset) over the bench database, for `npm run bench:read`. Exposes the app's
// tables (schema public) and the computed columns of bench/peers/functions.sql (schema bench_peer).
// Started by bench/read.ts with NODE_OPTIONS=--require ./polyfill.cjs; reports its port over IPC.
import { createServer } from 'node:http';
import { postgraphile } from 'postgraphile';
import { makePgService } from 'postgraphile/adaptors/pg';
import { grafserv } from 'postgraphile/grafserv/node';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';

const preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [
    makePgService({
      connectionString: process.env.DATABASE_URL,
      schemas: ['public', 'bench_peer'],
      poolConfig: { max: Number(process.env.POOL_SIZE ?? 10) },
    }),
  ],
  grafserv: { graphiql: false, watch: false },
  grafast: { explain: false },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
serv.addTo(server);
await serv.ready();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  if (process.send) process.send({ ready: port });
  else console.log(`PostGraphile on http://127.0.0.1:${port}/graphql`);
});
process.on('SIGTERM', () => process.exit(0));
