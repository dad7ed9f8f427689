// Article bodies are ordered blocks stored as JSON. This module is the only place that knows
// their shape: parsing stored JSON, and deriving the plain text used for excerpts and search.

export type BodyBlock =
  | { type: 'paragraph'; text: string }
  | { type: 'image'; mediaId: number; caption?: string | null; credit?: string | null }
  | { type: 'quote'; text: string; attribution?: string | null };

function isBlock(value: unknown): value is BodyBlock {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  switch (v.type) {
    case 'paragraph':
    case 'quote':
      return typeof v.text === 'string';
    case 'image':
      return typeof v.mediaId === 'number';
    default:
      return false;
  }
}

/** Stored JSON to blocks; anything unrecognised is skipped rather than failing the page. */
export function parseBody(json: unknown): BodyBlock[] {
  return Array.isArray(json) ? json.filter(isBlock) : [];
}

/** The readable text of a body: paragraphs and quotes, separated by blank lines. */
export function bodyToText(blocks: BodyBlock[]): string {
  return blocks
    .flatMap((b) => {
      if (b.type === 'paragraph') return [b.text];
      if (b.type === 'quote') return [b.attribution ? `“${b.text}” — ${b.attribution}` : `“${b.text}”`];
      return [];
    })
    .map((t) => t.trim())
    .filter(Boolean)
    .join('\n\n');
}

/** The text search runs over: headline, deck lines and body. */
export function searchTextOf(headline: string, deck: string[], bodyText: string): string {
  return [headline, ...deck, bodyText].join('\n');
}
