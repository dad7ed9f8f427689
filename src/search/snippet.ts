// Highlighted snippets: HTML-escaped text with each matched term wrapped in <mark>.
import { collapseWhitespace, escapeHtml } from '../articles/text.ts';

function termRegex(terms: string[]): RegExp | null {
  if (terms.length === 0) return null;
  const alternatives = [...terms]
    .sort((a, b) => b.length - a.length)
    .map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(alternatives.join('|'), 'giu');
}

/** Escapes `text` and marks every occurrence of a term. */
export function highlight(text: string, terms: string[]): string {
  const re = termRegex(terms);
  if (!re) return escapeHtml(text);
  let out = '';
  let last = 0;
  for (const m of text.matchAll(re)) {
    out += `${escapeHtml(text.slice(last, m.index))}<mark>${escapeHtml(m[0])}</mark>`;
    last = m.index + m[0].length;
  }
  return out + escapeHtml(text.slice(last));
}

/** About `length` characters of the first passage containing a term, highlighted. */
export function snippet(texts: string[], terms: string[], length = 160): string {
  const re = termRegex(terms);
  const candidates = texts.map(collapseWhitespace).filter(Boolean);
  const text = (re && candidates.find((t) => t.search(re) >= 0)) || candidates[0] || '';
  const at = re ? Math.max(0, text.search(re)) : 0;
  let start = Math.max(0, at - Math.floor(length / 3));
  if (start > 0) {
    const space = text.lastIndexOf(' ', start);
    start = space >= 0 && start - space < 20 ? space + 1 : start;
  }
  const end = Math.min(text.length, start + length);
  const body = highlight(text.slice(start, end), terms);
  return `${start > 0 ? '…' : ''}${body}${end < text.length ? '…' : ''}`;
}
