// `npm run lint` = `eslint .`: every TypeScript file in the repository, in three groups.
// - Node code (the app, local mode, CLIs, lambdas, scripts, tests): typescript-eslint's
//   type-aware recommended set, plus the promise and switch rules that matter most in local/.
// - resolvers/: APPSYNC_JS, linted by the official AppSync plugin's type-aware rules (what the
//   APPSYNC_JS runtime would reject) against their own tsconfig, exactly as before.
// - the resolver-catalog test fixtures: APPSYNC_JS too, some malformed on purpose, and in no
//   tsconfig, so they get the plugin's syntax-only `base` rules.
import appsync from '@aws-appsync/eslint-plugin';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

const resolverFixtures = 'test/fixtures/resolver-catalog/**/*.ts';

export default defineConfig([
  // JavaScript files are the few untyped helpers (transpile launcher, jest config, page script).
  { ignores: ['**/*.{js,cjs,mjs}', 'node_modules/', 'dist/', 'cdktf.out/'] },
  {
    files: ['**/*.ts'],
    ignores: ['resolvers/**', resolverFixtures],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        project: ['./tsconfig.json', './tsconfig.test.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // The rules that matter most: an unhandled rejection kills a local-mode server, and a
      // union member added later must fail the build where a switch forgets it.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      // A callback's error is passed on as the library gave it.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true, allowThrowingUnknown: true }],
      // A `let` read by closures declared before its one assignment cannot be a `const`.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],

      // Off, each because its findings are mostly noise here:
      // untyped JSON (Terraform JSON, request bodies, fixtures) and untyped third-party internals
      // are read through `any` at their boundaries: ~850 findings, none a bug.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // Flags String(x) on untyped JSON values, where converting whatever is there is the intent.
      '@typescript-eslint/no-base-to-string': 'off',
      // graphql-js's OperationTypeNode is a string enum, compared with its documented literals.
      '@typescript-eslint/no-unsafe-enum-comparison': 'off',
      // `async` methods implement Promise-returning interfaces; `async` keeps a throw a rejection.
      '@typescript-eslint/require-await': 'off',
      // Flags dynalite's module-level functions and a saved method re-called with .call.
      '@typescript-eslint/unbound-method': 'off',
      // tsc's noUnusedLocals already reports unused locals and imports.
      '@typescript-eslint/no-unused-vars': 'off',
    },
  },
  {
    ...appsync.configs.recommended,
    files: ['resolvers/**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: {
        project: './resolvers/tsconfig.json',
        tsconfigRootDir: import.meta.dirname,
      },
    },
  },
  { ...appsync.configs.base, files: [resolverFixtures] },
]);
