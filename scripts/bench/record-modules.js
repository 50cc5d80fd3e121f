'use strict';
// Preloaded into `node dist/main.js` by the bench: at exit, writes to $BENCH_MODULES_OUT the files
// of cdktf, constructs and @cdktf/provider-aws that synth loaded, in load order (for floor.js).
const fs = require('node:fs');
const PACKAGES = /[\\/]node_modules[\\/](cdktf|constructs|@cdktf[\\/]provider-aws)[\\/]/;
process.on('exit', () => {
  const files = Object.keys(require.cache).filter((f) => PACKAGES.test(f));
  fs.writeFileSync(process.env.BENCH_MODULES_OUT, JSON.stringify(files));
});
