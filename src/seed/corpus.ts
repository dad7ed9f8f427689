// Deterministic generated articles: the same seed and count always give the same corpus.
import { slugify } from '../articles/slug.ts';
import { corpusPhotoUrl, DEMO_PHOTO_HEIGHT, DEMO_PHOTO_WIDTH } from './demo-photos.ts';
import type { NewArticle } from './insert.ts';
import { type Rng, rng } from './random.ts';
import { ACTIONS, HEADLINE_TAILS, SENTENCES, TOPICS } from './vocabulary.ts';

export interface CorpusRefs {
  sections: { id: number; slug: string }[];
  reporterIds: number[];
  /** Tag ids by slug. */
  tagIds: Map<string, number>;
}

/** Generated articles end here and spread back over two years. */
export const CORPUS_END = new Date('2025-11-30T15:00:00Z');
const SPAN_MS = 730 * 24 * 3600 * 1000;

function fill(template: string, vars: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => vars[k] ?? '');
}

function paragraph(r: Rng, vars: Record<string, string>): string {
  const count = r.int(2, 4);
  return Array.from({ length: count }, () => fill(r.pick(SENTENCES), { ...vars, day: String(r.int(1, 28)) })).join(' ');
}

export function* generateArticles(count: number, refs: CorpusRefs, seed = 2024, startIndex = 0): Generator<NewArticle> {
  const r = rng(seed);
  for (let i = 0; i < startIndex + count; i++) {
    const section = r.pick(refs.sections);
    const vocab = TOPICS[section.slug] ?? TOPICS.society!;
    const subject = r.pick(vocab.subjects);
    const topic = r.pick(vocab.topics);
    const headline = `${subject}, ${topic} ${r.pick(ACTIONS)}${r.pick(HEADLINE_TAILS)}`;
    const vars = { subject, topic };
    const deck = r.chance(0.7)
      ? [
          `${topic} ${r.pick(ACTIONS)}…${r.pick(vocab.subjects)}와 협력`,
          ...(r.chance(0.4) ? [`${r.int(2, 30)}개 기관 참여, ${r.int(2026, 2030)}년까지 단계적 시행`] : []),
        ]
      : [];
    const photo = r.chance(0.45)
      ? {
          url: corpusPhotoUrl(i),
          caption: `${subject} ${topic} 관련 현장 모습.`,
          credit: '일간환경연합',
          alt: `${topic} 현장`,
          width: DEMO_PHOTO_WIDTH,
          height: DEMO_PHOTO_HEIGHT,
        }
      : undefined;
    const paragraphs = Array.from({ length: r.int(3, 7) }, () => paragraph(r, vars));
    const reporterCount = r.chance(0.15) ? 2 : 1;
    const reporterIds = [...new Set(Array.from({ length: reporterCount }, () => r.pick(refs.reporterIds)))];
    const tagIds = [...new Set(vocab.tags.filter(() => r.chance(0.4)).map(([slug]) => refs.tagIds.get(slug)!))];
    const publishedAt = new Date(CORPUS_END.getTime() - Math.floor(r.next() * SPAN_MS));
    const breaking = r.chance(0.03);
    const viewCount = Math.floor(r.next() ** 3 * 4000);
    const likeCount = Math.floor(viewCount * r.next() * 0.02);
    const edited = r.chance(0.1) ? new Date(publishedAt.getTime() + r.int(10, 600) * 60_000) : null;
    if (i < startIndex) continue;
    yield {
      slug: `${slugify(headline, 60)}-${i + 1}`,
      headline,
      deck,
      body: [
        { type: 'paragraph', text: `[일간환경연합 ${r.pick(['기자', '취재팀'])}] ${paragraphs[0]}` },
        ...(photo ? [{ type: 'image' as const, photo, caption: photo.caption, credit: photo.credit }] : []),
        ...paragraphs.slice(1).map((text) => ({ type: 'paragraph' as const, text })),
      ],
      status: 'PUBLISHED',
      publishedAt,
      editedAt: edited && edited < CORPUS_END ? edited : null,
      breaking,
      sectionId: section.id,
      leadImage: photo,
      reporterIds,
      tagIds,
      viewCount,
      likeCount,
    };
  }
}

export function allCorpusTags(): [string, string][] {
  const seen = new Map<string, string>();
  for (const v of Object.values(TOPICS)) for (const [slug, name] of v.tags) seen.set(slug, name);
  return [...seen];
}

/** A generated corpus as `npm run db:seed` loads it: plain data, so a worker thread can generate it too. */
export interface CorpusSpec {
  count: number;
  refs: CorpusRefs;
  seed: number;
  /** Put before every slug (keeps a seeded corpus apart from the demo one). */
  slugPrefix: string;
}

export function* corpusArticles(spec: CorpusSpec): Generator<NewArticle> {
  for (const article of generateArticles(spec.count, spec.refs, spec.seed))
    yield { ...article, slug: `${spec.slugPrefix}${article.slug}` };
}
