// Custom scalars. DateTime: ISO-8601 out (UTC); in, an ISO-8601 date or date-time.
import { Kind } from 'graphql';
import { builder } from './builder.ts';
import { userError } from './errors.ts';

const ISO = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export function parseDateTime(value: unknown): Date {
  if (typeof value !== 'string' || !ISO.test(value)) {
    throw userError('BAD_USER_INPUT', `DateTime must be an ISO-8601 string such as "2024-07-31T14:36:51+09:00", got ${JSON.stringify(value)?.slice(0, 60)}`);
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw userError('BAD_USER_INPUT', `DateTime "${value}" is not a real date`);
  }
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
