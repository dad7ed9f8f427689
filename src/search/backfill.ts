// Fills in the search tokens (words and facets, src/search/tokens.ts) of articles written before tokens
// existed (migration 20261125143000_search_tokens), at start, in batches. Such rows are found through a
// partial index that holds only them, so once everything is filled in the check costs one empty index probe.
import type { PrismaClient } from '../generated/prisma/client.ts';
import { documentTokens, facetTokensSql } from './tokens.ts';

const BATCH = 500;

/** Returns how many articles got their tokens. */
export async function backfillSearchTokens(prisma: PrismaClient): Promise<number> {
  let done = 0;
  let after = 0;
  for (;;) {
    const rows = await prisma.$queryRawUnsafe<{ id: number; searchText: string }[]>(
      `SELECT id, "searchText" FROM "Article" WHERE "searchTokens" = '{}' AND id > $1 ORDER BY id LIMIT ${BATCH}`,
      after,
    );
    if (rows.length === 0) return done;
    const tokens = rows.map((r) => ({ id: r.id, tokens: documentTokens(r.searchText) }));
    await prisma.$executeRawUnsafe(
      `UPDATE "Article" a SET "searchTokens" = ARRAY(SELECT jsonb_array_elements_text(x.tokens)) || ${facetTokensSql('a')}
        FROM jsonb_to_recordset($1::jsonb) AS x(id int, tokens jsonb) WHERE a.id = x.id`,
      JSON.stringify(tokens),
    );
    done += rows.length;
    after = rows.at(-1)!.id;
  }
}
