// Plain-text helpers shared by excerpts, reading time, print/e-mail text and search snippets.

/** A leading dateline such as "[일간환경연합 한선미 기자]" is page furniture, not the story. */
const DATELINE = /^\s*\[[^\]\n]{1,60}\]\s*/;

export function collapseWhitespace(text: string): string {
  return text.replace(/[\s\u00a0]+/g, ' ').trim();
}

/** A plain-text snippet of at most `length` characters, cut at a word boundary, ending in "…". */
export function excerpt(bodyText: string, length: number): string {
  const text = collapseWhitespace(bodyText.replace(DATELINE, ''));
  const chars = Array.from(text);
  if (chars.length <= length) return text;
  const cut = chars.slice(0, Math.max(1, length - 1)).join('');
  const space = cut.lastIndexOf(' ');
  const head = space > cut.length * 0.6 ? cut.slice(0, space) : cut;
  return `${head.replace(/[\s,.·…]+$/, '')}…`;
}

/** Korean news is read at roughly 500 characters a minute. */
export function readingTimeMinutes(bodyText: string): number {
  const chars = collapseWhitespace(bodyText).replace(/ /g, '').length;
  return Math.max(1, Math.ceil(chars / 500));
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": '#39' }[c]};`);
}
