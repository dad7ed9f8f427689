// The one text cleaner for client input: NFC; no control characters (a field that may hold several
// lines keeps newlines and tabs); a one-line field gets its line breaks turned into spaces; trimmed.
// Lengths are counted in code points, against src/inputs/limits.ts.
import { fieldError } from '../errors.ts';

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this pattern's purpose
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
const LINE_BREAKS = /[\r\n\t\u2028\u2029]+/g;

export interface TextRule {
  max: number;
  /** Keeps line breaks (body text, a bio, a personal message). Default: one line. */
  multiline?: boolean;
}

export function cleanText(value: string, multiline = false): string {
  const text = value.normalize('NFC').replace(CONTROL, '');
  return (multiline ? text : text.replace(LINE_BREAKS, ' ')).trim();
}

function checkLength(field: string, text: string, max: number): string {
  const length = Array.from(text).length;
  if (length > max) throw fieldError(field, `must be at most ${max} characters (got ${length})`);
  return text;
}

/** Cleaned text that must not be empty. */
export function requiredText(field: string, value: string, rule: TextRule): string {
  const text = cleanText(value, rule.multiline);
  if (!text) throw fieldError(field, 'must not be empty');
  return checkLength(field, text, rule.max);
}

/** Cleaned text, or null when empty; undefined stays undefined (not given). */
export function optionalText(
  field: string,
  value: string | null | undefined,
  rule: TextRule,
): string | null | undefined {
  if (value == null) return value;
  return checkLength(field, cleanText(value, rule.multiline), rule.max) || null;
}
