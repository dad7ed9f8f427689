// npm run bench:startup: from spawning the server to its first GraphQL answer, on the embedded
// database (the zero-configuration run), through tsx (`npm start`) and the build (`npm run start:prod`):
//   fresh   a new, empty data directory (migrations, demo seed: a first run on a fresh clone)
//   existing the same directory again (every later start)
// Targets (issue 15): existing <= 3 s with start:prod, fresh <= 10 s. Runs `npm run build` first
// unless BUILD=false. RUNS (default 3) starts per case; prints each and the median.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../test/harness/postgres.ts';

const RUNS = Number(process.env.RUNS ?? 3);
const root = path.resolve(import.meta.dirname, '..');
if (process.env.BUILD !== 'false') execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });

const commands = {
  'start:prod (node dist/main.js)': [process.execPath, ['dist/main.js']],
  'npm start (tsx src/main.ts)': [process.execPath, ['--import', 'tsx', 'src/main.ts']],
} as const;

async function firstAnswer(command: string, args: readonly string[], dataDir: string): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(command, args, {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      PGLITE_DIR: dataDir,
      MEDIA_DIR: path.join(dataDir, 'media'),
      OUTBOX_DIR: path.join(dataDir, 'outbox'),
      LOG_LEVEL: 'warn',
      DATABASE_URL: '',
      REDIS_URL: '',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited with ${child.exitCode}`);
      const ok = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"query":"{ sections { slug } }"}',
      }).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return (performance.now() - started) / 1000;
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(
  `startup to first answer, ${RUNS} runs per case, load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}, ${os.cpus().length} cores`,
);
for (const [name, [command, args]] of Object.entries(commands)) {
  const fresh: number[] = [];
  const existing: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'newsroom-startup-'));
    try {
      fresh.push(await firstAnswer(command, args, dir));
      existing.push(await firstAnswer(command, args, dir));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const fmt = (xs: number[]) => `${xs.map((x) => x.toFixed(2)).join(' / ')} s (median ${median(xs).toFixed(2)} s)`;
  console.log(`${name}\n  fresh data dir:    ${fmt(fresh)}\n  existing data dir: ${fmt(existing)}`);
}
console.log(
  `load average after: ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
