// Plain-text helpers shared by excerpts, reading time, print/e-mail text and search snippets.

/** A leading dateline such as "[일간환경연합 한선미 기자]" is page furniture, not the story. */
const DATELINE = /^\s*\[[^\]\n]{1,60}\]\s*/;

export function collapseWhitespace(text: string): string {
  return text.replace(/[\s\u00a0]+/g, ' ').trim();
}

/** The largest `length` the `excerpt` field accepts. */
export const EXCERPT_MAX_LENGTH = 1000;

/** The text excerpts are cut from: the body without its dateline, whitespace collapsed. */
export function excerptSource(bodyText: string): string {
  return collapseWhitespace(bodyText.replace(DATELINE, ''));
}

/** Cuts an excerpt of at most `length` characters from `excerptSource` text (or its stored prefix). */
export function cutExcerpt(text: string, length: number): string {
  // Characters are code points (as Array.from counts them); only the first max(length, keep) + 1 are
  // looked at, not the whole text.
  // Counted on UTF-16 units (a surrogate pair is one character, a lone surrogate one too), since
  // `for…of` made a string of every character: ~3 KB of garbage per Korean excerpt.
  const keep = Math.max(1, length - 1);
  let count = 0;
  let end = 0;
  let keepEnd = 0;
  while (end < text.length) {
    count++;
    if (count > length && count > keep) break;
    const unit = text.charCodeAt(end);
    end +=
      unit >= 0xd800 && unit <= 0xdbff && end + 1 < text.length && (text.charCodeAt(end + 1) & 0xfc00) === 0xdc00
        ? 2
        : 1;
    if (count === keep) keepEnd = end;
  }
  if (count <= length) return text;
  const cut = text.slice(0, keepEnd);
  const space = cut.lastIndexOf(' ');
  const head = space > cut.length * 0.6 ? cut.slice(0, space) : cut;
  return `${head.replace(/[\s,.·…]+$/, '')}…`;
}

/** A plain-text snippet of at most `length` characters, cut at a word boundary, ending in "…". */
export function excerpt(bodyText: string, length: number): string {
  return cutExcerpt(excerptSource(bodyText), length);
}

/** Korean news is read at roughly 500 characters a minute. */
export function readingTimeMinutes(bodyText: string): number {
  const chars = collapseWhitespace(bodyText).replace(/ /g, '').length;
  return Math.max(1, Math.ceil(chars / 500));
}

/**
 * The columns derived from an article's plain text, written with every change of it, so lists do not
 * load whole bodies. `excerptText` keeps the first EXCERPT_MAX_LENGTH + 1 characters of the excerpt
 * source: `cutExcerpt` only looks at the first `length - 1` characters and at whether there are more
 * than `length`, so every allowed excerpt cut from it equals the one cut from the whole body.
 * `readingMinutes` is at least 1; 0 marks a row written without these columns (see derived-backfill.ts).
 */
export function bodyTextColumns(bodyText: string): { excerptText: string; readingMinutes: number } {
  const chars = Array.from(excerptSource(bodyText));
  return { excerptText: chars.slice(0, EXCERPT_MAX_LENGTH + 1).join(''), readingMinutes: readingTimeMinutes(bodyText) };
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": '#39' }[c]};`);
}
