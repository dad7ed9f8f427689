import { describe, expect, it } from 'vitest';
import { generateArticles } from '../src/seed/corpus.ts';
import { DEMO, SAMPLE_SLUG } from '../src/seed/demo.ts';
import { corpusRefs } from './harness/corpus-refs.ts';

const refs = corpusRefs;

describe('demo data', () => {
  it('generates the same corpus for the same seed, a different one for another seed', () => {
    const a = [...generateArticles(200, refs, 7)];
    const b = [...generateArticles(200, refs, 7)];
    const c = [...generateArticles(200, refs, 8)];
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(c));
    expect(new Set(a.map((x) => x.slug)).size).toBe(200);
    expect(a.every((x) => x.publishedAt && x.reporterIds.length > 0 && x.body.length > 0)).toBe(true);
  });

  it('carries the sample article as printed on the page', () => {
    expect(SAMPLE_SLUG).toBe('서울시장-베이징시장-6년-만에-회담-미래지향적-교류-방안-모색');
    expect(DEMO.sample.reporter).toMatchObject({ name: '한선미', title: '기자' });
    expect(new Date(DEMO.sample.publishedAt).toISOString()).toBe('2024-07-31T05:36:51.000Z');
    expect(DEMO.mostViewed.map((m) => m.headline)).toHaveLength(5);
  });
});
