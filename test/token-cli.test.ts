// Bootstrapping from the shell: npm run token:create / token:list / token:revoke, then the token at work.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { silentLogger } from '../src/platform/logger.ts';

describe('token CLI', () => {
  // Three CLI runs and two server starts on PGlite: slow on a loaded machine.
  it('creates an admin token that works over HTTP, lists it without the secret, revokes it', {
    timeout: 240_000,
  }, async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'newsroom-cli-'));
    const env = { ...process.env, PGLITE_DIR: dir, NODE_ENV: 'production' };
    // What `npm run token:* --` runs (tsx), without npx/npm starting first.
    const cli = (...args: string[]) =>
      execFileSync(process.execPath, ['--import', 'tsx', 'src/auth/cli.ts', ...args], { env, encoding: 'utf8' }).trim();
    try {
      const token = cli('create', '--role', 'admin', '--name', 'Night desk');
      expect(token).toMatch(/^nws_[A-Za-z0-9_-]{43}$/);
      const listed = cli('list');
      expect(listed).toMatch(/#1\tADMIN\tnws_[\w-]{6}…\tNight desk\tactive/);
      expect(listed).not.toContain(token);

      const use = async () => {
        const app = await buildApp(loadConfig({ PGLITE_DIR: dir, SEED_DEMO: 'false' }), { logger: silentLogger });
        const port = await app.start(0, '127.0.0.1');
        try {
          const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: JSON.stringify({ query: '{ apiTokens { name role } }' }),
          });
          return { status: res.status, body: await res.json() };
        } finally {
          await app.stop();
        }
      };
      expect((await use()).body.data.apiTokens).toEqual([{ name: 'Night desk', role: 'ADMIN' }]);
      expect(cli('revoke', '--id', '1')).toBe('Revoked token #1');
      expect((await use()).status).toBe(401);
      expect(() => cli('create', '--role', 'wizard', '--name', 'x')).toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
