#!/usr/bin/env node
'use strict';
/**
 * The fast path to runnable JS: transpiles (no type-check) every TypeScript source whose dist/
 * output is missing or older than the source, with esbuild, file by file into dist/ (the same
 * layout `tsc -p .` emits), then optionally runs one of the outputs in this same process.
 *
 *   node scripts/transpile.js                      transpile what changed
 *   node scripts/transpile.js --run dist/main.js   ... then run it as the main module (args after it pass on)
 *
 * Why: `npm run synth`, `npm start`, `npm run access` and cdktf.json's `app` would otherwise pay a
 * whole `tsc` (2.5 s with nothing changed, ~9 s from clean) on every run. Type-checking stays in
 * `npm run build` and `npm test`. Plain JavaScript so it runs before anything is compiled.
 */
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'dist');
/**
 * What tsconfig.json compiles: the first path segment of each `include` pattern (`config/**\/*.ts`
 * -> `config`), so a folder added there is transpiled here too. Declaration files are skipped.
 */
const SOURCE_ROOTS = [
  ...new Set(JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8')).include.map((p) => p.split('/')[0])),
];

function sources(rel, found) {
  const abs = path.join(ROOT, rel);
  let st;
  try {
    st = fs.statSync(abs);
  } catch {
    return found;
  }
  if (st.isDirectory()) {
    for (const name of fs.readdirSync(abs)) if (name !== 'node_modules') sources(path.join(rel, name), found);
  } else if (rel.endsWith('.ts') && !rel.endsWith('.d.ts')) {
    found.push({ rel, mtimeMs: st.mtimeMs });
  }
  return found;
}

function transpile() {
  // Only sources whose output is missing or older reach esbuild (none on a no-change run).
  const stale = SOURCE_ROOTS.flatMap((r) => sources(r, [])).filter(({ rel, mtimeMs }) => {
    try {
      return fs.statSync(path.join(OUT, rel.replace(/\.ts$/, '.js'))).mtimeMs < mtimeMs;
    } catch {
      return true;
    }
  });
  if (stale.length === 0) return 0;
  // Loaded only when there is work: a no-change run costs a few stat calls.
  const { buildSync } = require('esbuild');
  buildSync({
    absWorkingDir: ROOT,
    entryPoints: stale.map((s) => s.rel),
    outdir: OUT,
    outbase: '.',
    bundle: false,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    tsconfig: path.join(ROOT, 'tsconfig.json'),
    logLevel: 'warning',
  });
  return stale.length;
}

function main() {
  const args = process.argv.slice(2);
  const t0 = performance.now();
  const count = transpile();
  if (process.env.TRANSPILE_VERBOSE) console.error(`transpile: ${count} file(s) in ${(performance.now() - t0).toFixed(0)} ms`);
  if (args[0] === '--run') {
    if (!args[1]) throw new Error('usage: node scripts/transpile.js [--run <dist/file.js> [args...]]');
    // The script becomes the main module (require.main === module holds), with its own argv.
    process.argv = [process.argv[0], path.resolve(args[1]), ...args.slice(2)];
    Module.runMain();
  } else if (args.length) {
    throw new Error(`unknown arguments: ${args.join(' ')}\nusage: node scripts/transpile.js [--run <dist/file.js> [args...]]`);
  }
}

main();
