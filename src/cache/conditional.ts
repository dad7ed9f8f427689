// The rules both ways of answering a cacheable read share (the Yoga pipeline in src/cache/plugin.ts
// and the fast path in src/cache/fast-path.ts): which requests are cacheable, If-None-Match, and what
// a 304 carries.

/** Anonymous GETs; a POST always executes (an app reads its own writes), a token's request too. */
export const cacheableRequest = (request: Request) => request.method === 'GET' && !request.headers.has('authorization');

/** Whether an If-None-Match header names `etag` (weak comparison, `*` matches). */
export function matches(ifNoneMatch: string, etag: string): boolean {
  const bare = etag.replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === bare;
  });
}

/** The headers a 304 repeats from the 200 it stands for (CORS headers are added to both by Yoga's CORS plugin). */
const NOT_MODIFIED_HEADERS = ['cache-control', 'etag', 'surrogate-key', 'cache-tag', 'vary', 'last-modified'];

export function notModifiedHeaders(headers: Headers): [string, string][] {
  const out: [string, string][] = [];
  for (const name of NOT_MODIFIED_HEADERS) {
    const value = headers.get(name);
    if (value != null) out.push([name, value]);
  }
  return out;
}

/** The Vary of a cacheable answer: Accept and Authorization pick it, besides what is there already (Origin, from CORS). */
export function varyValue(existing: string | null): string {
  const names = new Set(
    (existing ?? '')
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean),
  );
  names.add('Accept').add('Authorization');
  return [...names].join(', ');
}
