// Whom a view is counted for. Normally the request's own client: its user agent and address. A server
// rendering pages for readers (SSR) calls the API from one address with its own HTTP client; with a
// VIEW_RELAY token it names the reader instead, in two headers, and bot filtering, de-duplication
// (the visitor-less fallback) and the per-address limit use the reader's values. Without such a token
// the headers are ignored: anyone could send them.
import { isIP } from 'node:net';
import { mayRelayViews, type Viewer } from '../auth/tokens.ts';

export const READER_USER_AGENT_HEADER = 'x-reader-user-agent';
export const READER_ADDRESS_HEADER = 'x-reader-address';
const MAX_USER_AGENT = 512;

export interface Reader {
  userAgent: string | null;
  /** IP address; null when unknown. */
  address: string | null;
}

/** A forwarded value a relay sent that cannot be used: the view is refused, nothing is counted. */
export class ReaderError extends Error {
  constructor(
    readonly header: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The reader of a view: `own` (the request's client), or for a view-relay token the reader named by
 * the relay headers (each one that is present replaces the request's own value). Throws ReaderError
 * for a malformed forwarded value.
 */
export function readerOf(
  get: (header: string) => string | null | undefined,
  own: Reader,
  viewer: Viewer | null,
): Reader {
  if (!mayRelayViews(viewer)) return own;
  const userAgent = get(READER_USER_AGENT_HEADER);
  const address = get(READER_ADDRESS_HEADER);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a user agent with control characters is refused
  if (userAgent != null && (userAgent.length > MAX_USER_AGENT || /[\u0000-\u001f\u007f]/.test(userAgent))) {
    throw new ReaderError(
      READER_USER_AGENT_HEADER,
      `${READER_USER_AGENT_HEADER} must be a user agent of at most ${MAX_USER_AGENT} printable characters`,
    );
  }
  if (address != null && isIP(address.trim()) === 0) {
    throw new ReaderError(READER_ADDRESS_HEADER, `${READER_ADDRESS_HEADER} must be one IPv4 or IPv6 address`);
  }
  return { userAgent: userAgent ?? own.userAgent, address: address?.trim() ?? own.address };
}
