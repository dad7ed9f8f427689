// Trusted documents: the committed manifest matches examples/, and the server runs manifest ids in
// the APQ and document-id formats, with coded errors for malformed, unknown and mismatched hashes,
// in each PERSISTED_OPERATIONS mode.
import { readFileSync } from 'node:fs';
import { generate } from '@graphql-codegen/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import config from '../codegen.ts';
import { loadManifest, MANIFEST_FILE, sha256Hex } from '../src/cache/persisted.ts';
import { startTestServer, type TestServer } from './harness/server.ts';

// Untyped on purpose: the wire formats are under test (hashes of the example files' exact text, APQ and
// document-id parameters, coded errors), not documents' answers.
const ARTICLE_PAGE = readFileSync(new URL('../examples/article-page.graphql', import.meta.url), 'utf8');
const manifest = loadManifest();
const [pageHash] = [...manifest].find(([, doc]) => doc.startsWith('query ArticlePage('))!;

const apq = (hash: string) => JSON.stringify({ persistedQuery: { version: 1, sha256Hash: hash } });

describe('the manifest', () => {
  it('is what codegen compiles from examples/ (run `npm run codegen` after changing an example)', async () => {
    const target = 'examples/generated/';
    const files = await generate(
      { ...config, generates: { [target]: config.generates[target]! }, silent: true },
      false,
    );
    const generated = files.find((f: { filename: string }) => f.filename.endsWith('persisted-documents.json'));
    expect(generated?.content).toBe(readFileSync(MANIFEST_FILE, 'utf8'));
    // Keys are the SHA-256 of the document text, as clients compute them.
    for (const [hash, doc] of manifest) expect(sha256Hex(doc)).toBe(hash);
    expect(manifest.size).toBeGreaterThanOrEqual(2);
  });
});

describe('persisted operations over HTTP', () => {
  const servers: Record<'allow' | 'require' | 'off', TestServer> = {} as never;

  beforeAll(async () => {
    for (const mode of ['allow', 'require', 'off'] as const) {
      servers[mode] = await startTestServer('pglite', {
        env: {
          PERSISTED_OPERATIONS: mode,
          PUBLISH_SCHEDULER_MS: '0',
          ...(mode === 'allow' ? {} : { SEED_DEMO: 'false' }),
        },
      });
    }
  });
  afterAll(async () => {
    await Promise.all(Object.values(servers).map((s) => s?.stop()));
  });

  const get = async (mode: keyof typeof servers, params: Record<string, string>) => {
    const res = await fetch(`${servers[mode].url}?${new URLSearchParams(params)}`, {
      headers: { accept: 'application/graphql-response+json' },
    });
    return { status: res.status, headers: res.headers, body: await res.json() };
  };
  const code = (body: any) => body.errors?.[0]?.extensions?.code;

  it('runs a manifest document named by its hash (APQ GET), cacheable like the document itself', async () => {
    const res = await get('allow', { extensions: apq(pageHash) });
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.article.headline).toContain('베이징시장');
    expect(res.headers.get('cache-control')).toMatch(/^public, max-age=10,/);
    const byDocument = await get('allow', { query: ARTICLE_PAGE });
    expect(byDocument.body).toEqual(res.body);
  });

  it('runs a manifest document named by documentId', async () => {
    const res = await get('allow', { documentId: `sha256:${pageHash}`, variables: '{}' });
    expect(res.status).toBe(200);
    expect(res.body.data.article.headline).toContain('베이징시장');
  });

  it('refuses unknown, malformed and mismatched hashes with codes (PERSISTED_QUERY_NOT_FOUND as Apollo clients expect)', async () => {
    const unknown = await get('allow', { extensions: apq('0'.repeat(64)) });
    expect(unknown.status).toBe(400);
    expect(code(unknown.body)).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(unknown.body.errors[0].message).toBe('PersistedQueryNotFound');

    for (const bad of [
      apq('xyz'),
      apq(pageHash.toUpperCase()),
      JSON.stringify({ persistedQuery: { version: 2, sha256Hash: pageHash } }),
      JSON.stringify({ persistedQuery: 'abc' }),
    ]) {
      const res = await get('allow', { extensions: bad });
      expect(res.status).toBe(400);
      expect(code(res.body)).toBe('PERSISTED_QUERY_INVALID');
    }
    const badId = await get('allow', { documentId: 'sha256:nope' });
    expect(badId.status).toBe(400);
    expect(code(badId.body)).toBe('PERSISTED_QUERY_INVALID');

    const mismatch = await get('allow', { query: '{ sections { name } }', extensions: apq(pageHash) });
    expect(mismatch.status).toBe(400);
    expect(code(mismatch.body)).toBe('PERSISTED_QUERY_HASH_MISMATCH');

    // Apollo's retry after PersistedQueryNotFound: the document with its own hash runs.
    const query = '{ sections { name } }';
    const retry = await get('allow', { query, extensions: apq(sha256Hex(query)) });
    expect(retry.status).toBe(200);
    expect(retry.body.data.sections.length).toBeGreaterThan(0);

    const garbage = await fetch(`${servers.allow.url}?extensions=${encodeURIComponent('{not json')}`);
    expect(garbage.status).toBe(400);
  });

  it('PERSISTED_OPERATIONS=require accepts manifest ids only', async () => {
    const ok = await get('require', { extensions: apq(pageHash) });
    expect(ok.status).toBe(200);
    expect(ok.body.errors).toBeUndefined();
    const arbitrary = await get('require', { query: '{ sections { name } }' });
    expect(arbitrary.status).toBe(400);
    expect(code(arbitrary.body)).toBe('PERSISTED_QUERY_REQUIRED');
    const query = '{ sections { name } }';
    const withHash = await get('require', { query, extensions: apq(sha256Hex(query)) });
    expect(code(withHash.body)).toBe('PERSISTED_QUERY_REQUIRED');
    // The manifest document sent in full with its hash is the persisted one.
    const full = await get('require', { query: manifest.get(pageHash)!, extensions: apq(pageHash) });
    expect(full.status).toBe(200);
  });

  it('PERSISTED_OPERATIONS=off runs documents only', async () => {
    const byHash = await get('off', { extensions: apq(pageHash) });
    expect(byHash.status).toBe(400);
    expect(code(byHash.body)).toBe('PERSISTED_QUERY_NOT_SUPPORTED');
    const doc = await get('off', { query: '{ sections { name } }' });
    expect(doc.status).toBe(200);
  });
});
