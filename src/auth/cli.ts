// Token administration from the shell, for bootstrapping the first ADMIN:
//   npm run token:create -- --role admin --name "Night desk" [--reporter han-sunmi]
//   npm run token:list
//   npm run token:revoke -- --id 3
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { openDatabase } from '../db/client.ts';
import type { Role } from '../generated/prisma/client.ts';
import { createApiToken, revokeApiToken } from './tokens.ts';
import { systemClock } from '../platform/clock.ts';

const ROLES: Role[] = ['REPORTER', 'EDITOR', 'ADMIN', 'VIEW_RELAY'];

function createArguments(roleArg: string | undefined, name: string | undefined): { role: Role; name: string } {
  const role = roleArg?.toUpperCase() as Role;
  if (!ROLES.includes(role)) throw new Error(`--role must be one of ${ROLES.join(', ').toLowerCase()}`);
  if (!name) throw new Error('--name is required');
  return { role, name };
}

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  const { values } = parseArgs({
    args: rest,
    options: {
      role: { type: 'string' },
      name: { type: 'string' },
      reporter: { type: 'string' },
      id: { type: 'string' },
    },
  });
  // Arguments are checked before the database is opened (PGlite takes seconds to start).
  const create = command === 'create' ? createArguments(values.role, values.name) : null;
  const db = await openDatabase(loadConfig().database);
  try {
    if (create) {
      const { role, name } = create;
      let reporterId: number | null = null;
      if (values.reporter) {
        const reporter = await db.prisma.reporter.findUnique({
          where: { slug: values.reporter },
          select: { id: true },
        });
        if (!reporter) throw new Error(`No reporter with slug "${values.reporter}"`);
        reporterId = reporter.id;
      }
      const { token, id } = await createApiToken(db.prisma, { name, role, reporterId });
      console.error(`Created ${role} token #${id} "${name}". Store it now, it is not shown again:`);
      console.log(token);
    } else if (command === 'list') {
      const rows = await db.prisma.apiToken.findMany({
        orderBy: { id: 'asc' },
        include: { reporter: { select: { slug: true } } },
      });
      for (const r of rows) {
        const state = r.revokedAt ? `revoked ${r.revokedAt.toISOString()}` : 'active';
        console.log(
          `#${r.id}\t${r.role}\t${r.prefix}…\t${r.name}${r.reporter ? ` (${r.reporter.slug})` : ''}\t${state}\tlast used ${r.lastUsedAt?.toISOString() ?? 'never'}`,
        );
      }
    } else if (command === 'revoke') {
      const id = Number(values.id);
      if (!Number.isSafeInteger(id)) throw new Error('--id must be a token number (see token:list)');
      console.log(
        (await revokeApiToken(db.prisma, id, systemClock()))
          ? `Revoked token #${id}`
          : `Token #${id} does not exist or was already revoked`,
      );
    } else {
      throw new Error('usage: tsx src/auth/cli.ts create|list|revoke [--role …] [--name …] [--reporter slug] [--id N]');
    }
  } finally {
    await db.close();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
