import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/',
      '*/dist/',
      'release/',
      'dashboard/build/',
      'dashboard/.svelte-kit/',
      '.data/',
      'test/bench/results/',
      'test/e2e/artifacts/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['dashboard/**/*.svelte', 'dashboard/**/*.svelte.ts'],
    languageOptions: { globals: { ...globals.browser }, parserOptions: { parser: tseslint.parser } },
    rules: {
      // The dashboard is served at the origin root (no base path), so resolve() would add nothing.
      'svelte/no-navigation-without-resolve': 'off',
      // Maps built inside $derived are recomputed, not mutated: they need no reactive wrapper.
      'svelte/prefer-svelte-reactivity': 'off',
    },
  },
  {
    files: ['dashboard/src/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: { 'svelte/no-navigation-without-resolve': 'off' },
  },
);
