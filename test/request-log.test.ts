// Logs: one JSON line per HTTP request with its id (x-request-id accepted and echoed), operation,
// duration, status and error code; Yoga's own messages through the same logger; no console output in src/.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/platform/logger.ts';
import { startTestServer, type TestServer } from './harness/server.ts';

describe('request log', () => {
  const lines: Record<string, any>[] = [];
  let server: TestServer;
  beforeAll(async () => {
    const destination = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
        done();
      },
    });
    server = await startTestServer('pglite', { logger: await createLogger({ level: 'info', destination }) });
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** The request line of the response carrying `id`, once the response has been observed. */
  const lineFor = async (id: string) => {
    for (let i = 0; i < 50 && !lines.some((l) => l.reqId === id); i++) await new Promise((r) => setImmediate(r));
    const found = lines.filter((l) => l.msg === 'request' && l.reqId === id);
    expect(found).toHaveLength(1);
    return found[0]!;
  };

  it('accepts and echoes x-request-id and logs operation, status, duration', async () => {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'lb-7f3a.42' },
      body: JSON.stringify({ query: 'query Sections { sections { slug } }' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('lb-7f3a.42');
    await res.text();
    const line = await lineFor('lb-7f3a.42');
    expect(line).toMatchObject({
      level: 30,
      method: 'POST',
      path: '/graphql',
      status: 200,
      operation: 'Sections',
      operationType: 'query',
    });
    expect(line.durationMs).toBeGreaterThan(0);
    expect(line.code).toBeUndefined();
  });

  it('generates an id when none (or an unusable one) is given, and logs the error code', async () => {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        'x-request-id': 'bad id\twith spaces',
      },
      body: JSON.stringify({ query: '{ nope }' }),
    });
    expect(res.status).toBe(400);
    const id = res.headers.get('x-request-id')!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await res.text();
    expect(await lineFor(id)).toMatchObject({ status: 400, code: 'GRAPHQL_VALIDATION_FAILED' });
  });

  it('logs the operation named in a document with several, and requests outside GraphQL', async () => {
    const res = await fetch(
      `${server.url}?operationName=B&query=${encodeURIComponent('query A { sections { slug } } query B { sections { name } }')}`,
    );
    await res.text();
    expect(await lineFor(res.headers.get('x-request-id')!)).toMatchObject({
      method: 'GET',
      operation: 'B',
      status: 200,
    });
    const media = await fetch(server.url.replace('/graphql', '/media/nope.jpg?x=1'));
    await media.text();
    expect(await lineFor(media.headers.get('x-request-id')!)).toMatchObject({ path: '/media/nope.jpg', status: 404 });
  });

  it('leaves no console output in src/ (the CLIs print their results for the user)', () => {
    const root = path.resolve('src');
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const file = path.join(dir, name);
        if (name === 'generated') continue;
        if (statSync(file).isDirectory()) walk(file);
        else if (
          file.endsWith('.ts') &&
          !/\/cli\.ts$|print-schema\.ts$/.test(file) &&
          /\bconsole\.\w+\(/.test(readFileSync(file, 'utf8'))
        )
          offenders.push(file);
      }
    };
    walk(root);
    expect(offenders).toEqual([]);
  });
});
