// Finding the server binaries tests need. Without them a suite is skipped with a one-line reason,
// except under CI=true, where a missing binary fails the run.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

export function findPostgresBin(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'initdb')));
  versions.sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(root, versions[0], 'bin') : null;
}

export function findRedisServer(): string | null {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/bin', '/usr/sbin'])) {
    const candidate = path.join(dir, 'redis-server');
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

/** Returns a skip reason, or null when the binary is there. Throws under CI=true. */
export function requireBinary(name: string, found: string | null): string | null {
  if (found) return null;
  const reason = `${name} not installed (apt-get install ${name === 'PostgreSQL' ? 'postgresql postgresql-contrib' : 'redis-server'})`;
  if (process.env.CI === 'true') throw new Error(`CI=true and ${reason}`);
  return reason;
}
