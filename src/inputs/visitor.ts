// A reader's visitor id: a random id the page keeps per browser (likes, e-mails, view counting).
import { createHash } from 'node:crypto';

export const VISITOR_ID = /^[A-Za-z0-9_-]{8,128}$/;
export const VISITOR_ID_RULE = 'must be 8 to 128 letters, digits, "-" or "_" (a random id the page keeps)';

/**
 * The one hash of a visitor id: SHA-256, hex. Likes store it whole; view counting keys and sketches
 * use its first 16 hex digits (`visitorKey`).
 */
export function visitorHash(visitorId: string): string {
  return createHash('sha256').update(visitorId).digest('hex');
}

/** 16 hex digits of `visitorHash`: fixed-size keys, and the 64-bit value the HyperLogLogs add. */
export function visitorKey(visitorId: string): string {
  return visitorHash(visitorId).slice(0, 16);
}
