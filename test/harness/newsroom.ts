// Fixtures for newsroom tests: tokens per role, drafts owned by a reporter, articles published now,
// multipart uploads.
import type { App } from '../../src/app.ts';
import { createApiToken, revokeApiToken } from '../../src/auth/tokens.ts';
import { createDraft } from '../../src/articles/editing.ts';
import { publishArticle } from '../../src/articles/publishing.ts';
import { encodeGlobalId } from '../../src/relay/global-id.ts';
import type { TestServer } from './server.ts';

export interface Tokens {
  reporter: string;
  editor: string;
  admin: string;
  revoked: string;
  malformed: string;
  /** The reporter the REPORTER token writes as, and another one. */
  reporterId: number;
  otherReporterId: number;
}

export async function issueTokens(server: TestServer): Promise<Tokens> {
  const prisma = server.app.db.prisma;
  const [own, other] = await prisma.reporter.findMany({ orderBy: { id: 'asc' }, take: 2, select: { id: true } });
  const reporter = await createApiToken(prisma, { name: 'reporter', role: 'REPORTER', reporterId: own!.id });
  const editor = await createApiToken(prisma, { name: 'editor', role: 'EDITOR' });
  const admin = await createApiToken(prisma, { name: 'admin', role: 'ADMIN' });
  const revoked = await createApiToken(prisma, { name: 'revoked', role: 'ADMIN' });
  await revokeApiToken(prisma, revoked.id, new Date());
  return {
    reporter: reporter.token,
    editor: editor.token,
    admin: admin.token,
    revoked: revoked.token,
    malformed: 'not-a-token',
    reporterId: own!.id,
    otherReporterId: other!.id,
  };
}

/** A draft bylined to `reporterId`; returns its global id. */
export async function draftBy(server: TestServer, reporterId: number, headline = '초안 기사'): Promise<string> {
  const section = await server.app.db.prisma.section.findFirstOrThrow({ select: { id: true } });
  const id = await createDraft(
    server.app.services,
    {
      headline,
      sectionId: encodeGlobalId('Section', section.id),
      reporterIds: [encodeGlobalId('Reporter', reporterId)],
      body: [{ type: 'PARAGRAPH', text: '본문 첫 문단.' }],
    },
    { reporterId },
  );
  return encodeGlobalId('Article', id);
}

/**
 * A new article in `section` by the first reporter, published at once through the app's services (not
 * over HTTP); returns its row id.
 */
export async function publishNew(
  app: Pick<App, 'db' | 'services'>,
  headline: string,
  options: { section: string; breaking?: boolean },
): Promise<number> {
  const prisma = app.db.prisma;
  const section = await prisma.section.findFirstOrThrow({ where: { slug: options.section }, select: { id: true } });
  const reporter = await prisma.reporter.findFirstOrThrow({ select: { id: true } });
  const id = await createDraft(
    app.services,
    {
      headline,
      sectionId: encodeGlobalId('Section', section.id),
      reporterIds: [encodeGlobalId('Reporter', reporter.id)],
      body: [{ type: 'PARAGRAPH', text: `${headline} 본문.` }],
      breaking: options.breaking ?? false,
    },
    { reporterId: null },
  );
  await publishArticle(app.services, id);
  return id;
}

/** A 16×8 PNG (header only: enough for type and size checks). */
export const PNG_16x8 = Buffer.from('89504e470d0a1a0a0000000d49484452000000100000000808060000001ff3ff61', 'hex');

export async function upload(
  server: TestServer,
  bytes: Buffer,
  options: { token?: string; filename?: string; caption?: string } = {},
): Promise<{ status: number; body: any }> {
  const form = new FormData();
  form.append(
    'operations',
    JSON.stringify({
      query:
        'mutation($file: File!, $caption: String) { uploadImage(file: $file, caption: $caption) { id url width height caption } }',
      variables: { file: null, caption: options.caption ?? null },
    }),
  );
  form.append('map', JSON.stringify({ 0: ['variables.file'] }));
  form.append('0', new Blob([new Uint8Array(bytes)]), options.filename ?? 'photo.png');
  const res = await fetch(server.url, {
    method: 'POST',
    body: form,
    headers: {
      'graphql-require-preflight': '1',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    },
  });
  return { status: res.status, body: await res.json() };
}
