'use strict';
// Preloaded into `node dist/main.js` (bench and test): records every child_process call of the
// main thread and writes them to $SPAWN_LOG at exit. esbuild starts its service from a worker
// thread, with that thread's own child_process module, so it is not counted here.
const cp = require('node:child_process');
const calls = [];
for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']) {
  const original = cp[name];
  cp[name] = function (...args) {
    calls.push(`${name} ${String(args[0])}`);
    return original.apply(this, args);
  };
}
process.on('exit', () => require('node:fs').writeFileSync(process.env.SPAWN_LOG, JSON.stringify(calls)));
