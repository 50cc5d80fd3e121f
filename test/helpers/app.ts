import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../config/paths';

/** The built app; tests run it as `npm run synth` would (compiled JS, never ts-node). */
export const BUILT_MAIN = join(repoRoot(), 'dist', 'main.js');

/**
 * Runs dist/main.js with OFFLINE_PLAN=1 into `outdir`. `prelude` is JavaScript run first in
 * the same process (e.g. to patch the config module). Fails clearly when dist/ is not built.
 */
export function runBuiltApp(outdir: string, prelude = ''): SpawnSyncReturns<string> {
  if (!existsSync(BUILT_MAIN)) throw new Error('dist/main.js is missing: run `npx tsc -p .` first (npm test builds first)');
  return spawnSync(process.execPath, ['-e', `${prelude}\nrequire(${JSON.stringify(BUILT_MAIN)});`], {
    cwd: repoRoot(),
    env: { ...process.env, OFFLINE_PLAN: '1', CDKTF_OUTDIR: outdir },
    encoding: 'utf8',
  });
}
