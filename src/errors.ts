// Known failures become GraphQL errors with an `extensions.code`; everything else is masked.
import { PothosValidationError } from '@pothos/core';
import { GraphQLError } from 'graphql';
import { createGraphQLError, maskError as yogaMaskError } from 'graphql-yoga';
import { unavailableReason } from './db/unavailable.ts';

export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'RATE_LIMITED'
  | 'SERVICE_UNAVAILABLE';

export function userError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return createGraphQLError(message, { extensions: { code, ...extensions } });
}

/** A bad argument value: BAD_USER_INPUT naming the argument. */
export function badInput(argumentName: string, message: string): GraphQLError {
  return userError('BAD_USER_INPUT', `Invalid argument "${argumentName}": ${message}`, { argumentName });
}

/** A field-level input error: BAD_USER_INPUT naming the input field. */
export function fieldError(field: string, message: string) {
  return userError('BAD_USER_INPUT', `Invalid input "${field}": ${message}`, { field });
}

/** Someone else changed the row between our read and our conditional write. */
export function concurrentChange(articleId: number): GraphQLError {
  return userError(
    'BAD_USER_INPUT',
    `Article ${articleId} was changed by someone else at the same time; reload and retry`,
    { field: 'id' },
  );
}

interface UniqueViolationShape {
  code?: string;
  meta?: {
    target?: string | string[];
    driverAdapterError?: { cause?: { kind?: string; constraint?: { fields?: string[] } } };
  };
  cause?: { code?: string; detail?: string };
}

/**
 * The columns of the unique constraint a write violated, or null when `error` is not a unique
 * violation. On PostgreSQL (@prisma/adapter-pg) Prisma reports P2002 with the constraint's fields in
 * `meta.driverAdapterError` (`meta.target` without a driver adapter). pglite-prisma-adapter passes
 * PostgreSQL's own error through instead (SQLSTATE 23505): its detail names the key,
 * `Key (slug)=(…) already exists.`
 */
export function uniqueViolationFields(error: unknown): string[] | null {
  const e = error as UniqueViolationShape | null;
  if (e?.code === 'P2002') {
    const target = e.meta?.target ?? e.meta?.driverAdapterError?.cause?.constraint?.fields ?? [];
    return typeof target === 'string' ? [target] : target;
  }
  if (e?.cause?.code === '23505') {
    const key = /^Key \((.+?)\)=/.exec(e.cause.detail ?? '')?.[1] ?? '';
    return key.split(',').map((column) => column.trim().replace(/^"|"$/g, ''));
  }
  return null;
}

/** A unique-constraint violation; with `column`, only one on a key that includes that column. */
export function isUniqueViolation(error: unknown, column?: string): boolean {
  const fields = uniqueViolationFields(error);
  return fields != null && (column == null || fields.includes(column));
}

/** Seconds a client is asked to wait (Retry-After) when the database is unavailable. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 2;

/**
 * The database is unreachable (src/db/unavailable.ts): SERVICE_UNAVAILABLE, HTTP 503 with
 * Retry-After. The driver's message stays in `originalError` for the log, never in the answer.
 */
export function serviceUnavailable(
  original: unknown,
  nodes?: GraphQLError['nodes'],
  path?: GraphQLError['path'],
): GraphQLError {
  return createGraphQLError('The database is unavailable; retry shortly.', {
    extensions: {
      code: 'SERVICE_UNAVAILABLE',
      http: { status: 503, headers: { 'Retry-After': String(UNAVAILABLE_RETRY_AFTER_SECONDS) } },
    },
    ...(original instanceof Error ? { originalError: original } : {}),
    ...(nodes ? { nodes } : {}),
    ...(path ? { path } : {}),
  });
}

/**
 * Yoga's error masking, extended: validation errors raised inside Pothos plugins (connection
 * arguments, cursors) are the client's fault and are reported as BAD_USER_INPUT, not masked; a
 * database outage is SERVICE_UNAVAILABLE (503), not an unexpected error.
 */
export function maskError(error: unknown, message: string, isDev?: boolean): Error {
  if (error instanceof GraphQLError && error.extensions?.code === 'SERVICE_UNAVAILABLE') return error;
  const original = error instanceof GraphQLError ? error.originalError : error;
  if (unavailableReason(original) !== null) {
    return error instanceof GraphQLError
      ? serviceUnavailable(original, error.nodes, error.path)
      : serviceUnavailable(original);
  }
  if (original instanceof PothosValidationError) {
    return createGraphQLError(original.message, {
      extensions: { code: 'BAD_USER_INPUT' },
      ...(error instanceof GraphQLError ? { nodes: error.nodes, path: error.path } : {}),
    });
  }
  return yogaMaskError(error, message, isDev);
}
