// Every Redis key of the view store, spelled once for TypeScript and for the Lua scripts. Each key is
// a template below the deployment's prefix; `ViewKeys` fills it in TypeScript, and `LUA_KEY_FUNCTIONS`
// (prepended to each script) defines the same template as a Lua function `key_<name>(prefix, …)`.
// Key names are built inside the scripts, so they are for a single Redis (not Cluster).
// test/views-redis.test.ts checks that both spellings give the same names on a real Redis.
import type { Bucket } from '../rankings/windows.ts';

const TEMPLATES = {
  /** De-duplication mark of a visitor on an article: the instant of the counted view, expiring. */
  seen: 's:{article}:{visitor}',
  /** Hash article → views recorded and not yet claimed by a flush. */
  pendingTotals: 'pt',
  /** Hash "article:hour" → views recorded and not yet claimed by a flush. */
  pendingHours: 'ph',
  /** Sorted set: claimed flush batches by claim instant. */
  flushes: 'fl',
  /** A claimed batch's totals and hours (the pending hashes, renamed). */
  flushTotals: 'f:{flush}:t',
  flushHours: 'f:{flush}:h',
  /** Set once the rankings were rebuilt from history (absent: Redis lost its data). */
  rebuilt: 'rebuilt',
  rebuildLock: 'rebuild-lock',
  /** Sorted set of a bucket's views per article (zero-padded id), overall ("a") or per section. */
  rank: 'z:{level}:{index}:{scope}',
  /** HyperLogLog of a bucket's visitors of one article. */
  unique: 'u:{level}:{index}:{article}',
  /** Scratch key of one ranking read. */
  scratch: 'tmp:{id}',
} as const;

type KeyName = keyof typeof TEMPLATES;

function fill(prefix: string, name: KeyName, values: readonly (string | number)[]): string {
  let i = 0;
  return prefix + TEMPLATES[name].replace(/\{\w+\}/g, () => String(values[i++]));
}

export class ViewKeys {
  constructor(readonly prefix: string) {}

  seen = (articleId: number, visitor: string) => fill(this.prefix, 'seen', [articleId, visitor]);
  pendingTotals = () => fill(this.prefix, 'pendingTotals', []);
  pendingHours = () => fill(this.prefix, 'pendingHours', []);
  flushes = () => fill(this.prefix, 'flushes', []);
  flushTotals = (flushId: string) => fill(this.prefix, 'flushTotals', [flushId]);
  flushHours = (flushId: string) => fill(this.prefix, 'flushHours', [flushId]);
  rebuilt = () => fill(this.prefix, 'rebuilt', []);
  rebuildLock = () => fill(this.prefix, 'rebuildLock', []);
  /** `scope`: `scopeKey` of src/views/store.ts ("a", or a section id). */
  rank = (bucket: Bucket, scope: string) => fill(this.prefix, 'rank', [bucket.level, bucket.index, scope]);
  unique = (bucket: Bucket, articleId: number) => fill(this.prefix, 'unique', [bucket.level, bucket.index, articleId]);
  scratch = (id: string) => fill(this.prefix, 'scratch', [id]);
}

function luaFunction(name: KeyName): string {
  const template = TEMPLATES[name];
  const params = [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  const literals = template.split(/\{\w+\}/);
  const parts = ['p'];
  literals.forEach((literal, i) => {
    if (literal) parts.push(`'${literal}'`);
    if (i < params.length) parts.push(params[i]!);
  });
  return `local function key_${name}(${['p', ...params].join(', ')}) return ${parts.join(' .. ')} end`;
}

/** Lua functions `key_<name>(prefix, …)`, the same templates as `ViewKeys`. */
export const LUA_KEY_FUNCTIONS = (Object.keys(TEMPLATES) as KeyName[]).map(luaFunction).join('\n');
