// API tokens: random secrets shown once, stored as SHA-256, sent as `Authorization: Bearer …`
// (HTTP) or in `connectionParams` (WebSocket).
import { createHash, randomBytes } from 'node:crypto';
import { userError } from '../errors.ts';
import type { PrismaClient, Role } from '../generated/prisma/client.ts';

const PREFIX = 'nws_';
const TOKEN_PATTERN = /^nws_[A-Za-z0-9_-]{43}$/;

/** Who is making a request. Anonymous readers have no viewer. */
export interface Viewer {
  tokenId: number;
  name: string;
  role: Role;
  /** The reporter a REPORTER token writes as. */
  reporterId: number | null;
}

const RANK: Record<Role, number> = { VIEW_RELAY: 0, REPORTER: 1, EDITOR: 2, ADMIN: 3 };

/**
 * Newsroom roles are ordered: an ADMIN may do what an EDITOR may, an EDITOR what a REPORTER may.
 * VIEW_RELAY is outside that order: it may only record views for the readers it names.
 */
export function hasRole(viewer: Viewer | null | undefined, role: Role): boolean {
  return viewer != null && RANK[viewer.role] >= RANK[role];
}

export function hashToken(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export interface CreatedToken {
  /** The secret: shown once, never stored. */
  token: string;
  id: number;
}

export async function createApiToken(
  prisma: PrismaClient,
  input: { name: string; role: Role; reporterId?: number | null },
): Promise<CreatedToken> {
  const name = input.name.trim();
  if (!name || name.length > 100)
    throw userError('BAD_USER_INPUT', 'Token name must be 1 to 100 characters', { field: 'name' });
  if (input.role === 'REPORTER' && input.reporterId == null) {
    throw userError('BAD_USER_INPUT', 'A REPORTER token needs the reporter it writes as', { field: 'reporterId' });
  }
  const token = PREFIX + randomBytes(32).toString('base64url');
  const row = await prisma.apiToken.create({
    data: {
      name,
      role: input.role,
      reporterId: input.reporterId ?? null,
      tokenHash: hashToken(token),
      prefix: token.slice(0, 10),
    },
    select: { id: true },
  });
  return { token, id: row.id };
}

export async function revokeApiToken(prisma: PrismaClient, id: number, now: Date): Promise<boolean> {
  const { count } = await prisma.apiToken.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: now } });
  return count > 0;
}

function unauthenticated(message: string) {
  return userError('UNAUTHENTICATED', message, { http: { status: 401, headers: { 'WWW-Authenticate': 'Bearer' } } });
}

/** The credentials a WebSocket client put in its connectionParams. */
export function connectionCredentials(params: Readonly<Record<string, unknown>> | null | undefined): unknown {
  return params?.authorization ?? params?.Authorization ?? params?.token;
}

/** Extracts the secret from an Authorization header value ("Bearer nws_…") or a bare token. */
export function parseCredentials(value: unknown): string | null {
  if (value == null || value === '') return null;
  if (typeof value !== 'string') throw unauthenticated('Malformed credentials: expected "Bearer <token>"');
  const match = /^\s*(?:Bearer\s+)?(\S+)\s*$/i.exec(value);
  if (!match || !TOKEN_PATTERN.test(match[1]!))
    throw unauthenticated('Malformed API token: expected "Authorization: Bearer nws_…"');
  return match[1]!;
}

/**
 * The viewer for presented credentials; null when none were presented. Unknown, malformed or
 * revoked tokens are UNAUTHENTICATED: a client with broken credentials hears about it at once.
 */
export async function authenticate(prisma: PrismaClient, credentials: unknown, now: Date): Promise<Viewer | null> {
  const secret = parseCredentials(credentials);
  if (!secret) return null;
  const row = await prisma.apiToken.findUnique({
    where: { tokenHash: hashToken(secret) },
    select: { id: true, name: true, role: true, reporterId: true, revokedAt: true, lastUsedAt: true },
  });
  if (!row) throw unauthenticated('Unknown API token');
  if (row.revokedAt) throw unauthenticated('This API token has been revoked');
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > 60_000) {
    // Bookkeeping only: never delays or fails the request.
    prisma.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: now } }).catch(() => {});
  }
  return { tokenId: row.id, name: row.name, role: row.role, reporterId: row.reporterId };
}

/** A server rendering pages for readers (SSR) that may name the reader a view is recorded for. */
export function mayRelayViews(viewer: Viewer | null | undefined): boolean {
  return viewer?.role === 'VIEW_RELAY';
}
