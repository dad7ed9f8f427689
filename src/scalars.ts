// Custom scalars. DateTime: ISO-8601 out (UTC); in, an ISO-8601 date or date-time.
import { Kind } from 'graphql';
import { builder } from './builder.ts';
import { userError } from './errors.ts';

// A date, or a date-time with seconds optional and an explicit zone ("Z" or "+09:00"): a
// zoneless time would be read in the server's own time zone.
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/i;

function invalid(value: unknown, why: string) {
  return userError(
    'BAD_USER_INPUT',
    `DateTime ${why}, e.g. "2024-07-31T14:36:51+09:00"; got ${JSON.stringify(value)?.slice(0, 60)}`,
  );
}

export function parseDateTime(value: unknown): Date {
  const match = typeof value === 'string' ? ISO.exec(value) : null;
  if (!match) throw invalid(value, 'must be an ISO-8601 date, or a date-time with a zone');
  const [, y, mo, d, h = '0', mi = '0', sec = '0'] = match.map((part) => part ?? undefined) as string[];
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  // Calendar check: JavaScript would roll 2024-02-30 over into March.
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (
    year < 1 ||
    probe.getUTCMonth() !== month - 1 ||
    probe.getUTCDate() !== day ||
    Number(h) > 23 ||
    Number(mi) > 59 ||
    Number(sec) > 59
  ) {
    throw invalid(value, 'is not a real date and time');
  }
  const date = new Date(match[4] ? (value as string).replace(' ', 'T') : `${y}-${mo}-${d}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) throw invalid(value, 'is not a real date and time');
  // Its zone may move it out of the years 1–9999 that every output (ISO-8601) and column can hold.
  const utcYear = date.getUTCFullYear();
  if (utcYear < 1 || utcYear > 9999) throw invalid(value, 'must fall within the years 1 to 9999 in UTC');
  return date;
}

builder.scalarType('DateTime', {
  description: 'An instant, serialized as an ISO-8601 string in UTC.',
  serialize: (value) => (value instanceof Date ? value : new Date(value as string)).toISOString(),
  parseValue: parseDateTime,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw userError('BAD_USER_INPUT', 'DateTime must be a string');
    return parseDateTime(ast.value);
  },
});

builder.scalarType('File', {
  description: 'A file in a GraphQL multipart request (input only).',
  serialize: () => {
    throw new Error('File is an input-only scalar');
  },
});
