// Search tokens, computed by the app (the same on PGlite and PostgreSQL, which have no Korean parser),
// stored in Article.searchTokens (text[]) under a GIN index. What Elasticsearch's CJK analyser does:
// - a run of Hangul, Han or kana yields every single character and every pair of neighbours
//   ("서울시장" → 서, 울, 시, 장, 서울, 울시, 시장), so one- and two-syllable words are index hits;
// - any other run of letters and digits is one lower-cased word ("Yin", "COP28" → yin, cop28).
// A query word needs all its tokens (a single character or a pair is one token; a longer CJK word
// its pairs, then a substring check confirms they are adjacent). pg_trgm cannot do this: it extracts
// no trigram from a one- or two-character word, so such searches read every body.
// The same array also holds an article's facets ("section:3", "reporter:12", "tag:40"; a text's token
// never holds ':'), so a search filtered by section, reporter or tag meets the filter in the same GIN
// scan as its words instead of reading every article with the words to check the filter.
import { searchTextOf } from '../articles/body.ts';

const CJK = '\\p{Script=Hangul}\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}';
const RUNS = new RegExp(`[${CJK}]+|(?:(?![${CJK}])[\\p{L}\\p{N}])+`, 'gu');
const IS_CJK = new RegExp(`^[${CJK}]`, 'u');

export function normalizeText(text: string): string {
  return text.normalize('NFC').toLowerCase();
}

function runs(text: string): string[] {
  return normalizeText(text).match(RUNS) ?? [];
}

/** Every token of a text: CJK characters and neighbour pairs, other words whole. */
export function documentTokens(text: string): string[] {
  const tokens = new Set<string>();
  for (const run of runs(text)) {
    if (!IS_CJK.test(run)) {
      tokens.add(run);
      continue;
    }
    const chars = Array.from(run);
    for (let i = 0; i < chars.length; i++) {
      tokens.add(chars[i]!);
      if (i + 1 < chars.length) tokens.add(chars[i]! + chars[i + 1]!);
    }
  }
  return [...tokens];
}

/**
 * The tokens a query word needs, and whether they prove it: a word that is one token (a CJK character
 * or pair, a Latin word) is found by the index alone; a longer one also needs a substring check.
 */
export function termTokens(term: string): { tokens: string[]; exact: boolean } {
  const tokens: string[] = [];
  for (const run of runs(term)) {
    const chars = Array.from(run);
    if (!IS_CJK.test(run) || chars.length === 1) tokens.push(run);
    else for (let i = 0; i + 1 < chars.length; i++) tokens.push(chars[i]! + chars[i + 1]!);
  }
  return { tokens: [...new Set(tokens)], exact: tokens.length === 1 && tokens[0] === normalizeText(term) };
}

/** What an article is filed under: search's filters by section, reporter and tag. */
export interface ArticleFacets {
  sectionId: number;
  reporterIds: readonly number[];
  tagIds: readonly number[];
}

export type FacetKind = 'section' | 'reporter' | 'tag';

/** The facets as tokens (the SQL of migration 20261207130000_search_facets writes the same). */
export function facetTokens(facets: ArticleFacets): string[] {
  return [
    `section:${facets.sectionId}`,
    ...facets.reporterIds.map((id) => `reporter:${id}`),
    ...facets.tagIds.map((id) => `tag:${id}`),
  ];
}

/** facetTokens of the article row `a` in SQL (the stored byline and tags). */
export function facetTokensSql(a: string): string {
  return `ARRAY['section:' || ${a}."sectionId"]
    || ARRAY(SELECT 'reporter:' || ar."reporterId" FROM "ArticleReporter" ar WHERE ar."articleId" = ${a}.id ORDER BY ar.position)
    || ARRAY(SELECT 'tag:' || at."tagId" FROM "ArticleTag" at WHERE at."articleId" = ${a}.id)`;
}

/**
 * The derived search columns of an article, written with every change of its text, section, byline or
 * tags. `tokenize` gives `documentTokens`' answer (the seeder passes a memoising equivalent, src/seed/derived.ts).
 */
export function searchColumns(
  headline: string,
  deck: string[],
  bodyText: string,
  facets: ArticleFacets,
  tokenize: (text: string) => string[] = documentTokens,
): { searchText: string; searchTokens: string[] } {
  // NFC, like the query words: an all-CJK word is then found in it by a plain substring check.
  const searchText = searchTextOf(headline, deck, bodyText).normalize('NFC');
  return { searchText, searchTokens: [...tokenize(searchText), ...facetTokens(facets)] };
}
