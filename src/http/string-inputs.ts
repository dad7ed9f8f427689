// One sanitiser for every string a client sends into an operation, whatever field or argument it is
// for: string literals in the document (arguments, input objects, variable defaults) and every string
// inside the variables. Refused before anything runs, BAD_USER_INPUT (HTTP 400) naming the argument
// or variable: NUL characters (PostgreSQL text cannot hold them), lone UTF-16 surrogates (not
// encodable as UTF-8), and strings over MAX_STRING_LENGTH characters (the longest any field takes,
// a body block; each field's own, smaller limit is checked where it is used). Variables are also
// held to the size of the largest real input. Runs over HTTP, SSE and WebSocket alike
// (onExecute/onSubscribe), before graphql-js coerces anything.
import { type DocumentNode, type GraphQLError, visit } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { badInput } from '../errors.ts';

export const MAX_STRING_LENGTH = 20_000;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why a string cannot be accepted, or null. */
export function stringProblem(value: string): string | null {
  if (value.includes('\u0000')) return 'must not contain NUL characters';
  if (LONE_SURROGATE.test(value)) return 'must be valid Unicode (it contains a lone surrogate)';
  if (value.length > MAX_STRING_LENGTH && Array.from(value).length > MAX_STRING_LENGTH)
    return `must be at most ${MAX_STRING_LENGTH.toLocaleString('en')} characters`;
  return null;
}

function refuse(name: string, problem: string): GraphQLError {
  const error = badInput(name, problem);
  error.extensions.http = { status: 400 };
  return error;
}

/** Variables bigger than any input of this schema (the largest, an article body, has ~3,500 values). */
const MAX_VARIABLE_VALUES = 20_000;
const MAX_OBJECT_KEYS = 100;
const MAX_VARIABLE_DEPTH = 10;

function checkValue(value: unknown, name: string, budget: { values: number }, depth = 0): void {
  if (++budget.values > MAX_VARIABLE_VALUES)
    throw refuse(name, `variables may hold at most ${MAX_VARIABLE_VALUES.toLocaleString('en')} values`);
  if (typeof value === 'string') {
    const problem = stringProblem(value);
    if (problem) throw refuse(name, problem);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  // graphql-js needs seconds to report a 20,000-field object's unknown fields: refuse the shape first.
  if (depth >= MAX_VARIABLE_DEPTH) throw refuse(name, `nests deeper than any input (${MAX_VARIABLE_DEPTH} levels)`);
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      checkValue(item, `${name}[${i}]`, budget, depth + 1);
    });
  } else if (Object.getPrototypeOf(value) === Object.prototype) {
    const entries = Object.entries(value);
    if (entries.length > MAX_OBJECT_KEYS)
      throw refuse(name, `has ${entries.length} fields; no input has more than ${MAX_OBJECT_KEYS}`);
    for (const [key, item] of entries) {
      if (stringProblem(key)) throw refuse(name, 'has an invalid field name');
      checkValue(item, `${name}.${key}`, budget, depth + 1);
    }
  }
}

/** Documents already found clean (Yoga reuses a parsed document for the same query text). */
const cleanDocuments = new WeakSet<DocumentNode>();

function checkDocument(document: DocumentNode): void {
  if (cleanDocuments.has(document)) return;
  const names: string[] = [];
  visit(document, {
    Argument: { enter: (node) => void names.push(node.name.value), leave: () => void names.pop() },
    ObjectField: { enter: (node) => void names.push(node.name.value), leave: () => void names.pop() },
    StringValue(node) {
      const problem = stringProblem(node.value);
      if (problem) throw refuse(names.join('.') || 'value', problem);
    },
  });
  cleanDocuments.add(document);
}

/** Throws BAD_USER_INPUT for the first unacceptable string in the operation. */
export function checkStrings(document: DocumentNode, variables: Record<string, unknown> | null | undefined): void {
  checkDocument(document);
  const budget = { values: 0 };
  for (const [name, value] of Object.entries(variables ?? {})) checkValue(value, `$${name}`, budget);
}

export function useStringInputs(): Plugin {
  const guard = ({
    args,
    setResultAndStopExecution,
  }: {
    args: { document: DocumentNode; variableValues?: Record<string, unknown> | null };
    setResultAndStopExecution: (result: { errors: GraphQLError[] }) => void;
  }) => {
    try {
      checkStrings(args.document, args.variableValues);
    } catch (error) {
      setResultAndStopExecution({ errors: [error as GraphQLError] });
    }
  };
  return { onExecute: guard, onSubscribe: guard };
}
