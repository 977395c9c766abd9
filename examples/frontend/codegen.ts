// Types for every GraphQL document in src/, generated from the API's published schema.
// `npm run codegen` (run by `dev` and `build`) writes them to src/gql/, which is not committed:
// they are always regenerated from ../../schema/schema.graphql, so they cannot drift from it.
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "../../schema/schema.graphql",
  documents: ["src/**/*.ts", "!src/gql/**"],
  generates: {
    "src/gql/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: {
        // Documents are plain strings: fetch and graphql-ws send them as they are.
        documentMode: "string",
        useTypeImports: true,
        enumsAsTypes: true,
        strictScalars: true,
        scalars: {
          Date: "string",
          DateTime: "string",
          // Exact decimals travel as strings so that no digit is lost.
          Decimal: "string",
          JSON: "unknown",
        },
      },
    },
  },
};

export default config;
