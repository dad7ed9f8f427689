// The hostile corpus: what an attacker sends, generated as data and fired at the real server running
// as its own process (production mode, PostgreSQL, Redis) over HTTP GET and POST, multipart, forms,
// SSE and WebSocket. Every string argument of the schema (found by walking it) gets NUL bytes, lone
// surrogates, over-long values and injection strings; then the structural attacks: malformed GET
// parameters, CSRF-style bodies, batches, fragment cycles, depth, aliases, tokens, directives, huge
// bodies and variables, introspection abuse, wrong types, dates PostgreSQL cannot store, cursors out
// of range, hidden-article resume cursors, path traversal on /media, beacon abuse.
// Asserted for every request: no 5xx, no INTERNAL_SERVER_ERROR, the expected code where one is
// certain; after the run: the process is alive, its memory is back near the baseline, and it logged
// no stack trace for any of it.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatPrismaCursor } from '@pothos/plugin-prisma';
import { encodeBase64 } from '@pothos/core';
import {
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  getIntrospectionQuery,
  getNamedType,
  isCompositeType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
} from 'graphql';
import { createClient } from 'graphql-ws';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import WebSocket from 'ws';
import { schema } from '../src/schema.ts';
import { encodeGlobalId } from '../src/relay/global-id.ts';
import { type ChildServer, startChildServer } from './harness/child-server.ts';
import { createPostgresDatabase } from './harness/server.ts';
import { type RedisServer, redisSkipReason, startRedis } from './harness/redis.ts';

const CSRF = { 'x-graphql-yoga-csrf': '1' };
const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/graphql-response+json' };

/** Values every string argument must refuse before anything runs: BAD_USER_INPUT. */
const REFUSED = ['a\u0000b', '\u0000', '\ud800', 'x\udfffy', '\udc00\ud800', 'ㄱ'.repeat(20_001)];
/** Values that must be harmless wherever they go (no 5xx, no internal error, no SQL or markup effect). */
const INJECTIONS = [
  "' OR '1'='1' --",
  'Robert\'); DROP TABLE "Article";--',
  '%_\\%',
  '../../../../etc/passwd',
  '<script>alert(1)</script>',
  '${jndi:ldap://127.0.0.1/x}',
  '{{7*7}}',
  '\u202e\u0301\u200b',
  '😀'.repeat(40),
  '(a+)+$',
  '\r\nX-Injected: 1',
  '',
  ' ',
  '%00',
  '\\u0000',
  'ＡＢＣ 서울 殷勇',
  '$where: 1',
  'a'.repeat(1_001),
];

interface Outcome {
  transport: string;
  status: number;
  body: string;
  /** What else helps explain a failure (printed with it, never judged). */
  detail?: string;
}
interface Case {
  name: string;
  run: () => Promise<Outcome>;
  /** The error code that must be among the answer's errors. */
  code?: string;
  /** The exact HTTP status, or the class (4 = any 4xx). */
  status?: number;
}

// ---------- the schema's string arguments ----------

interface Slot {
  operation: 'query' | 'mutation' | 'subscription';
  field: GraphQLField<unknown, unknown>;
  /** Argument name, then input fields down to the string. */
  path: string[];
}

function stringPaths(type: GraphQLInputType, prefix: string[], depth: number): string[][] {
  const named = getNamedType(type);
  if (isScalarType(named) && (named.name === 'String' || named.name === 'ID')) return [prefix];
  if (isInputObjectType(named) && depth < 3) {
    return Object.values(named.getFields()).flatMap((f) => stringPaths(f.type, [...prefix, f.name], depth + 1));
  }
  return [];
}

function slots(): Slot[] {
  const out: Slot[] = [];
  for (const [operation, root] of [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
    ['subscription', schema.getSubscriptionType()],
  ] as const) {
    for (const field of Object.values(root?.getFields() ?? {})) {
      for (const arg of field.args)
        for (const p of stringPaths(arg.type, [arg.name], 0)) out.push({ operation, field, path: p });
    }
  }
  return out;
}

let sampleId = '';

/** A valid value for a required input, so that only the slot under attack is hostile. */
function filler(type: GraphQLInputType, name: string): unknown {
  if (isNonNullType(type)) return filler(type.ofType, name);
  if (isListType(type)) return [filler(type.ofType as GraphQLInputType, name)];
  const named = type as GraphQLNamedType;
  if (isEnumType(named)) return named.getValues()[0]!.name;
  if (isInputObjectType(named)) {
    const obj: Record<string, unknown> = {};
    for (const f of Object.values(named.getFields())) if (isNonNullType(f.type)) obj[f.name] = filler(f.type, f.name);
    return obj;
  }
  switch (named.name) {
    case 'ID':
      return sampleId;
    case 'Int':
    case 'Float':
      return 1;
    case 'Boolean':
      return false;
    case 'DateTime':
      return '2024-01-01T00:00:00Z';
    case 'File':
      return null;
    default:
      return /visitor/i.test(name) ? 'visitor-hostile-01' : 'politics';
  }
}

function setPath(target: Record<string, unknown>, pathTo: string[], type: GraphQLInputType, value: unknown): void {
  const [head, ...rest] = pathTo;
  let inner = isNonNullType(type) ? type.ofType : type;
  const list = isListType(inner);
  if (list) inner = getNamedType(inner) as GraphQLInputType;
  if (rest.length === 0) {
    target[head!] = list ? [value] : value;
    return;
  }
  const obj =
    (target[head!] as Record<string, unknown> | undefined) ?? (filler(inner, head!) as Record<string, unknown>) ?? {};
  target[head!] = obj;
  const fieldType = isInputObjectType(inner) ? inner.getFields()[rest[0]!]!.type : inner;
  setPath(obj, rest, fieldType, value);
}

function operationFor(slot: Slot, value: unknown): { query: string; variables: Record<string, unknown> } {
  const variables: Record<string, unknown> = {};
  for (const arg of slot.field.args as readonly GraphQLArgument[]) {
    if (arg.name === slot.path[0]) setPath(variables, slot.path, arg.type, value);
    else if (isNonNullType(arg.type)) variables[arg.name] = filler(arg.type, arg.name);
  }
  const used = slot.field.args.filter((a) => a.name in variables);
  const defs = used.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ');
  const call = used.map((a) => `${a.name}: $${a.name}`).join(', ');
  const selection = isCompositeType(getNamedType(slot.field.type)) ? ' { __typename }' : '';
  const query = `${slot.operation} Hostile${defs ? `(${defs})` : ''} { ${slot.field.name}${call ? `(${call})` : ''}${selection} }`;
  return { query, variables };
}

// ---------- transports ----------

let server: ChildServer;
let adminToken = '';
let graphqlUrl = '';

async function http(transport: string, url: string, init: RequestInit): Promise<Outcome> {
  const res = await fetch(url, { ...init, redirect: 'manual' });
  return { transport, status: res.status, body: await res.text() };
}

function post(body: unknown, headers: Record<string, string> = {}, token?: string): Promise<Outcome> {
  return http('POST', graphqlUrl, {
    method: 'POST',
    headers: { ...JSON_HEADERS, ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

function get(params: Record<string, string> | string, headers: Record<string, string> = {}): Promise<Outcome> {
  const qs = typeof params === 'string' ? params : new URLSearchParams(params).toString();
  return http('GET', `${graphqlUrl}?${qs}`, {
    headers: { accept: 'application/graphql-response+json', ...CSRF, ...headers },
  });
}

function raw(
  method: string,
  pathAndQuery: string,
  headers: Record<string, string> = {},
  body?: BodyInit,
): Promise<Outcome> {
  return http(`${method} ${pathAndQuery.slice(0, 30)}`, `${server.base}${pathAndQuery}`, { method, headers, body });
}

/** SSE (GET, text/event-stream): the stream's first event, or the refusal. */
async function sse(query: string, variables: Record<string, unknown>): Promise<Outcome> {
  const controller = new AbortController();
  const url = `${graphqlUrl}?${new URLSearchParams({ query, variables: JSON.stringify(variables) })}`;
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...CSRF }, signal: controller.signal });
  if (!res.headers.get('content-type')?.includes('text/event-stream'))
    return { transport: 'SSE', status: res.status, body: await res.text() };
  const reader = res.body!.getReader();
  let text = '';
  const deadline = setTimeout(() => controller.abort(), 5_000);
  try {
    while (!/\ndata:.*\n\n/.test(`\n${text}`)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString();
    }
  } catch {
    text += '\n[timed out waiting for the first event]';
  } finally {
    clearTimeout(deadline);
    controller.abort();
  }
  return { transport: 'SSE', status: res.status, body: text };
}

/** graphql-ws: the first result or error of one operation, on one shared socket. */
let wsClient: ReturnType<typeof createClient>;
/** The shared socket's last events, reported with an operation that completes without a result. */
const wsEvents: string[] = [];
const wsEvent = (event: string) => {
  wsEvents.push(event.slice(0, 160));
  if (wsEvents.length > 20) wsEvents.shift();
};
function ws(query: string, variables: Record<string, unknown>): Promise<Outcome> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      dispose();
      resolve({ transport: 'WS', status: 0, body: '[no answer within 5 s]' });
    }, 5_000);
    const dispose = wsClient.subscribe(
      { query, variables },
      {
        next: (value) => {
          clearTimeout(timer);
          // Disposed after the socket's pending messages, not from inside `next`: a query's `complete`
          // often arrives in the same read, and graphql-ws's client then releases the operation twice
          // (its `complete` handler calls the releaser the dispose already ran), one lock too few each
          // time. Once its locks reach 0 the client closes the shared socket (1000) under operations in
          // flight, which then complete without a result (seen in full runs, as the events showed).
          setImmediate(dispose);
          resolve({ transport: 'WS', status: 0, body: JSON.stringify(value) });
        },
        error: (error) => {
          clearTimeout(timer);
          resolve({
            transport: 'WS',
            status: 0,
            body: JSON.stringify(
              Array.isArray(error)
                ? { errors: error }
                : {
                    errors: [
                      {
                        message: String((error as Error)?.message ?? error),
                        extensions: { code: `closed:${(error as { code?: number }).code}` },
                      },
                    ],
                  },
            ),
          });
        },
        complete: () => {
          clearTimeout(timer);
          resolve({ transport: 'WS', status: 0, body: '{"completed":true}', detail: JSON.stringify(wsEvents) });
        },
      },
    );
  });
}

function multipart(
  operations: string,
  map: string,
  files: Record<string, Blob>,
  headers: Record<string, string> = CSRF,
): Promise<Outcome> {
  const form = new FormData();
  form.set('operations', operations);
  form.set('map', map);
  for (const [k, v] of Object.entries(files)) form.set(k, v, 'x.png');
  return http('multipart', graphqlUrl, { method: 'POST', headers, body: form });
}

// ---------- the corpus ----------

interface Ids {
  sample: number;
  hidden: Record<'draft' | 'scheduled' | 'archived' | 'embargoed', number>;
}

function corpus(ids: Ids): Case[] {
  const cases: Case[] = [];
  const all = slots();
  const add = (c: Case) => cases.push(c);

  // Every string argument gets refused values (rotated: each value reaches many arguments, each
  // argument several values) over POST, and GET / WebSocket for queries, WebSocket / SSE for
  // subscriptions; and injection strings, also rotated.
  for (const [i, slot] of all.entries()) {
    const name = `${slot.operation} ${slot.field.name}(${slot.path.join('.')})`;
    for (let k = 0; k < 2; k++) {
      const j = (i + k * 3) % REFUSED.length;
      const value = REFUSED[j]!;
      const op = operationFor(slot, value);
      const label = `${name} ← refused #${j}`;
      // The over-long value does not fit in a URL: refused by the HTTP server (431) before us.
      const inUrl = value.length > 10_000 ? { status: 4 } : { code: 'BAD_USER_INPUT' };
      if (slot.operation === 'subscription') {
        add({ name: `WS ${label}`, run: () => ws(op.query, op.variables), code: 'BAD_USER_INPUT' });
        add({ name: `SSE ${label}`, run: () => sse(op.query, op.variables), ...inUrl });
        continue;
      }
      add({ name: `POST ${label}`, run: () => post(op, {}, adminToken), code: 'BAD_USER_INPUT', status: 400 });
      if (slot.operation === 'query' && k === 0)
        add({
          name: `GET ${label}`,
          run: () => get({ query: op.query, variables: JSON.stringify(op.variables) }),
          status: 4,
          ...inUrl,
        });
      if (slot.operation === 'query' && k === 1)
        add({ name: `WS ${label}`, run: () => ws(op.query, op.variables), code: 'BAD_USER_INPUT' });
    }
    if (slot.operation !== 'subscription') {
      for (let k = 0; k < 2; k++) {
        const value = INJECTIONS[(i * 2 + k) % INJECTIONS.length]!;
        const op = operationFor(slot, value);
        add({ name: `POST ${name} ← ${JSON.stringify(value).slice(0, 30)}`, run: () => post(op, {}, adminToken) });
      }
    }
  }

  // Malformed GET parameters: 400, never 500.
  add({ name: 'GET ?extensions= (empty: absent)', run: () => get('query={__typename}&extensions=') });
  for (const qs of [
    'query={__typename}&variables={bad',
    'query={__typename}&extensions={bad',
    'query={__typename}&variables=[1]',
    'query={__typename}&variables=null&extensions=[]',
    'query=%7B',
    'variables={}',
    'query=',
    'query={__typename}&operationName=%00',
    'query={__typename}&variables=%FF%FE',
  ]) {
    add({ name: `GET ?${qs}`, run: () => get(qs), status: 4 });
  }
  // Cross-site forms and simple requests: no CSRF header, no preflight → 403.
  const like = `mutation { likeArticle(input: { articleId: "${encodeGlobalId('Article', ids.sample)}", visitorId: "visitor-csrf-001" }) { liked } }`;
  for (const [type, body] of [
    ['application/x-www-form-urlencoded', new URLSearchParams({ query: like }).toString()],
    ['text/plain', JSON.stringify({ query: like })],
    ['text/plain;charset=UTF-8', JSON.stringify({ query: like })],
    [
      'multipart/form-data; boundary=x',
      `--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${JSON.stringify({ query: like })}\r\n--x\r\nContent-Disposition: form-data; name="map"\r\n\r\n{}\r\n--x--\r\n`,
    ],
  ] as const) {
    add({ name: `CSRF ${type}`, run: () => raw('POST', '/graphql', { 'content-type': type }, body), status: 403 });
  }
  add({ name: 'CSRF GET mutation', run: () => get({ query: like }), status: 405 });

  // Shape attacks.
  const q = (query: string, variables?: unknown) => ({ query, variables });
  const aliases = (n: number, field = 'sections { slug }') =>
    `{ ${Array.from({ length: n }, (_, k) => `a${k}: ${field}`).join(' ')} }`;
  const nest = (n: number) =>
    `{ articles(first: 1) { edges { node { ${'related(first: 1) { '.repeat(n)}id${' }'.repeat(n)} } } } }`;
  const shapes: [string, unknown, number, string?][] = [
    ['batch of 2', [q('{ __typename }'), q('{ __typename }')], 4],
    ['batch of 1,000', Array.from({ length: 1000 }, () => q('{ __typename }')), 4],
    ['fragment cycle', q('query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }'), 400],
    ['depth 60', q(nest(60)), 400, 'BAD_USER_INPUT'],
    ['31 aliases', q(aliases(31)), 400, 'BAD_USER_INPUT'],
    ['10,000 aliases', q(aliases(10_000)), 400],
    ['10,000 duplicate fields', q(`{ ${'__typename '.repeat(10_000)}}`), 400],
    ['50,000 tokens', q(`{ sections(${'x: 1 '.repeat(16_000)}) { slug } }`), 400],
    ['10,000 unknown directives', q(`{ __typename ${'@nope '.repeat(10_000)}}`), 400],
    ['60 known directives', q(`{ __typename ${'@include(if: true) '.repeat(60)}}`), 400],
    ['5 MB body', q(`{ __typename }#${'x'.repeat(5_000_000)}`), 413],
    ['5 MB variables', q('query($x: String) { __typename }', { x: 'y'.repeat(5_000_000) }), 413],
    [
      'huge variables object',
      q('query($f: ArticleFilter) { articles(filter: $f) { totalCount } }', {
        f: Object.fromEntries(Array.from({ length: 20_000 }, (_, k) => [`k${k}`, k])),
      }),
      4,
    ],
    [
      '__schema with 1,000 aliases',
      q(
        `{ __schema { ${Array.from({ length: 1000 }, (_, k) => `t${k}: types { name fields { name type { name } } }`).join(' ')} } }`,
      ),
      400,
    ],
    [
      '__schema with 31 aliases',
      q(`{ __schema { ${Array.from({ length: 31 }, (_, k) => `t${k}: types { name }`).join(' ')} } }`),
      400,
      'BAD_USER_INPUT',
    ],
    [
      '__type with 100 aliases',
      q(`{ __type(name: "Article") { ${Array.from({ length: 100 }, (_, k) => `f${k}: fields { name }`).join(' ')} } }`),
      400,
    ],
    ['__typename aliases', q(aliases(40, '__typename')), 400, 'BAD_USER_INPUT'],
    [
      'introspection 20 deep',
      q(`{ __type(name: "Article") { ${'ofType { '.repeat(20)}name${' }'.repeat(20)} } }`),
      400,
    ],
    [
      'introspection fields in fields',
      q('{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }'),
      400,
    ],
    ['not JSON', 'not json', 400],
    ['JSON null', 'null', 400],
    ['JSON number', '123', 400],
    ['query not a string', { query: 123 }, 400],
    ['variables not an object', { query: '{ __typename }', variables: [1] }, 400],
    ['first: "x"', q('{ articles(first: "x") { totalCount } }'), 400],
    ['first: -1', q('{ articles(first: -1) { totalCount } }'), 4, 'BAD_USER_INPUT'],
    ['first: 1e100', q('query($n: Int) { articles(first: $n) { totalCount } }', { n: 1e100 }), 400],
    ['first: 2^31', q('query($n: Int) { articles(first: $n) { totalCount } }', { n: 2 ** 31 }), 400],
    ['first: 101', q('{ articles(first: 101) { totalCount } }'), 4, 'BAD_USER_INPUT'],
    ['unknown field (no suggestions in production)', q('{ articl { id } }'), 400],
  ];
  for (const [name, body, status, code] of shapes) add({ name: `shape: ${name}`, run: () => post(body), status, code });

  // Dates PostgreSQL cannot store, or that are not dates.
  for (const d of [
    '9999-12-31T23:59:59-23:59',
    '0001-01-01T00:00:00+23:59',
    '10000-01-01',
    '+010000-01-01T00:00:00Z',
    '0000-01-01',
    '2024-02-30',
    '2024-01-01T25:00Z',
    '2024-01-01T00:00:00',
    '',
    'now',
    '1e10',
  ]) {
    add({
      name: `DateTime ${d} (variable)`,
      run: () => post(q('query($d: DateTime) { articles(filter: { publishedAfter: $d }) { totalCount } }', { d })),
      status: 400,
      code: 'BAD_USER_INPUT',
    });
    add({
      name: `DateTime ${d} (literal)`,
      run: () => post(q(`{ articles(filter: { publishedBefore: ${JSON.stringify(d)} }) { totalCount } }`)),
      status: 400,
      code: 'BAD_USER_INPUT',
    });
  }
  add({
    name: 'DateTime as number',
    run: () => post(q('query($d: DateTime) { articles(filter: { publishedAfter: $d }) { totalCount } }', { d: 12 })),
    status: 400,
    code: 'BAD_USER_INPUT',
  });

  // Cursors outside their real ranges.
  const rowCursors = [
    formatPrismaCursor({ id: 2 ** 31 }, 'id'),
    formatPrismaCursor({ id: 2 ** 53 - 1 }, 'id'),
    formatPrismaCursor({ id: 0 }, 'id'),
    formatPrismaCursor({ id: -5 }, 'id'),
    formatPrismaCursor({ id: 1.5 }, 'id'),
    formatPrismaCursor({ id: 'x' }, 'id'),
    'garbage',
    encodeBase64('GPC:N:1e400'),
  ];
  const offsetCursors = [2 ** 53 - 1, 2 ** 31, -1, 1.5]
    .map((n) => encodeBase64(`offset:${n}`))
    .concat(['garbage', encodeBase64('offset:'), encodeBase64('offset:0x10')]);
  for (const c of rowCursors) {
    add({
      name: `row cursor ${c} (articles)`,
      run: () => post(q('query($c: String) { articles(after: $c) { totalCount } }', { c })),
      status: 400,
      code: 'BAD_USER_INPUT',
    });
    add({
      name: `row cursor ${c} (section.articles before)`,
      run: () =>
        post(
          q('query($c: String) { section(slug: "politics") { articles(last: 2, before: $c) { totalCount } } }', { c }),
        ),
      status: 400,
      code: 'BAD_USER_INPUT',
    });
    add({
      name: `row cursor ${c} (articlePublished, WS)`,
      run: () => ws('subscription($c: String) { articlePublished(after: $c) { cursor } }', { c }),
      code: 'BAD_USER_INPUT',
    });
  }
  for (const c of offsetCursors) {
    add({
      name: `search cursor ${c}`,
      run: () => post(q('query($c: String) { search(query: "서울", after: $c) { totalCount } }', { c })),
      status: 400,
      code: 'BAD_USER_INPUT',
    });
  }

  // Resume cursors of hidden or unknown articles: all answer alike (checked below too).
  const hiddenCursors = {
    ...Object.fromEntries(Object.entries(ids.hidden).map(([k, id]) => [k, formatPrismaCursor({ id }, 'id')])),
    unknown: formatPrismaCursor({ id: 2_000_000_000 }, 'id'),
  };
  for (const [kind, c] of Object.entries(hiddenCursors)) {
    add({
      name: `resume after ${kind} (WS)`,
      run: () => ws('subscription($c: String) { articlePublished(after: $c) { cursor replayed } }', { c }),
      code: 'BAD_USER_INPUT',
    });
    add({
      name: `resume after ${kind} (SSE)`,
      run: () => sse('subscription($c: String) { articlePublished(after: $c) { cursor replayed } }', { c }),
      code: 'BAD_USER_INPUT',
    });
    add({
      name: `breaking after ${kind} (WS)`,
      run: () => ws('subscription($c: String) { breakingNews(after: $c) { cursor } }', { c }),
      code: 'BAD_USER_INPUT',
    });
  }

  // Multipart uploads.
  const png = new Blob([Buffer.from('89504e470d0a1a0a', 'hex')]);
  const upload = JSON.stringify({
    query: 'mutation($f: File!) { uploadImage(file: $f) { id } }',
    variables: { f: null },
  });
  for (const [name, operations, map, files, headers] of [
    ['no CSRF header', upload, '{"0":["variables.f"]}', { 0: png }, {}],
    ['bad operations JSON', '{bad', '{}', {}, CSRF],
    ['bad map JSON', upload, '{bad', { 0: png }, CSRF],
    ['map to a missing file', upload, '{"9":["variables.f"]}', {}, CSRF],
    ['map to a bad path', upload, '{"0":["variables.nope.deeper"]}', { 0: png }, CSRF],
    ['anonymous upload', upload, '{"0":["variables.f"]}', { 0: png }, CSRF],
    [
      'file into a string argument',
      JSON.stringify({ query: 'query($s: String!) { search(query: $s) { totalCount } }', variables: { s: null } }),
      '{"0":["variables.s"]}',
      { 0: png },
      CSRF,
    ],
    ['two files', upload, '{"0":["variables.f"],"1":["variables.f"]}', { 0: png, 1: png }, CSRF],
    [
      'batch in operations',
      JSON.stringify([JSON.parse(upload), JSON.parse(upload)]),
      '{"0":["0.variables.f"]}',
      { 0: png },
      CSRF,
    ],
  ] as [string, string, string, Record<string, Blob>, Record<string, string>][]) {
    const expected =
      name === 'no CSRF header'
        ? { status: 403 }
        : name === 'anonymous upload'
          ? { code: 'UNAUTHENTICATED' }
          : { status: 4 };
    add({ name: `multipart: ${name}`, run: () => multipart(operations, map, files, headers), ...expected });
  }

  // /media path traversal.
  for (const p of [
    '/media/../../etc/passwd',
    '/media/..%2f..%2fetc%2fpasswd',
    '/media/%2e%2e/%2e%2e/etc/passwd',
    '/media/2024/01/..%252f..%252fx.png',
    '/media/2024/01/a.png%00.txt',
    '/media/%ff%fe',
    `/media/${'a/'.repeat(500)}`,
    `/media/2024/01/${'f'.repeat(64)}.png`,
    '/media//etc/passwd',
    '/media/C:%5Cwindows%5Cwin.ini',
  ]) {
    add({ name: `media ${p.slice(0, 40)}`, run: () => raw('GET', p), status: 4 });
  }
  // Beacon abuse.
  const article = encodeGlobalId('Article', ids.sample);
  for (const [method, p, headers, body, status] of [
    ['POST', `/views/x`, {}, undefined, 400],
    ['POST', `/views/${'9'.repeat(40)}`, {}, undefined, 4],
    ['POST', `/views/${article}?v=${'z'.repeat(1000)}`, {}, undefined, undefined],
    ['POST', `/views/${article}`, { 'content-type': 'application/json' }, '{"visitorId":', undefined],
    ['POST', `/views/${article}`, { 'content-type': 'text/plain' }, 'v'.repeat(5000), 413],
    ['POST', `/views/${article}`, { cookie: 'nvid=%E0%A4%A' }, undefined, undefined],
    ['POST', `/views/${article}`, { cookie: `nvid=${'a'.repeat(5000)}` }, undefined, 4],
    ['GET', `/views/${article}`, {}, undefined, 405],
    ['DELETE', `/views/${article}`, {}, undefined, 405],
    ['POST', `/views/%00`, {}, undefined, 400],
  ] as [string, string, Record<string, string>, string | undefined, number | undefined][]) {
    add({ name: `beacon ${method} ${p.slice(0, 30)}`, run: () => raw(method, p, headers, body), status });
  }
  return cases;
}

function codesOf(body: string): string[] {
  const codes: string[] = [];
  for (const m of body.matchAll(/"code":"([A-Za-z_:0-9]+)"/g)) codes.push(m[1]!);
  return codes;
}

/** What is wrong with an outcome, or null. */
function judge(c: Case, o: Outcome): string | null {
  if (o.status >= 500) return `HTTP ${o.status}`;
  if (/INTERNAL_SERVER_ERROR|Unexpected error\./.test(o.body)) return 'internal error';
  if (/\bat .+:\d+:\d+\)?/.test(o.body)) return 'stack trace in the answer';
  if (c.status != null) {
    const ok = c.status < 10 ? Math.floor(o.status / 100) === c.status : o.status === c.status;
    if (!ok) return `HTTP ${o.status}, expected ${c.status < 10 ? `${c.status}xx` : c.status}`;
  }
  if (c.code && !codesOf(o.body).includes(c.code)) return `expected ${c.code}`;
  return null;
}

async function runAll(cases: Case[], concurrency: number): Promise<{ c: Case; o: Outcome }[]> {
  const results: { c: Case; o: Outcome }[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < cases.length) {
        const c = cases[next++]!;
        let o: Outcome;
        try {
          o = await c.run();
        } catch (error) {
          o = { transport: 'client', status: 599, body: `client error: ${(error as Error).message}` };
        }
        results.push({ c, o });
      }
    }),
  );
  return results;
}

const postgresUrl = inject('postgresUrl');
const redisSkip = redisSkipReason();

describe.skipIf(!postgresUrl || redisSkip)('hostile corpus against the production build', () => {
  let redis: RedisServer;
  let db: pg.Client;
  let ids: Ids;

  beforeAll(async () => {
    redis = await startRedis();
    const databaseUrl = await createPostgresDatabase();
    server = await startChildServer({
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl,
      REDIS_URL: redis.url,
      SEED_DEMO: 'true',
      OUTBOX_DIR: mkdtempSync(path.join(os.tmpdir(), 'hostile-outbox-')),
      MEDIA_DIR: mkdtempSync(path.join(os.tmpdir(), 'hostile-media-')),
      PUBLISH_SCHEDULER_MS: '0',
      // The corpus searches a lot from one address; the rate limits have their own test.
      RATE_LIMIT_SEARCH_PER_MINUTE: '100000',
      RATE_LIMIT_MUTATIONS_PER_MINUTE: '100000',
    });
    graphqlUrl = `${server.base}/graphql`;
    db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    const row = async (where: string) =>
      (await db.query(`SELECT id FROM "Article" WHERE ${where} ORDER BY id LIMIT 1`)).rows[0].id as number;
    ids = {
      sample: await row(`status = 'PUBLISHED' AND "publishedAt" <= now()`),
      hidden: {
        draft: await row(`status = 'DRAFT'`),
        scheduled: await row(`status = 'SCHEDULED'`),
        archived: await row(`status = 'ARCHIVED'`),
        embargoed: await row(`status = 'PUBLISHED' AND "publishedAt" > now()`),
      },
    };
    sampleId = encodeGlobalId('Article', ids.sample);
    // An ADMIN token, so that strings reach the newsroom mutations' resolvers too.
    adminToken = `nws_${randomBytes(32).toString('base64url')}`;
    await db.query(`INSERT INTO "ApiToken" (name, role, "tokenHash", prefix) VALUES ('hostile', 'ADMIN', $1, $2)`, [
      createHash('sha256').update(adminToken).digest('hex'),
      adminToken.slice(0, 8),
    ]);
    wsClient = createClient({
      url: graphqlUrl.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
      connectionParams: {},
      on: {
        connected: () => wsEvent('connected'),
        message: (message) => wsEvent(`message ${JSON.stringify(message)}`),
        closed: (event) => wsEvent(`closed ${(event as { code?: number }).code}`),
      },
    });
  });

  afterAll(async () => {
    await wsClient?.dispose();
    await db?.end();
    await server?.stop();
    await redis?.stop();
  });

  it('answers every hostile request with a client error, never a 5xx or an internal error; stays up, memory back near baseline, no stack logged', async () => {
    // Baseline: the server warmed up with ordinary traffic.
    for (let i = 0; i < 30; i++)
      await post({
        query:
          '{ sections { slug } articles(first: 10) { edges { node { headline } } } search(query: "서울") { totalCount } }',
      });
    const baseline = server.rss();
    const logBefore = server.output().length;

    const cases = corpus(ids);
    expect(cases.length).toBeGreaterThanOrEqual(300);
    const results = await runAll(cases, 8);
    const failures = results.map(({ c, o }) => ({ c, o, why: judge(c, o) })).filter((r) => r.why);
    expect(
      failures.map(
        (f) =>
          `${f.c.name} [${f.o.transport}]: ${f.why} — ${f.o.status} ${f.o.body.slice(0, 200)}${f.o.detail ? ` ${f.o.detail}` : ''}`,
      ),
    ).toEqual([]);
    const transports = new Set(results.map((r) => r.o.transport.split(' ')[0]));
    for (const t of ['POST', 'GET', 'SSE', 'WS', 'multipart']) expect(transports).toContain(t);

    // Every hidden or unknown resume cursor answers exactly alike.
    const resumes = results.filter((r) => r.c.name.startsWith('resume after'));
    for (const transport of ['WS', 'SSE']) {
      const first = (body: string) => (transport === 'SSE' ? (/^data: .*$/m.exec(body)?.[0] ?? body) : body);
      const answers = new Set(resumes.filter((r) => r.o.transport === transport).map((r) => first(r.o.body)));
      expect(answers.size, [...answers].join('\n')).toBe(1);
    }

    expect(server.alive()).toBe(true);
    // Ordinary traffic still works after the run.
    const after = await post({ query: '{ sections { slug } }' });
    expect(after.status).toBe(200);
    expect(server.rss()).toBeLessThan(baseline + 96 * 1024 * 1024);
    // Bad input is logged in one line without a stack (no "at file:line:col" frames).
    const log = server.output().slice(logBefore);
    expect(log.match(/\bat [^\n"]+:\d+:\d+\)?/g) ?? []).toEqual([]);
  }, 180_000);

  it('serves the full introspection query (GraphiQL, codegen) within the limits', async () => {
    const res = await post({ query: getIntrospectionQuery() });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).data.__schema.types.length).toBeGreaterThan(20);
  });

  it('suggests no field names in production', async () => {
    const res = await post({ query: '{ articl { id } }' });
    expect(res.body).not.toMatch(/Did you mean/);
  });
});
