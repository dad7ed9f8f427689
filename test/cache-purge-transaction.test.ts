// Purge keys are written in the same transaction as the change they purge for: a change that
// commits always leaves its outbox row, a change that fails leaves none, and a purge that cannot be
// written undoes the change (over real HTTP, PGlite and PostgreSQL). The outbox worker is stopped so
// the rows stay where the test can count them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../src/relay/global-id.ts';
import { SAMPLE_SLUG } from '../src/seed/demo.ts';
import { graphql } from './generated/index.ts';
import { draftBy, issueTokens, type Tokens } from './harness/newsroom.ts';
import { backends, startTestServer, type TestServer } from './harness/server.ts';

const PUBLISH = graphql(`
  mutation TestPurgeTxPublish($id: ID!) { publishArticle(input: { id: $id }) { changed } }
`);
const RESLUG_SECTION = graphql(`
  mutation TestPurgeTxReslugSection($id: ID!, $slug: String!) { updateSection(id: $id, input: { slug: $slug }) { section { slug } } }
`);
const RENAME_SECTION = graphql(`
  mutation TestPurgeTxRenameSection($id: ID!) { updateSection(id: $id, input: { name: "새 이름" }) { section { name } } }
`);
const CORRECT = graphql(`
  mutation TestPurgeTxCorrect($i: UpdateArticleInput!) { updateArticle(input: $i) { article { editedAt } } }
`);

describe.each(backends())('purge keys commit with the change (%s)', (backend) => {
  let server: TestServer;
  let tokens: Tokens;

  beforeAll(async () => {
    server = await startTestServer(backend, {
      env: { PUBLISH_SCHEDULER_MS: '0', VIEWS_FLUSH_MS: '0', CDN_PURGE_POLL_MS: '0' },
    });
    tokens = await issueTokens(server);
    await server.app.caching.outbox.stop();
  });
  afterAll(async () => {
    await server?.app.db.prisma
      .$executeRawUnsafe('DROP TRIGGER IF EXISTS refuse_purge ON "CachePurge"')
      .catch(() => undefined);
    await server?.stop();
  });

  /** Outbox rows naming `key`. */
  const rowsWith = async (key: string) =>
    Number(
      (
        await server.app.db.prisma.$queryRaw<
          { n: bigint }[]
        >`SELECT count(*) AS n FROM "CachePurge" WHERE ${key} = ANY("keys")`
      )[0]!.n,
    );
  const publish = (id: string) => server.graphql(PUBLISH, { id }, { token: tokens.editor });

  it('a publication that commits has its purge row; publishing again (no change) adds none', async () => {
    const draft = await draftBy(server, tokens.reporterId, '트랜잭션 발행');
    expect(await rowsWith(draft)).toBe(0);
    const res = await publish(draft);
    expect(res.errors).toBeUndefined();
    expect(res.data!.publishArticle.changed).toBe(true);
    expect(await rowsWith(draft)).toBe(1);
    expect((await publish(draft)).data!.publishArticle.changed).toBe(false);
    expect(await rowsWith(draft)).toBe(1);
  });

  it('a correction and a section rename that commit have theirs; a rename that fails has none', async () => {
    const [first, second] = await server.app.db.prisma.section.findMany({
      orderBy: { id: 'asc' },
      take: 2,
      select: { id: true, slug: true },
    });
    const gid = encodeGlobalId('Section', first!.id);
    const failed = await server.graphql(RESLUG_SECTION, { id: gid, slug: second!.slug }, { token: tokens.admin });
    expect(failed.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await rowsWith(gid)).toBe(0);
    const renamed = await server.graphql(RENAME_SECTION, { id: gid }, { token: tokens.admin });
    expect(renamed.errors).toBeUndefined();
    expect(await rowsWith(gid)).toBe(1);

    const article = encodeGlobalId(
      'Article',
      (await server.app.db.prisma.article.findUniqueOrThrow({ where: { slug: SAMPLE_SLUG }, select: { id: true } })).id,
    );
    const before = await rowsWith(article);
    const edited = await server.graphql(CORRECT, { i: { id: article, deck: ['정정'] } }, { token: tokens.editor });
    expect(edited.errors).toBeUndefined();
    expect(await rowsWith(article)).toBe(before + 1);
  });

  it('when the purge row cannot be written the publication is undone, and nothing is queued', async () => {
    const draft = await draftBy(server, tokens.reporterId, '퍼지 실패 발행');
    const prisma = server.app.db.prisma;
    await prisma.$executeRawUnsafe(`CREATE OR REPLACE FUNCTION refuse_purge() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF '${draft}' = ANY(NEW."keys") THEN RAISE EXCEPTION 'purge refused'; END IF; RETURN NEW; END $$`);
    await prisma.$executeRawUnsafe(
      'CREATE TRIGGER refuse_purge BEFORE INSERT ON "CachePurge" FOR EACH ROW EXECUTE FUNCTION refuse_purge()',
    );
    try {
      const res = await publish(draft);
      expect(res.errors?.[0]?.message).toBe('Unexpected error.');
      const id = Number(Buffer.from(draft, 'base64').toString().split(':')[1]);
      expect((await prisma.article.findUniqueOrThrow({ where: { id }, select: { status: true } })).status).toBe(
        'DRAFT',
      );
      expect(await rowsWith(draft)).toBe(0);
    } finally {
      await prisma.$executeRawUnsafe('DROP TRIGGER refuse_purge ON "CachePurge"');
    }
    // The same publication goes through once the purge can be written.
    expect((await publish(draft)).data!.publishArticle.changed).toBe(true);
    expect(await rowsWith(draft)).toBe(1);
  });
});
