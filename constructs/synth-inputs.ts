/**
 * Files a synth read besides its modules and the repository's own files: node_modules files that
 * the build cache hashed for a Lambda or resolver bundle (constructs/cached-esbuild.ts), the synth
 * bundle's inputs (constructs/synth-bundle.ts), a SAML metadata file named by the config. The
 * synth's up-to-date record (constructs/synth-record.ts) stamps them after a successful synth, so a
 * later synth is skipped only while they are unchanged.
 *
 * The list lives on `globalThis` under a registered symbol, not in a module variable: the app runs
 * as the synth bundle (dist/synth.js), which holds its own copy of every module, so a module
 * variable here would be two variables. Nothing is kept unless the record asked for it (`collect`).
 */
const KEY = Symbol.for('cognito-appsync-access.synth-inputs');

type Registry = Record<symbol, Set<string> | undefined>;

/** Notes absolute paths the synth read (or found absent); a no-op unless a synth record collects them. */
export function noteSynthInputs(paths: Iterable<string>): void {
  const found = (globalThis as unknown as Registry)[KEY];
  if (found === undefined) return;
  for (const p of paths) found.add(p);
}

/** Starts collecting noted inputs in this process; the returned set fills as the synth runs. */
export function collectSynthInputs(): ReadonlySet<string> {
  const registry = globalThis as unknown as Registry;
  registry[KEY] ??= new Set<string>();
  return registry[KEY];
}
