import { runSynthBundle } from './constructs/synth-bundle';
import { skipUpToDateSynth } from './constructs/synth-record';

/**
 * `node dist/main.js`: the synth (cdktf.json's `app`, `npm run synth`, `npm start`). First the
 * up-to-date check (constructs/synth-record.ts): when the outdir is provably what a synth would
 * write now, the app is not loaded. Otherwise runs the app (constructs/app.ts) as the synth
 * bundle, one file read back from V8's code cache (about a third of the app run saved:
 * constructs/synth-bundle.ts), or, when that is not to be used (a test's prelude patched a dist/
 * module; `SYNTH_BUNDLE=0`), as the app's own modules.
 */
if (!skipUpToDateSynth(module) && !runSynthBundle(module)) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the app synthesizes when loaded, so only on this path
  require('./constructs/app');
}
