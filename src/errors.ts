// Known failures become GraphQL errors with an `extensions.code`; everything else is masked.
import { PothosValidationError } from '@pothos/core';
import { GraphQLError } from 'graphql';
import { createGraphQLError, maskError as yogaMaskError } from 'graphql-yoga';

export type ErrorCode = 'BAD_USER_INPUT' | 'NOT_FOUND' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'RATE_LIMITED';

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

/**
 * A unique-constraint violation, as Prisma reports it (P2002) or as the driver does (SQLSTATE 23505);
 * with `column`, only one that names that column (e.g. "slug", not a revision number).
 */
export function isUniqueViolation(error: unknown, column?: string): boolean {
  const e = error as { code?: string; meta?: { code?: string }; cause?: { code?: string } } | null;
  const unique = e?.code === 'P2002' || e?.code === '23505' || e?.meta?.code === '23505' || e?.cause?.code === '23505' || /unique constraint/i.test(String((error as Error)?.message));
  if (!unique || !column) return unique;
  let described = String((error as Error)?.message);
  try {
    described += JSON.stringify(error);
  } catch {
    // circular: the message alone
  }
  return described.includes(column);
}

/**
 * Yoga's error masking, extended: validation errors raised inside Pothos plugins (connection
 * arguments, cursors) are the client's fault and are reported as BAD_USER_INPUT, not masked.
 */
export function maskError(error: unknown, message: string, isDev?: boolean): Error {
  const original = error instanceof GraphQLError ? error.originalError : error;
  if (original instanceof PothosValidationError) {
    return createGraphQLError(original.message, {
      extensions: { code: 'BAD_USER_INPUT' },
      ...(error instanceof GraphQLError ? { nodes: error.nodes, path: error.path } : {}),
    });
  }
  return yogaMaskError(error, message, isDev);
}
