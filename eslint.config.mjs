import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import simpleImportSort from 'eslint-plugin-simple-import-sort';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'data/**',
      'reports/**',
      'coverage/**',
      'extensions/**/node_modules/**',
      'extensions/**/dist/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { 'simple-import-sort': simpleImportSort },
    rules: {
      'simple-import-sort/imports': 'error',
      'simple-import-sort/exports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'error',
    },
  },
  {
    // The domain core is pure: no server code, no I/O, no environment, no clock.
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/server/**',
                '../server/*',
                'express',
                'kysely',
                'pg',
                'better-sqlite3',
                '@hubspot/api-client',
              ],
              message: 'src/ is the pure domain core',
            },
            {
              group: ['node:fs', 'node:net', 'node:http', 'node:child_process', 'fs', 'http'],
              message: 'src/ does no I/O',
            },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'configuration is injected' },
        { object: 'Date', property: 'now', message: 'time is an argument in src/' },
      ],
    },
  },
  {
    // The cards: hooks rules, and nothing from outside extensions/ (HubSpot builds the card folder alone).
    files: ['extensions/**/*.ts', 'extensions/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../../../*', '**/server/**', '**/src/**', 'node:*'],
              message:
                'the card bundle holds only extensions/app/cards and its package.json dependencies',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      globals: { module: 'writable', require: 'readonly', __dirname: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
