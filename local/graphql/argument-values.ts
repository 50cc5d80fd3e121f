import type { getArgumentValues as GetArgumentValues } from 'graphql';

/**
 * A fast path in graphql-js's `getArgumentValues` for a field that takes no arguments.
 *
 * graphql-js's `executeField` computes every field's arguments before its resolver is called,
 * `{ id title summary body }` of each list item included: a fresh object, an empty key map and
 * an empty loop per field. No resolver of ours can skip that (it runs before the resolver is
 * asked) and graphql-js has no option for it, so the export the executor calls is wrapped: a
 * field with no argument definitions and no arguments in the query gets one shared frozen
 * empty object (what the original would build, minus the allocation); anything else goes to the
 * original, unchanged. A query that passes arguments to a field without definitions never gets
 * here (validation refused it); when it does, the original answers as before.
 *
 * Only the CommonJS build (`values.js`, the one this process loads) is wrapped: `execute.js`
 * reads `getArgumentValues` from that module's exports at every call, so replacing the export
 * is enough. Arguments still reach resolvers as plain objects: the APPSYNC_JS runtime copies
 * `ctx.arguments` for each resolver run (appsync-js/resolver-runner.ts newContext).
 */

type Values = { getArgumentValues: typeof GetArgumentValues };
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the module object itself: its export is replaced, which an import binding cannot do
const values = require('graphql/execution/values') as Values;

/** What a field without arguments receives: like graphql-js's, a null-prototype object, shared and frozen. */
export const NO_ARGUMENTS: Readonly<Record<string, unknown>> = Object.freeze(Object.create(null) as Record<string, unknown>);

const original = values.getArgumentValues;

const withFastPath: typeof GetArgumentValues = (def, node, variableValues) =>
  def.args.length === 0 && (node.arguments === undefined || node.arguments.length === 0)
    ? NO_ARGUMENTS
    : original(def, node, variableValues);

/** Installs the fast path (idempotent: one wrapper however many executors are made). */
export function installArgumentFastPath(): void {
  values.getArgumentValues = withFastPath;
}
