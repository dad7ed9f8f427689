// Resume cursors for `articlePublished(after:)`. A cursor names an article: the same row cursor the
// article connections use, so the first edge cursor of a freshly loaded `articles` list works too
// ("everything published since this list was loaded, then live"). Its position in publication order,
// (publishedAt, id), is read from the article when a resume starts.
import { formatPrismaCursor, parsePrismaCursor } from '@pothos/plugin-prisma';
import { badInput } from '../errors.ts';
import { MAX_ROW_ID } from '../relay/connection-args.ts';

export interface PublicationPosition {
  publishedAt: Date;
  id: number;
}

export function encodePublicationCursor(articleId: number): string {
  return formatPrismaCursor({ id: articleId }, 'id');
}

/** The article id a cursor names, or BAD_USER_INPUT naming `argumentName`. */
export function decodePublicationCursor(cursor: string, argumentName = 'after'): number {
  let id: unknown;
  try {
    id = parsePrismaCursor(cursor);
  } catch {
    id = null;
  }
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1 || id > MAX_ROW_ID) {
    throw badInput(argumentName, `"${cursor.slice(0, 100)}" is not a cursor of this connection`);
  }
  return id;
}
