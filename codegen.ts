// graphql-codegen: typed documents for the operations in tests and examples, from the printed SDL,
// and the trusted-documents manifest (hash → document) of the client operations in examples/,
// which the server accepts as persisted operations (src/cache/persisted.ts).
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  ignoreNoDocuments: true,
  importExtension: '.ts',
  // @defer/@stream come from the defer-stream plugin at run time, not from the printed SDL.
  config: { skipDocumentsValidation: { ignoreRules: ['KnownDirectivesRule'] } },
  generates: {
    'test/generated/': {
      documents: ['test/**/*.ts', 'examples/**/*.graphql', '!test/generated/**'],
      preset: 'client',
      config: { scalars: { DateTime: 'string' }, useTypeImports: true, enumsAsTypes: true },
      presetConfig: { fragmentMasking: false },
    },
    // Committed; test/persisted-operations.test.ts fails when it drifts from examples/.
    'examples/generated/': {
      documents: ['examples/**/*.graphql'],
      preset: 'client',
      config: { scalars: { DateTime: 'string' }, useTypeImports: true, enumsAsTypes: true },
      presetConfig: { fragmentMasking: false, persistedDocuments: { hashAlgorithm: 'sha256' } },
    },
  },
};

export default config;
