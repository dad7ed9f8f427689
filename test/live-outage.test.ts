// The Redis-outage drill for live news: three API processes on one PostgreSQL and one redis-server,
// graphql-ws and SSE subscribers on each, 15 articles published through the API (publishArticle with
// an editor token, round-robin over the instances): 5 before, 5 while redis-server is killed for 10 s,
// 5 after it is back. Every subscriber, on every instance, receives every matching article exactly
// once and in publication order: the publishing instance delivers at once, the others catch up from
// PostgreSQL while their subscription is down and once it is back. An edit and an unpublishing made
// during the outage reach `articleUpdated` subscribers on every instance the same way, once.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApiToken } from '../src/auth/tokens.ts';
import { encodeGlobalId } from '../src/relay/global-id.ts';
import { graphql } from './generated/index.ts';
import type { OutageDrillSubscription, OutageDrillUpdatedSubscription } from './generated/graphql.ts';
import { type LiveCluster, postGraphQL, startLiveCluster } from './harness/child-server.ts';
import type { Instance } from './harness/live-instances.ts';
import { type Recorded, subscribeSse, subscribeWs, wsClient } from './harness/live-clients.ts';
import { redisSkipReason } from './harness/redis.ts';

const skip = redisSkipReason() ?? inject('postgresSkip');
if (skip) console.warn(`Live Redis-outage drill skipped: ${skip}`);

const SUBSCRIPTION = graphql(
  `subscription OutageDrill($filter: LiveArticleFilter) { articlePublished(filter: $filter) { articleId replayed article { headline } } }`,
);
const PUBLISH = graphql(
  `mutation OutageDrillPublish($id: ID!) { publishArticle(input: { id: $id }) { changed article { id } } }`,
);
const LATEST = graphql(`query TestOutageDrillLatest { latestArticles(first: 1) { slug } }`);
const EDIT = graphql(
  `mutation OutageDrillEdit($id: ID!, $headline: String!) { updateArticle(input: { id: $id, headline: $headline }) { changed } }`,
);
const UNPUBLISH = graphql(
  `mutation OutageDrillUnpublish($id: ID!) { unpublishArticle(input: { id: $id }) { changed } }`,
);
const UPDATED = graphql(
  `subscription OutageDrillUpdated($id: ID!) { articleUpdated(id: $id) { kind article { headline } } }`,
);

type Filter = { section?: string; breakingOnly?: boolean };
interface Subscriber {
  instance: number;
  transport: 'ws' | 'sse';
  filter: Filter;
  rec: Recorded<OutageDrillSubscription>;
}

describe.skipIf(skip)('live news through a Redis outage (three instances)', () => {
  let cluster: LiveCluster;
  let token = '';
  const clients: Client[] = [];
  const subscribers: Subscriber[] = [];

  beforeAll(async () => {
    cluster = await startLiveCluster(3);
    token = (await createApiToken(cluster.db.prisma, { name: 'outage drill', role: 'EDITOR' })).token;
  });

  const disposers: { dispose(): void }[] = [];
  afterAll(() => cluster?.stop({ subscriptions: [...disposers, ...subscribers.map((s) => s.rec)], clients }));

  const post = <TData, TVariables>(
    instance: Instance,
    document: TypedDocumentNode<TData, TVariables>,
    variables?: TVariables,
  ) => postGraphQL(instance.url, document, variables, token);

  it('every subscriber on every instance gets every article published before, during and after, once, in order', async () => {
    const { db, instances, redis } = cluster;
    const sections = await db.prisma.section.findMany({ where: { slug: { in: ['politics', 'economy', 'society'] } } });
    const sectionId = (slug: string) => sections.find((s) => s.slug === slug)!.id;
    const plan = Array.from({ length: 15 }, (_, i) => ({
      section: ['politics', 'economy', 'society'][i % 3]!,
      breaking: i % 4 === 0,
    }));
    const drafts: number[] = [];
    for (const [i, p] of plan.entries()) {
      const row = await db.prisma.article.create({
        data: {
          slug: `outage-${Date.now()}-${i}`,
          headline: `Redis 장애 중 기사 ${i}`,
          status: 'DRAFT',
          sectionId: sectionId(p.section),
          breaking: p.breaking,
        },
      });
      drafts.push(row.id);
    }

    // Per instance: 10 graphql-ws subscribers (one socket each) and 2 SSE subscribers, three kinds of filter.
    const filters: Filter[] = [{}, { section: 'politics' }, { breakingOnly: true }];
    for (let n = 0; n < 3; n++) {
      for (let i = 0; i < 10; i++) {
        const client = wsClient(instances[n]!.wsUrl);
        clients.push(client);
        const filter = filters[i % 3]!;
        subscribers.push({
          instance: n,
          transport: 'ws',
          filter,
          rec: subscribeWs(client, { query: SUBSCRIPTION, variables: { filter } }),
        });
      }
      for (const filter of [{}, { breakingOnly: true }]) {
        subscribers.push({
          instance: n,
          transport: 'sse',
          filter,
          rec: subscribeSse(instances[n]!.url, { query: SUBSCRIPTION, variables: { filter } }),
        });
      }
    }
    // articleUpdated of two published articles, on every instance: one edited, one unpublished during the outage.
    const [edited, unpublished] = await db.prisma.article.findMany({
      where: { status: 'PUBLISHED', deletedAt: null, publishedAt: { lte: new Date() } },
      orderBy: { id: 'asc' },
      take: 2,
      select: { id: true },
    });
    const editedId = encodeGlobalId('Article', edited!.id);
    const unpublishedId = encodeGlobalId('Article', unpublished!.id);
    const changes: { instance: number; id: string; rec: Recorded<OutageDrillUpdatedSubscription> }[] = [];
    for (let n = 0; n < 3; n++) {
      for (const id of [editedId, unpublishedId]) {
        const client = wsClient(instances[n]!.wsUrl);
        clients.push(client);
        changes.push({ instance: n, id, rec: subscribeWs(client, { query: UPDATED, variables: { id } }) });
        changes.push({ instance: n, id, rec: subscribeSse(instances[n]!.url, { query: UPDATED, variables: { id } }) });
        disposers.push(...changes.slice(-2).map((c) => c.rec));
      }
    }
    await Promise.all(
      instances.map((inst, n) =>
        inst.whenSubscriptions(
          subscribers.filter((s) => s.instance === n).length + changes.filter((c) => c.instance === n).length,
        ),
      ),
    );

    const matches = (f: Filter, p: { section: string; breaking: boolean }) =>
      (f.section == null || f.section === p.section) && (!f.breakingOnly || p.breaking);
    const expected = (f: Filter, upTo: number) =>
      plan.slice(0, upTo).flatMap((p, i) => (matches(f, p) ? [encodeGlobalId('Article', drafts[i]!)] : []));
    const allReceived = (upTo: number) =>
      Promise.all(subscribers.map((s) => s.rec.received(expected(s.filter, upTo).length)));
    const publish = async (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const { status, body } = await post(instances[i % 3]!, PUBLISH, {
          id: encodeGlobalId('Article', drafts[i]!),
        });
        expect(status).toBe(200);
        expect(body.errors).toBeUndefined();
        expect(body.data?.publishArticle.changed).toBe(true);
      }
    };

    await publish(0, 5);
    await allReceived(5);

    // Redis goes away for 10 s: publishing and reading go on; subscribers stay connected.
    const killedAt = Date.now();
    await redis.kill();
    await Promise.all(instances.map((i) => i.whenUnsubscribed()));
    await publish(5, 10);
    const mutate = async <TData, TVariables>(
      instance: Instance,
      document: TypedDocumentNode<TData, TVariables>,
      variables: TVariables,
    ) => {
      const { status, body } = await post(instance, document, variables);
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
    };
    await mutate(instances[0]!, EDIT, { id: editedId, headline: '장애 중 수정된 제목' });
    await mutate(instances[1]!, UNPUBLISH, { id: unpublishedId });
    for (const instance of instances) {
      const { body } = await post(instance, LATEST);
      expect(body.data?.latestArticles).toHaveLength(1);
    }
    // Still during the outage: every instance has caught up from PostgreSQL.
    await allReceived(10);
    await Promise.all(changes.map((c) => c.rec.received(1)));
    expect(instances.every((i) => !i.subscribed())).toBe(true);
    await new Promise((r) => setTimeout(r, Math.max(0, killedAt + 10_000 - Date.now())));
    await redis.restart();
    await Promise.all(instances.map((i) => i.whenSubscribed()));

    await publish(10, 15);
    await mutate(instances[2]!, EDIT, { id: editedId, headline: '복구 후 수정된 제목' });
    await allReceived(15);
    // A further article every filter matches (politics, breaking), published last: once it has arrived
    // everywhere, nothing from before is still in flight, and the streams below are complete.
    const sentinel = await db.prisma.article.create({
      data: {
        slug: `outage-sentinel-${Date.now()}`,
        headline: '마지막 기사',
        status: 'DRAFT',
        sectionId: sectionId('politics'),
        breaking: true,
      },
    });
    plan.push({ section: 'politics', breaking: true });
    drafts.push(sentinel.id);
    await publish(15, 16);
    await allReceived(16);

    for (const s of subscribers) {
      const got = s.rec.data().map((d) => d.articlePublished.articleId);
      expect(got, `${s.transport} subscriber on instance ${s.instance} with ${JSON.stringify(s.filter)}`).toEqual(
        expected(s.filter, 16),
      );
      expect(s.rec.results.every((r) => !r.errors)).toBe(true);
      expect(s.rec.data().every((d) => d.articlePublished.article?.headline)).toBe(true);
    }
    await Promise.all(changes.filter((c) => c.id === editedId).map((c) => c.rec.received(2)));
    for (const c of changes) {
      const got = c.rec.data().map((d) => [d.articleUpdated.kind, d.articleUpdated.article?.headline ?? null]);
      const want =
        c.id === editedId
          ? [
              ['EDITED', '장애 중 수정된 제목'],
              ['EDITED', '복구 후 수정된 제목'],
            ]
          : [['UNPUBLISHED', null]];
      expect(got, `articleUpdated subscriber on instance ${c.instance}`).toEqual(want);
    }
  }, 120_000);
});
