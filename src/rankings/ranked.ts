// What a ranking is computed from: the most viewed articles of a scope over time buckets. The view
// stores (src/views/store.ts) implement `RankedSource`; rankings depend on this, never on views/.
import type { Bucket } from './windows.ts';

/** A ranking scope: every article, or one section. */
export type Scope = { sectionId: number } | 'all';

export interface Ranked {
  articleId: number;
  views: number;
}

export interface RankedSource {
  /**
   * The most viewed articles over the union of `buckets` in `scope`: views descending, then article
   * id descending (newer first), `limit` entries from `offset`.
   */
  top(scope: Scope, buckets: readonly Bucket[], offset: number, limit: number): Promise<Ranked[]>;
}

/** Newest first among equals: views descending, then article id descending. */
export function compareRanked(a: Ranked, b: Ranked): number {
  return b.views - a.views || b.articleId - a.articleId;
}
