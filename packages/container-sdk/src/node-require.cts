// This package's own `require`, in both builds: TypeScript always emits a .cts file as CommonJS, so the ESM build
// has it too (dist/esm/node-require.cjs, resolving from dist/esm/). lazy-schema.ts loads zod with it.
export const nodeRequire: NodeJS.Require = require;
