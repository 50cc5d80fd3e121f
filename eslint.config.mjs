// Lints the APPSYNC_JS resolvers only (`npm run lint` = `eslint resolvers`): the official
// AppSync plugin's type-aware rules catch what the APPSYNC_JS runtime would reject.
import appsync from '@aws-appsync/eslint-plugin';
import tseslint from 'typescript-eslint';

export default [
  // Nothing but the resolvers' TypeScript is APPSYNC_JS; the rest of the repo is Node code.
  { ignores: ['**/*.{js,cjs,mjs}', 'node_modules/', 'dist/', 'cdktf.out/'] },
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
];
