// Limits on the document itself, enforced while it is parsed and validated, before the operation
// guard (relay/pagination.ts) walks it: graphql-js's own token limit in the parser (so a 10,000-alias
// or 50,000-token document is refused after reading 2,000 tokens, not after validating all of it),
// graphql-armor's directive count, graphql-armor's field-suggestion masking (production), and the
// introspection switch (graphql-js's NoSchemaIntrospectionCustomRule). Every refusal is HTTP 400 with
// BAD_USER_INPUT / QUERY_TOO_COMPLEX, also for clients that accept only application/json (Yoga would
// answer those validation errors with 200).
import { blockFieldSuggestionsPlugin } from '@escape.tech/graphql-armor-block-field-suggestions';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { GraphQLError, NoSchemaIntrospectionCustomRule, parse, type ValidationContext } from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';

export interface DocumentLimits {
  /** Lexical tokens per document (the full introspection query has ~190). */
  maxTokens: number;
  /** Directives per operation, fragments included. */
  maxDirectives: number;
  /** "Did you mean …?" in validation errors. */
  fieldSuggestions: boolean;
  introspection: boolean;
}

function tooComplex(message: string): GraphQLError {
  return createGraphQLError(message, {
    extensions: { code: 'BAD_USER_INPUT', reason: 'QUERY_TOO_COMPLEX', http: { status: 400 } },
  });
}

export function useDocumentLimits(limits: DocumentLimits): Plugin {
  const directives = maxDirectivesRule({
    n: limits.maxDirectives,
    propagateOnRejection: false,
    onReject: [
      (ctx: ValidationContext | null) =>
        ctx?.reportError(tooComplex(`At most ${limits.maxDirectives} directives per operation`)),
    ],
  });
  const plugins: Plugin[] = [
    {
      onParse({ setParseFn }) {
        setParseFn((source, options) => {
          try {
            return parse(source, { ...options, maxTokens: limits.maxTokens });
          } catch (error) {
            if (error instanceof GraphQLError && /contains more th\w* \d+ tokens/.test(error.message)) {
              throw tooComplex(`A document may have at most ${limits.maxTokens} tokens`);
            }
            throw error;
          }
        });
      },
      onValidate({ addValidationRule }) {
        addValidationRule(directives);
        if (!limits.introspection) addValidationRule(NoSchemaIntrospectionCustomRule);
      },
    },
  ];
  if (!limits.fieldSuggestions) plugins.push(blockFieldSuggestionsPlugin({ mask: '' }) as Plugin);
  return { onPluginInit: ({ addPlugin }) => plugins.forEach(addPlugin) };
}
