// One linter for the whole workspace. Layers (shared/STYLE.md) are enforced by tags, arrows point downwards only:
//   composition  >  service  >  domain  >  transport  >  protocol
// A package may depend on its own layer and the ones below it. `layer:testing` (tools/testkit) is allowed
// from tests and benchmarks only: a second rule keeps it out of every package's src/.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

// checkDynamicDependenciesExceptions: the factory and the cli load libraries with `import()` so a command pays only
// for what it uses; a static import of the same library elsewhere (a test, a type) is fine in Node, where the check
// (made for lazily loaded front-end bundles) would forbid it.
const boundaries = (extra = {}) => [
  'error',
  { enforceBuildableLibDependency: false, allow: [], depConstraints, checkDynamicDependenciesExceptions: ['@pocketdock/*'], ...extra },
];

const LAYERS = ['protocol', 'transport', 'domain', 'service', 'composition'];
export const depConstraints = [
  ...LAYERS.map((layer, i) => ({
    sourceTag: `layer:${layer}`,
    onlyDependOnLibsWithTags: [...LAYERS.slice(0, i + 1).map((l) => `layer:${l}`), 'layer:testing'],
  })),
  { sourceTag: 'layer:testing', onlyDependOnLibsWithTags: ['layer:protocol', 'layer:transport', 'layer:testing'] },
  { sourceTag: 'layer:workspace', onlyDependOnLibsWithTags: ['*'] },
];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', '**/*.cjs', '**/*.mjs', 'tools/layer-fixtures/**'] },
  { plugins: { '@nx': nx } },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@nx/enforce-module-boundaries': boundaries(),
      '@typescript-eslint/no-floating-promises': 'error',
      // A `let` read by a closure before its one assignment cannot be `const` (that read would hit the TDZ).
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'No default exports: use named exports (STYLE.md 1).' },
      ],
    },
  },
  {
    files: ['packages/*/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@pocketdock/testkit', '@pocketdock/testkit/*'], message: 'testkit is for tests and benchmarks only.' }] },
      ],
    },
  },
  {
    // Benchmarks import their own package by name on purpose: they measure the built dist/, what users install.
    files: ['**/bench/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': boundaries({ allowCircularSelfDependency: true }) },
  },
  {
    files: ['**/test/**/*.ts', '**/bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
