// The typed topic map: every event the API publishes, named in one place. Payloads carry ids and
// plain JSON values only (ISO strings, not Dates): they pass through Redis as JSON, and the
// subscription fields load rows themselves, with the reader's visibility rule and selection.

export type ArticleChangeKind = 'EDITED' | 'UNPUBLISHED' | 'ARCHIVED' | 'DELETED';

export interface Topics {
  /** An article became visible to readers (published now, or its scheduled time arrived). */
  'article:published': {
    articleId: number;
    /** ISO instant; with the id it is the resume cursor's position. */
    publishedAt: string;
    /** For filtering without a database round trip per subscriber. */
    sectionSlug: string;
    breaking: boolean;
  };
  /** A visible article was edited, or stopped being visible. */
  'article:updated': {
    articleId: number;
    kind: ArticleChangeKind;
    /** ISO instant of the change (editedAt for EDITED). */
    at: string;
  };
  /** Surrogate keys whose cached responses every instance drops (src/cache/outbox.ts). */
  'cache:purge': { keys: string[] };
}

export type Topic = keyof Topics;

/** Every topic, for the Redis subscriber connection (it subscribes to all of them once). */
export const TOPICS = ['article:published', 'article:updated', 'cache:purge'] as const satisfies readonly Topic[];

/**
 * One delivered event as every local listener sees it: the same object for all listeners in this
 * process, so per-event work (a visibility check, a row load for one selection) can be shared.
 */
export interface Delivery<T extends Topic = Topic> {
  topic: T;
  payload: Topics[T];
  /** Per-process sequence number of deliveries, strictly increasing. */
  seq: number;
  /** When this process received the event: the instant visibility is judged against. */
  receivedAt: Date;
}
