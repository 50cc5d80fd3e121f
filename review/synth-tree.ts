import { spawnSync } from 'node:child_process';
import { existsSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { readStacks, type StackJson } from '../addresses/address-list';
import { UserFacingError } from '../config/errors';

/**
 * Synthesizes the project in a folder (the working tree, or a ref exported into a temporary
 * folder) into `outdir`, the way `npm run synth` does: transpile (scripts/transpile.js; older
 * trees: tsc), then run `node dist/main.js` with CDKTF_OUTDIR. Always the deployable provider block (OFFLINE_PLAN
 * unset), so both sides of a comparison are synthesized alike.
 */

function run(args: string[], cwd: string, env: NodeJS.ProcessEnv, what: string): void {
  const r = spawnSync(process.execPath, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error || r.status !== 0) {
    const output = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-30).join('\n');
    // What the child printed says what is wrong in that tree (main.ts prints a user's mistake without a stack).
    throw new UserFacingError(
      { location: cwd, problem: `${what} failed (exit ${r.status}): ${r.error?.message ?? ''}\n${output}` },
      `${what} failed in ${cwd} (exit ${r.status}): ${r.error?.message ?? ''}\n${output}`,
    );
  }
}

function synthEnv(outdir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: '1' };
  delete env.OFFLINE_PLAN;
  return env;
}

/** Runs an already compiled `<dir>/dist/main.js` into `outdir` and reads the stacks. */
export function synthBuilt(dir: string, outdir: string): Record<string, StackJson> {
  const main = join(dir, 'dist', 'main.js');
  if (!existsSync(main)) throw new UserFacingError({ location: main, problem: 'is missing', fix: 'build first (npm run build)' }, `${main} is missing: build first (npm run build)`);
  run([main], dir, synthEnv(outdir), 'synth (node dist/main.js)');
  return readStacks(outdir);
}

/**
 * Compiles `dir` the way its own `npm run synth` does (scripts/transpile.js, esbuild; a tree from
 * before it: tsc with tsconfig.synth.json, else tsconfig.json) and synthesizes it. A folder
 * without node_modules gets a link to `nodeModules`.
 */
export function compileAndSynth(dir: string, outdir: string, nodeModules: string): Record<string, StackJson> {
  if (!existsSync(join(dir, 'node_modules'))) symlinkSync(nodeModules, join(dir, 'node_modules'), 'dir');
  if (existsSync(join(dir, 'scripts', 'transpile.js'))) {
    run([join(dir, 'scripts', 'transpile.js')], dir, { ...process.env }, 'node scripts/transpile.js');
  } else {
    const tsconfig = existsSync(join(dir, 'tsconfig.synth.json')) ? 'tsconfig.synth.json' : 'tsconfig.json';
    run([require.resolve('typescript/bin/tsc'), '-p', tsconfig], dir, { ...process.env }, `tsc -p ${tsconfig}`);
  }
  return synthBuilt(dir, outdir);
}
