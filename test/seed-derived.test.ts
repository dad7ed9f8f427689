// The seed's cheaper derived columns (src/seed/derived.ts) are exactly the app's own functions.
import { describe, expect, it } from 'vitest';
import { bodyToText, searchTextOf } from '../src/articles/body.ts';
import { bodyTextColumns } from '../src/articles/text.ts';
import { documentTokens, searchColumns } from '../src/search/tokens.ts';
import { generateArticles } from '../src/seed/corpus.ts';
import { seedBodyTextColumns, seedDocumentTokens, seedSearchColumns } from '../src/seed/derived.ts';
import { articleRows } from '../src/seed/insert.ts';
import { corpusRefs } from './harness/corpus-refs.ts';

const refs = corpusRefs;

// Words whose tokens depend on their neighbours if anything does: combining marks and Hangul jamo
// after a break, final sigma, dotted capital I, surrogate pairs, lone surrogates, NBSP and other
// spaces that are not word breaks, digits, punctuation, empty words.
const TRICKY = [
  'ΟΔΟΣ ΟΔΟΣ\nΣ Σ. ΑΣ\u0301 ΑΣ\u00a0Β',
  'e \u0301e \u0301 \n\u0301x a\u0308 \u0308',
  '\u1100 \u1161 \u1100\u1161 \u110b\u1175\n\u11ab 가\u11a8',
  'İSTANBUL I\u0307 ǅ ß ﬃ',
  '𠀀𠀁 𠀀 \ud800 a\udc00b 殷勇 ひらがな カタカナ',
  '서울시는  베이징시장과\n\n\n 가 COP28 Yin-Yong 2024년 1.5℃',
  '  leading\ttab\rcarriage\u2028line\u3000ideographic  ',
  '',
  ' ',
  '\n',
];

describe('seed derived columns', () => {
  it('tokenises like documentTokens, word by word memoised', () => {
    for (const text of TRICKY) {
      expect(seedDocumentTokens(text), JSON.stringify(text)).toEqual(documentTokens(text));
      expect(seedDocumentTokens(text + text), JSON.stringify(text)).toEqual(documentTokens(text + text));
    }
    const joined = TRICKY.join(' ');
    expect(seedDocumentTokens(joined)).toEqual(documentTokens(joined));
    expect(seedDocumentTokens(TRICKY.join('\n'))).toEqual(documentTokens(TRICKY.join('\n')));
  });

  it('computes every derived column of generated articles as the app does', () => {
    const articles = [...generateArticles(3000, refs, 17)];
    const { rows } = articleRows(articles, 1, 1);
    (rows.Article as { headline: string; deck: string[]; bodyText: string }[]).forEach((row, i) => {
      expect(row).toMatchObject({
        ...searchColumns(row.headline, row.deck, row.bodyText, articles[i]!),
        ...bodyTextColumns(row.bodyText),
      });
    });
    const body = bodyToText(articles[0]!.body as never);
    const facets = { sectionId: 3, reporterIds: [12, 4], tagIds: [40] };
    expect(seedSearchColumns('h', ['d'], body, facets)).toEqual(searchColumns('h', ['d'], body, facets));
    expect(searchColumns('h', ['d'], body, facets).searchTokens.slice(-4)).toEqual([
      'section:3',
      'reporter:12',
      'reporter:4',
      'tag:40',
    ]);
    expect(searchTextOf('h', ['d'], body).length).toBeGreaterThan(100);
  });

  it('cuts the stored excerpt by code points like bodyTextColumns', () => {
    const texts = [
      '',
      '[일간환경연합 기자] ',
      'a'.repeat(1001),
      'a'.repeat(1002),
      '가'.repeat(999) + '𠀀'.repeat(3),
      '𠀀'.repeat(600),
      '[dateline] ' + '𠀀 '.repeat(700),
      `${'x'.repeat(1000)}\ud800${'y'.repeat(5)}`,
      ` \n\n${'서울 '.repeat(800)}\n`,
    ];
    for (const text of texts) expect(seedBodyTextColumns(text), text.slice(0, 20)).toEqual(bodyTextColumns(text));
  });
});
