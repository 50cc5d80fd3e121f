import { runSynthBundle } from './constructs/synth-bundle';

/**
 * `node dist/main.js`: the synth (cdktf.json's `app`, `npm run synth`, `npm start`). Runs the app
 * (constructs/app.ts) as the synth bundle, one file read back from V8's code cache (about a third
 * of the app run saved: constructs/synth-bundle.ts), or, when that is not to be used (a test's
 * prelude patched a dist/ module; `SYNTH_BUNDLE=0`), as the app's own modules.
 */
if (!runSynthBundle(module)) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the app synthesizes when loaded, so only on this path
  require('./constructs/app');
}
