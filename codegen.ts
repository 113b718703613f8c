// GraphQL Code Generator: reads the committed schema.graphql (printed from the Pothos schema) and the
// graphql(`…`) documents in client/, and writes typed documents to client/gate/generated/.
// Run by `npm run generate` (and on install); never edit the output by hand.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['client/**/*.ts', '!client/gate/generated/**'],
  ignoreNoDocuments: true,
  generates: {
    'client/gate/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        importExtension: '.ts',
        scalars: { DateTime: 'string', JSON: 'unknown', SafeInt: 'number' },
      },
    },
  },
};

export default config;
