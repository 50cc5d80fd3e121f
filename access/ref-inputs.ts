import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import type { ResolvedConfig } from '../config';
import { SCHEMA_FILE } from './appsync-schema';

/** The schema text and the resolved config of the project as it was at a git ref. */
export interface RefInputs {
  /** The commit the ref named. */
  readonly commit: string;
  readonly config: ResolvedConfig;
  readonly sdl: string;
}

function git(root: string, args: string[]): Buffer {
  return execFileSync('git', args, { cwd: root, maxBuffer: 512 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Reads `schema.graphql` and `config/` at `ref`: the tree is exported with `git archive` into
 * a temporary folder (no checkout, the working tree is untouched), `config/index.ts` is bundled
 * with esbuild and its `loadConfig()` runs there, so the config resolves with that ref's own
 * defaults and validation.
 */
export function loadInputsAtRef(ref: string, root: string): RefInputs {
  let commit: string;
  try {
    commit = git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).toString().trim();
  } catch {
    throw new Error(`--diff ${ref}: not a commit in the git repository at ${root} (expected a branch, tag or commit)`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'access-ref-'));
  try {
    execFileSync('tar', ['-x', '-C', dir], { input: git(root, ['archive', '--format=tar', commit]) });
    const bundle = join(dir, '.access-config.cjs');
    buildSync({
      entryPoints: [join(dir, 'config', 'index.ts')],
      outfile: bundle,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      nodePaths: [join(root, 'node_modules')],
      logLevel: 'silent',
    });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(bundle) as { loadConfig(): ResolvedConfig };
    return { commit, config: mod.loadConfig(), sdl: readFileSync(join(dir, SCHEMA_FILE), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
