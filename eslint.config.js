// ESLint flat config: typescript-eslint's type-aware recommended rules, size limits for src/,
// the Temporal workflow sandbox boundary, and eslint-config-prettier last so Prettier owns layout.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

const SANDBOX_MESSAGE =
  "workflow code runs in Temporal's deterministic sandbox: at run time it may import only @temporalio/workflow, @temporalio/common " +
  'and modules in src/workflows or src/shared (no Node built-ins, Prisma, src/db, src/activities, src/api, ...); use `import type` for types from elsewhere.';

/**
 * One block per directory depth under src/workflows and src/shared: a relative import climbing `depth`
 * levels reaches src/, so it must go on into shared/ or workflows/; climbing further leaves src/.
 */
const sandboxBlocks = [1, 2, 3, 4, 5, 6].map((depth) => ({
  files: ['src/workflows', 'src/shared'].map((dir) => `${dir}/${'*/'.repeat(depth - 1)}*.ts`),
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          // Any bare or absolute specifier (Node built-ins with or without `node:`, npm packages, `src/...`) but the two SDK entry points.
          { regex: '^(?!\\.)(?!@temporalio/(workflow|common)$)', allowTypeImports: true, message: SANDBOX_MESSAGE },
          {
            regex: `^(\\.\\./){${depth}}(?!(shared|workflows)(/|$))`,
            allowTypeImports: true,
            message: SANDBOX_MESSAGE,
          },
        ],
      },
    ],
    'no-restricted-syntax': [
      'error',
      { selector: 'ImportExpression', message: `${SANDBOX_MESSAGE} Dynamic import() is not bundled either.` },
    ],
  },
}));

export default defineConfig(
  // src/generated is Prisma's generated client.
  globalIgnores([
    'src/generated/',
    '.tools/',
    '.data/',
    'dist/',
    'coverage/',
    'scratch/',
    'bench-results/',
    'chaos-results/',
  ]),
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // Under verbatimModuleSyntax `import { type A } from 'm'` still loads 'm' at run time: write `import type`.
      '@typescript-eslint/no-import-type-side-effects': 'error',
      // `const { omitted, ...rest } = object` is how the code drops keys (e.g. from process.env): the omitted names are unused by design.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
    },
  },
  {
    // JavaScript (this config file) is outside tsconfig.json: no type information for it.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // Tests read JSON bodies untyped (test/untyped-json.ts) and compare them with vitest's asymmetric matchers
      // (`expect.any(String)` returns `any`): a wrong shape fails the assertion itself, so these would only demand casts.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // Test doubles implement async interfaces with `async` methods that need no await: they stay faithful (a throw rejects).
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'max-lines-per-function': ['error', { max: 60 }],
      'max-lines': ['error', { max: 300 }],
    },
  },
  {
    // Production code (the API, the worker, the codec server) never loads development tooling: npm start, the embedded database.
    files: ['src/**/*.ts'],
    ignores: ['src/dev/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)dev/',
              message:
                'src/dev is development tooling (npm start, embedded PostgreSQL, test databases): production code must not import it.',
            },
          ],
        },
      ],
    },
  },
  sandboxBlocks,
  prettier,
);
