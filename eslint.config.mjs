import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.build-test-*/', '.tools/', '.data/', 'coverage/', '*.js', '*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // The seat-map page's script runs in the browser as it is written: no types, no build step.
    files: ['src/seatmap/public/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { sourceType: 'script', globals: Object.fromEntries(['window', 'document', 'location', 'sessionStorage', 'fetch', 'EventSource', 'setTimeout', 'setInterval', 'clearInterval'].map((g) => [g, 'readonly'])), parserOptions: { projectService: false } },
  },
  {
    // HTTP response bodies in tests are whatever the server sent; tests assert their shape.
    files: ['test/helpers/http.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no I/O.
    files: ['workflows/**/*.ts', 'bench/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', 'fs', 'path', 'http', 'https', 'net', 'crypto', 'child_process', 'os'], message: 'Workflows must stay deterministic: no Node built-ins.' },
            { group: ['pg', 'knex', 'objection', 'koa', '@koa/*', '@temporalio/client', '@temporalio/worker', '@temporalio/activity', '../src/*', '../activities/*', '../../src/*', '../../activities/*'], message: 'Workflows may import only @temporalio/workflow and types.', allowTypeImports: true },
          ],
        },
      ],
    },
  },
);
