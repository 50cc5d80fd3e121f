/**
 * graphql-js in production mode for this process, without putting the whole process in it.
 *
 * graphql 16 decides once, when `graphql/jsutils/instanceOf.js` loads, between a plain
 * `instanceof` (`process.env.NODE_ENV === 'production'`) and a development version that, every
 * time `instanceof` is false (`isListType(anObjectType)`, ... on every resolved field), reads
 * `Symbol.toStringTag`s to report a second copy of graphql. The endpoint loads one copy, so that
 * check finds nothing and only costs CPU per field. The variable is 'production' only while that
 * one module loads and is restored (or removed again) right after: the rest of the process (the
 * AWS SDK, cognito-local, resolvers' `util` ...) sees the NODE_ENV it was started with.
 *
 * Must be required before anything else loads graphql (local/start.ts imports it first): a copy
 * already loaded keeps the mode it chose. The Amplify AppSync simulator's dependencies carry
 * nested graphql 15.x copies; the endpoint's process never loads them (only the top-level 16.x,
 * whose module this resolves), so they are not switched here.
 */

const before = process.env.NODE_ENV;
process.env.NODE_ENV = 'production';
try {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- must load inside this window; an import would be hoisted above it
  require('graphql/jsutils/instanceOf');
} finally {
  if (before === undefined) delete process.env.NODE_ENV;
  else process.env.NODE_ENV = before;
}
