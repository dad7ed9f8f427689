// Demo data: the sample article exactly as on the outlet's page, the five "most viewed" articles,
// a generated corpus, and a few unpublished articles (drafts must never show).
import { readFileSync } from 'node:fs';
import type { BodyBlock } from '../articles/body.ts';
import { slugify } from '../articles/slug.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { allCorpusTags, type CorpusRefs, generateArticles } from './corpus.ts';
import { insertArticles, type NewArticle, type NewMedia, resetSequences } from './insert.ts';
import { REPORTERS, SECTIONS } from './vocabulary.ts';

interface DemoFile {
  sample: {
    section: string;
    headline: string;
    deck: string[];
    reporter: { slug: string; name: string; title: string; email: string; bio: string };
    publishedAt: string;
    tags: [string, string][];
    photo: NewMedia;
    body: ({ type: 'paragraph'; text: string } | { type: 'image'; caption: string; credit: string })[];
    likeCount: number;
  };
  mostViewed: {
    section: string;
    headline: string;
    snippet: string;
    publishedAt: string;
    viewCount: number;
    tag: [string, string];
  }[];
}

export const DEMO = JSON.parse(
  readFileSync(new URL('../../prisma/seed/demo-articles.json', import.meta.url), 'utf8'),
) as DemoFile;
export const SAMPLE_SLUG = slugify(DEMO.sample.headline);
export const DEMO_CORPUS_SIZE = 300;
/** Unpublished demo articles carry this word so tests can prove they never leak. */
export const HIDDEN_MARKER = '비공개검증';

/** Sections, reporters and tags every seed needs; returns their ids. */
export async function seedReferenceData(prisma: PrismaClient): Promise<CorpusRefs> {
  for (const [position, s] of SECTIONS.entries()) {
    await prisma.section.upsert({ where: { slug: s.slug }, update: {}, create: { ...s, position } });
  }
  const reporters = [
    DEMO.sample.reporter,
    ...REPORTERS.map((r) => ({ ...r, email: `${r.slug}@ecounion.example`, bio: null })),
  ];
  for (const r of reporters) await prisma.reporter.upsert({ where: { slug: r.slug }, update: {}, create: r });
  const tags = new Map([...allCorpusTags(), ...DEMO.sample.tags, ...DEMO.mostViewed.map((m) => m.tag)]);
  for (const [slug, name] of tags) await prisma.tag.upsert({ where: { slug }, update: {}, create: { slug, name } });
  const [sections, reporterRows, tagRows] = await Promise.all([
    prisma.section.findMany({ select: { id: true, slug: true }, orderBy: { position: 'asc' } }),
    prisma.reporter.findMany({ select: { id: true, slug: true }, orderBy: { id: 'asc' } }),
    prisma.tag.findMany({ select: { id: true, slug: true } }),
  ]);
  return {
    sections,
    reporterIds: reporterRows.filter((r) => r.slug !== DEMO.sample.reporter.slug).map((r) => r.id),
    tagIds: new Map(tagRows.map((t) => [t.slug, t.id])),
  };
}

function sectionId(refs: CorpusRefs, slug: string): number {
  return refs.sections.find((s) => s.slug === slug)!.id;
}

function handpicked(refs: CorpusRefs, reporterId: number): NewArticle[] {
  const s = DEMO.sample;
  const body: NewArticle['body'] = s.body.map((b): NewArticle['body'][number] =>
    b.type === 'image' ? { type: 'image', photo: s.photo, caption: b.caption, credit: b.credit } : b,
  );
  const sample: NewArticle = {
    slug: SAMPLE_SLUG,
    headline: s.headline,
    deck: s.deck,
    body,
    status: 'PUBLISHED',
    publishedAt: new Date(s.publishedAt),
    sectionId: sectionId(refs, s.section),
    leadImage: s.photo,
    reporterIds: [reporterId],
    tagIds: s.tags.map(([slug]) => refs.tagIds.get(slug)!),
    likeCount: s.likeCount,
    viewCount: 1204,
  };
  const mostViewed = DEMO.mostViewed.map(
    (m, i): NewArticle => ({
      slug: slugify(m.headline),
      headline: m.headline,
      deck: [],
      body: [{ type: 'paragraph', text: m.snippet } satisfies BodyBlock],
      status: 'PUBLISHED',
      publishedAt: new Date(m.publishedAt),
      sectionId: sectionId(refs, m.section),
      reporterIds: [refs.reporterIds[i % refs.reporterIds.length]!],
      tagIds: [refs.tagIds.get(m.tag[0])!],
      viewCount: m.viewCount,
      likeCount: Math.floor(m.viewCount / 150),
    }),
  );
  const hidden = (status: NewArticle['status'], publishedAt: Date | null, n: number): NewArticle => ({
    slug: `hidden-${status.toLowerCase()}-${n}`,
    headline: `${HIDDEN_MARKER} ${status} 기사 ${n}: 서울시장-베이징시장 후속 회담 준비`,
    deck: [`${HIDDEN_MARKER} 데크`],
    body: [{ type: 'paragraph', text: `${HIDDEN_MARKER} 본문. 베이징시장 서울 방문 일정 조율 중.` }],
    status,
    publishedAt,
    breaking: true,
    sectionId: sectionId(refs, s.section),
    reporterIds: [reporterId],
    tagIds: s.tags.map(([slug]) => refs.tagIds.get(slug)!),
    viewCount: 99_999,
  });
  return [
    sample,
    ...mostViewed,
    hidden('DRAFT', null, 1),
    hidden('SCHEDULED', new Date('2099-01-01T00:00:00Z'), 2),
    hidden('ARCHIVED', new Date('2024-08-01T00:00:00Z'), 3),
    // Published status but a future publish time (an embargo): not visible until then.
    hidden('PUBLISHED', new Date('2099-01-01T00:00:00Z'), 4),
  ];
}

export interface SeedResult {
  articles: number;
}

/** Seeds the demo data set. */
export async function seedDemo(prisma: PrismaClient, corpusSize = DEMO_CORPUS_SIZE): Promise<SeedResult> {
  const refs = await seedReferenceData(prisma);
  const han = await prisma.reporter.findUniqueOrThrow({
    where: { slug: DEMO.sample.reporter.slug },
    select: { id: true },
  });
  const picked = handpicked(refs, han.id);
  await insertArticles(prisma, picked);
  const generated = [...generateArticles(corpusSize, refs)];
  for (let i = 0; i < generated.length; i += 500) await insertArticles(prisma, generated.slice(i, i + 500));
  await resetSequences(prisma);
  return { articles: picked.length + generated.length };
}

/** Seeds the demo data set into an empty database; returns null when there were articles already. */
export async function seedIfEmpty(prisma: PrismaClient, corpusSize = DEMO_CORPUS_SIZE): Promise<SeedResult | null> {
  if ((await prisma.article.count()) > 0) return null;
  return seedDemo(prisma, corpusSize);
}
