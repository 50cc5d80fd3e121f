import Module from 'node:module';
import { dirname } from 'node:path';

/**
 * Loaded before cdktf (first import of main.ts): cdktf's `lib/private/fs.js` requires `archiver`
 * (with glob, readable-stream and zip-stream: a fifth of a synth's start-up and several MB of
 * heap) at load time, yet calls it only for ARCHIVE assets, and even then in a child process of
 * its own. The project ships zips it builds itself (constructs/code-asset.ts), so this registers
 * a stand-in under archiver's module path that loads the real module on first use: nothing
 * changes for a caller, and a synth never pays for it.
 *
 * @public exported for test/build-cache.test.ts, which reads it in a spawned node (knip cannot see that).
 */
export const ARCHIVER_FILE = require.resolve('archiver', { paths: [dirname(require.resolve('cdktf'))] });

let real: object | undefined;
const load = (): object => {
  if (!real) {
    if (require.cache[ARCHIVER_FILE]?.exports === archiverStandIn) delete require.cache[ARCHIVER_FILE];
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the deferred load itself
    real = require(ARCHIVER_FILE) as object;
  }
  return real;
};

/**
 * What cdktf gets for `require('archiver')`: cdktf's own archiver, loaded on first use. The synth
 * bundle hands it to cdktf through constructs/archiver-stand-in.ts (an esbuild alias), since a
 * require from dist/synth.js would resolve another copy of archiver than cdktf's.
 */
export const archiverStandIn: object = new Proxy(function archiver() {}, {
  apply: (_target, thisArg, args: unknown[]) => Reflect.apply(load() as (...a: unknown[]) => unknown, thisArg, args),
  get: (_target, prop) => Reflect.get(load(), prop) as unknown,
  has: (_target, prop) => Reflect.has(load(), prop),
});

if (!require.cache[ARCHIVER_FILE]) {
  const stub = new Module(ARCHIVER_FILE);
  stub.filename = ARCHIVER_FILE;
  stub.loaded = true;
  stub.exports = archiverStandIn;
  require.cache[ARCHIVER_FILE] = stub;
}
