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
