// The derived columns of seeded articles (searchText, searchTokens, excerptText, readingMinutes),
// exactly as the app computes them (src/search/tokens.ts, src/articles/text.ts), but cheaper for a
// corpus built from a small vocabulary, where the same words recur millions of times:
// - searchTokens: documentTokens of each word (a piece between spaces and line breaks), memoised,
//   merged in order without repeats. A space or line break is never part of a token, NFC never
//   composes across it (no canonical composition starts with U+0020 or U+000A) and lower-casing
//   never looks across it (it is not case-ignorable, which bounds the final-sigma context), so the
//   tokens of a text are the ordered union of its words' tokens (test/seed-derived.test.ts).
// - excerptText: the excerpt source as it is when it has no more than EXCERPT_MAX_LENGTH + 1 code
//   units (it then has no more code points either), else cut by code points like bodyTextColumns.
// - readingMinutes: readingTimeMinutes itself.
import { EXCERPT_MAX_LENGTH, excerptSource, readingTimeMinutes } from '../articles/text.ts';
import { type ArticleFacets, documentTokens, searchColumns } from '../search/tokens.ts';

/** Memoised tokens per word; bounded so an unusual corpus cannot grow it without limit. */
const wordTokens = new Map<string, readonly string[]>();
const MAX_WORDS = 200_000;
const WORD_BREAKS = /[ \n]/;

/** documentTokens(text), memoised per word. */
export function seedDocumentTokens(text: string): string[] {
  const tokens = new Set<string>();
  for (const word of text.split(WORD_BREAKS)) {
    if (word === '') continue;
    let known = wordTokens.get(word);
    if (known === undefined) {
      known = documentTokens(word);
      if (wordTokens.size < MAX_WORDS) wordTokens.set(word, known);
    }
    for (const token of known) tokens.add(token);
  }
  return [...tokens];
}

/** searchColumns(headline, deck, bodyText, facets) of src/search/tokens.ts, with the memoised tokens. */
export function seedSearchColumns(
  headline: string,
  deck: string[],
  bodyText: string,
  facets: ArticleFacets,
): { searchText: string; searchTokens: string[] } {
  return searchColumns(headline, deck, bodyText, facets, seedDocumentTokens);
}

/** bodyTextColumns(bodyText) of src/articles/text.ts. */
export function seedBodyTextColumns(bodyText: string): { excerptText: string; readingMinutes: number } {
  const source = excerptSource(bodyText);
  let excerptText = source;
  if (source.length > EXCERPT_MAX_LENGTH + 1) {
    let end = 0;
    let count = 0;
    for (const ch of source) {
      if (++count > EXCERPT_MAX_LENGTH + 1) break;
      end += ch.length;
    }
    excerptText = source.slice(0, end);
  }
  return { excerptText, readingMinutes: readingTimeMinutes(bodyText) };
}
