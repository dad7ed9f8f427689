// Three API processes sharing one redis-server and one PostgreSQL database: 50 WebSocket subscribers
// spread over them, 20 articles published through different instances, Redis killed and restarted
// in the middle. Every subscriber gets every matching article exactly once, in publish order.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { encodeGlobalId } from '../src/relay/global-id.ts';
import { graphql } from './generated/index.ts';
import type { TestClusterPublishedSubscription } from './generated/graphql.ts';
import { type LiveCluster, postGraphQL, startLiveCluster } from './harness/child-server.ts';
import { type Recorded, subscribeWs, wsClient } from './harness/live-clients.ts';
import { redisSkipReason } from './harness/redis.ts';

const skip = redisSkipReason() ?? inject('postgresSkip');
if (skip) console.warn(`Multi-instance live suite skipped: ${skip}`);

const QUERY = graphql(`
    subscription TestClusterPublished($filter: LiveArticleFilter) { articlePublished(filter: $filter) { articleId article { headline section { slug } } } }
  `);
const LATEST_SLUG = graphql(`
  query TestClusterLatestSlug { latestArticles(first: 1) { slug } }
`);

interface Subscriber {
  instance: number;
  filter: { section?: string; breakingOnly?: boolean };
  rec: Recorded<TestClusterPublishedSubscription>;
}

describe.skipIf(skip)('live news across three instances', () => {
  let cluster: LiveCluster;
  const clients: Client[] = [];
  const subscribers: Subscriber[] = [];

  beforeAll(async () => {
    cluster = await startLiveCluster(3);
  });

  afterAll(() => cluster?.stop({ subscriptions: subscribers.map((s) => s.rec), clients }));

  it('delivers every matching article exactly once, in order, through a Redis restart', async () => {
    const { db, instances, redis } = cluster;
    const sections = await db.prisma.section.findMany({ where: { slug: { in: ['politics', 'economy', 'society'] } } });
    const sectionId = (slug: string) => sections.find((s) => s.slug === slug)!.id;
    // 20 drafts across three sections, every third breaking; plus a final sentinel every filter matches.
    const plan = Array.from({ length: 20 }, (_, i) => ({
      section: ['politics', 'economy', 'society'][i % 3]!,
      breaking: i % 4 === 0,
    }));
    plan.push({ section: 'politics', breaking: true });
    const drafts: { id: number }[] = [];
    for (const [i, p] of plan.entries()) {
      drafts.push(
        await db.prisma.article.create({
          data: {
            slug: `cluster-${Date.now()}-${i}`,
            headline: `다중 인스턴스 기사 ${i}`,
            status: 'DRAFT',
            sectionId: sectionId(p.section),
            breaking: p.breaking,
          },
        }),
      );
    }

    // 50 subscribers, one socket each, round-robin over the instances, with three kinds of filter.
    const filters = [{}, { section: 'politics' }, { breakingOnly: true }];
    for (let i = 0; i < 50; i++) {
      const instance = i % 3;
      const client = wsClient(instances[instance]!.wsUrl);
      clients.push(client);
      const filter = filters[i % filters.length]!;
      subscribers.push({ instance, filter, rec: subscribeWs(client, { query: QUERY, variables: { filter } }) });
    }
    await Promise.all(
      instances.map((inst, n) => inst.whenSubscriptions(subscribers.filter((s) => s.instance === n).length)),
    );

    const matches = (f: Subscriber['filter'], p: { section: string; breaking: boolean }) =>
      (f.section == null || f.section === p.section) && (!f.breakingOnly || p.breaking);
    const expectedIds = (f: Subscriber['filter'], upTo: number) =>
      plan.slice(0, upTo).flatMap((p, i) => (matches(f, p) ? [encodeGlobalId('Article', drafts[i]!.id)] : []));
    const received = (s: Subscriber) => s.rec.data().map((d) => d.articlePublished.articleId);
    const publish = async (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const { announced } = await instances[i % 3]!.publish(drafts[i]!.id);
        expect(announced).toBe(true);
      }
    };
    const allReceived = (upTo: number) =>
      Promise.all(subscribers.map((s) => s.rec.received(expectedIds(s.filter, upTo).length)));

    await publish(0, 10);
    await allReceived(10);

    // Redis goes away: instances notice, keep serving queries, and keep their subscribers connected.
    await redis.kill();
    await Promise.all(instances.map((i) => i.whenUnsubscribed()));
    for (const instance of instances) {
      expect((await postGraphQL(instance.url, LATEST_SLUG)).body.data?.latestArticles).toHaveLength(1);
    }
    await redis.restart();
    await Promise.all(instances.map((i) => i.whenSubscribed()));

    await publish(10, plan.length);
    await allReceived(plan.length);
    for (const s of subscribers) {
      // The sentinel came last for everyone, so nothing is still in flight: these are the full streams.
      expect(received(s), `subscriber on instance ${s.instance} with ${JSON.stringify(s.filter)}`).toEqual(
        expectedIds(s.filter, plan.length),
      );
      expect(s.rec.results.every((r) => !r.errors)).toBe(true);
    }
    const total = subscribers.reduce((n, s) => n + s.rec.results.length, 0);
    expect(total).toBe(subscribers.reduce((n, s) => n + expectedIds(s.filter, plan.length).length, 0));
  });
});
