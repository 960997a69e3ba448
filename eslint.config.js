// Typed linting for the whole workspace (STYLE.md "Tooling").
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Node built-ins, refused by exact name (a pattern like 'crypto' would also match '@offpay/crypto').
const nodeBuiltins = [
  'fs',
  'path',
  'crypto',
  'os',
  'child_process',
  'worker_threads',
  'buffer',
  'stream',
  'util',
  'http',
  'https',
  'net',
];

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', '**/.turbo/**', '**/*.js'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Tests read JSON fixtures (test vectors) whose shape the assertions themselves check.
    files: ['**/test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    // Browser code — the pure packages, the API contract, the device core and the two PWAs — has
    // no Node built-ins. The same rule, and the other layer rules, are checked on the whole
    // workspace by dependency-cruiser in `pnpm test` (.dependency-cruiser.cjs); this gives the
    // editor's early warning.
    files: [
      'packages/crypto/src/**/*.ts',
      'packages/protocol/src/**/*.ts',
      'packages/api/src/**/*.ts',
      'packages/app-kit/src/**/*.ts',
      'apps/sender/src/**/*.ts',
      'apps/receiver/src/**/*.ts',
      'apps/console/src/**/*.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({
            name,
            message: 'Browser code: no Node built-ins.',
          })),
          patterns: [{ group: ['node:*'], message: 'Browser code: no Node built-ins.' }],
        },
      ],
    },
  },
  {
    // Pure rules: no driver in *.domain.ts (dependency-cruiser checks the same in `pnpm test`).
    files: ['**/*.domain.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['pg', 'ioredis', 'fastify', 'fastify-plugin', '@electric-sql/pglite'].map(
            (name) => ({ name, message: '*.domain.ts: pure rules, no driver.' }),
          ),
          patterns: [
            { group: ['node:*', '@fastify/*'], message: '*.domain.ts: pure rules, no driver.' },
          ],
        },
      ],
    },
  },
);
