// Surrogate keys: the names a cached response is filed under, and what a purge names. One place,
// so the keys a response is tagged with and the keys a change purges cannot drift apart.
//
// - An entity's key is its global id exactly as the response shows it (`QXJ0aWNsZToxMg==`).
// - A list's key names the list a new article would join: `latest` (unfiltered lists, search),
//   `photo` (photo news), a section's front (`section:<slug>` for lists filtered by slug,
//   `list:<section global id>` for `Section.articles`), a reporter's or tag's list likewise, and a
//   ranking window (`ranking:DAY`).
// - `all:Article` (and friends) is the broad fallback a response carries instead of its article ids
//   when they would not fit in a CDN's header limit; every article purge names it too.
import { encodeGlobalId } from '../relay/global-id.ts';

export const LATEST = 'latest';
export const PHOTO = 'photo';

export type ListOwner = 'section' | 'reporter' | 'tag';

const OWNER_TYPE: Record<ListOwner, string> = { section: 'Section', reporter: 'Reporter', tag: 'Tag' };

/** An entity's key: its global id. */
export const entityKey = (typename: string, id: number | string) => encodeGlobalId(typename, id);
/** Slugs are Korean: keys are percent-encoded so headers stay ASCII, without spaces or commas. */
const safe = (text: string) => encodeURIComponent(text).slice(0, 200);
/** A list filtered by an owner's slug (`latestArticles(section: "politics")`). */
export const slugListKey = (owner: ListOwner, slug: string) => `${owner}:${safe(slug)}`;
/** An article looked up by slug (also when it was not found: publishing it purges the null). */
export const articleSlugKey = (slug: string) => `slug:${safe(slug)}`;
/** A list hanging off the owner itself (`section { articles }`). */
export const ownerListKey = (owner: ListOwner, id: number) => `list:${encodeGlobalId(OWNER_TYPE[owner], id)}`;
/** Both names of an owner's list: a change that joins or leaves it purges both. */
export const listKeys = (owner: ListOwner, row: { id: number; slug: string }) => [
  slugListKey(owner, row.slug),
  ownerListKey(owner, row.id),
];
export const rankingKey = (window: string) => `ranking:${safe(window)}`;
/** The broad key that stands for every entity of a type when the precise ones do not fit. */
export const typeKey = (typename: string) => `all:${typename}`;

/** Types whose global ids become keys (the rest, e.g. body blocks and photos, belong to an article). */
export const KEYED_TYPES = new Set(['Article', 'Reporter', 'Section', 'Tag']);

/**
 * Cloudflare accepts at most 16 KB of Cache-Tag per response (Fastly: 16 KB of Surrogate-Key); keys
 * past this budget are replaced by their type's broad key.
 */
export const HEADER_BUDGET = 15_000;

export interface ResponseKeys {
  /** Entity keys by type. */
  entities: Map<string, Set<string>>;
  lists: Set<string>;
}

/**
 * The keys a response carries, within `budget` bytes however it is joined: list keys first, then
 * entity keys; when they do not fit, the most numerous type's ids give way to `all:<Type>` until it does.
 */
export function boundedKeys(keys: ResponseKeys, budget = HEADER_BUDGET): string[] {
  const byType = new Map([...keys.entities].map(([type, ids]) => [type, [...ids]]));
  const size = () => {
    let n = 0;
    for (const k of keys.lists) n += k.length + 1;
    for (const ids of byType.values()) for (const id of ids) n += id.length + 1;
    return n + [...keys.entities.keys()].filter((t) => !byType.has(t)).reduce((s, t) => s + typeKey(t).length + 1, 0);
  };
  while (size() > budget && byType.size > 0) {
    const [largest] = [...byType].sort((a, b) => b[1].length - a[1].length)[0]!;
    byType.delete(largest);
  }
  const out = [...keys.lists];
  for (const type of keys.entities.keys()) {
    const ids = byType.get(type);
    if (ids) out.push(...ids);
    else out.push(typeKey(type));
  }
  return out;
}
