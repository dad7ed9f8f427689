// Validation of Relay connection arguments, done before any query runs so that every bad value
// comes back as BAD_USER_INPUT naming its argument.
import { decodeBase64, encodeBase64 } from '@pothos/core';
import { parsePrismaCursor } from '@pothos/plugin-prisma';
import { badInput } from '../errors.ts';

export interface PageArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
}

export const DEFAULT_PAGE_SIZE = 20;

export function checkPageSize(args: PageArgs, maxSize: number): void {
  for (const name of ['first', 'last'] as const) {
    const value = args[name];
    if (value == null) continue;
    if (value < 0) throw badInput(name, 'must be zero or a positive integer');
    if (value > maxSize) throw badInput(name, `must be at most ${maxSize} (got ${value})`);
  }
  if (args.first != null && args.last != null) {
    throw badInput(
      'last',
      'cannot be combined with "first"; page forward with first/after or backward with last/before',
    );
  }
}

function checkRowCursor(name: 'after' | 'before', cursor: string | null | undefined): void {
  if (cursor == null) return;
  let value: unknown;
  try {
    value = parsePrismaCursor(cursor);
  } catch {
    throw badInput(name, `"${cursor.slice(0, 100)}" is not a cursor of this connection`);
  }
  // Row ids are PostgreSQL int4 (serial): 1 to 2^31-1.
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > MAX_ROW_ID) {
    throw badInput(name, `"${cursor.slice(0, 100)}" is not a cursor of this connection`);
  }
}

/** Checks a connection paginated by row cursors (Prisma `prismaConnection`). */
export function checkRowConnectionArgs(args: PageArgs, maxSize: number): void {
  checkPageSize(args, maxSize);
  checkRowCursor('after', args.after);
  checkRowCursor('before', args.before);
}

const OFFSET_PREFIX = 'offset:';
/** The largest row id (int4), hence also the largest position in any ranked list. */
export const MAX_ROW_ID = 2_147_483_647;

export function offsetCursor(offset: number): string {
  return encodeBase64(`${OFFSET_PREFIX}${offset}`);
}

/** Decodes an offset cursor (ranked lists such as search) or throws BAD_USER_INPUT. */
export function parseOffsetCursor(name: 'after' | 'before', cursor: string): number {
  let decoded = '';
  try {
    decoded = decodeBase64(cursor);
  } catch {
    // fall through to the error below
  }
  const offset = decoded.startsWith(OFFSET_PREFIX) ? Number(decoded.slice(OFFSET_PREFIX.length)) : Number.NaN;
  // A position in a list of rows: below the number of rows there can be.
  if (!Number.isSafeInteger(offset) || offset < 0 || offset >= MAX_ROW_ID || offsetCursor(offset) !== cursor) {
    throw badInput(name, `"${cursor.slice(0, 100)}" is not a cursor of this connection`);
  }
  return offset;
}

/** `totalCount` of a connection: a number, or a function the resolver left to compute it only when asked. */
export function resolveTotalCount(connection: unknown): number | Promise<number> {
  const { totalCount } = connection as { totalCount?: number | (() => number | Promise<number>) };
  return typeof totalCount === 'function' ? totalCount() : (totalCount ?? 0);
}
