// Relay global ids: base64("Type:id") with positive integer ids (every table uses serial ids).
import { badInput, fieldError } from '../errors.ts';

const PATTERN = /^([A-Z][A-Za-z]*):([1-9][0-9]{0,9})$/;
const MAX_INT = 2_147_483_647;

export interface DecodedId {
  typename: string;
  id: string;
}

export function encodeGlobalId(typename: string, id: number | string): string {
  return Buffer.from(`${typename}:${id}`, 'utf8').toString('base64');
}

/** Decodes a global id or throws BAD_USER_INPUT naming `argumentName`. */
export function decodeGlobalId(value: string, argumentName: string): DecodedId {
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const match = PATTERN.exec(decoded);
  const canonical = Buffer.from(decoded, 'utf8').toString('base64').replace(/=+$/, '');
  if (!match || canonical !== value.replace(/=+$/, '') || Number(match[2]) > MAX_INT) {
    throw badInput(argumentName, `"${value.slice(0, 100)}" is not a valid global ID`);
  }
  return { typename: match[1]!, id: match[2]! };
}

/**
 * Decodes a global id that must name a `typename` row; returns its numeric id, or null when the id
 * is well-formed but names another type (an unknown id reads as null, not as an error).
 */
export function decodeIdFor(typename: string, value: string, argumentName: string): number | null {
  const decoded = decodeGlobalId(value, argumentName);
  return decoded.typename === typename ? Number(decoded.id) : null;
}

/** Decodes a global id that must name a `typename` row, or throws BAD_USER_INPUT naming `field`. */
export function requireIdFor(typename: string, value: string, field: string): number {
  const id = decodeIdFor(typename, value, field);
  if (id == null) throw fieldError(field, `expected a ${typename} id`);
  return id;
}
