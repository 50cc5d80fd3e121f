import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import type { ResolvedConfig } from '../config';
import { SCHEMA_FILE } from './appsync-schema';
import { UserFacingError } from '../config/errors';

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

/** The commit `ref` names in the repository at `root`; throws naming the ref when there is none. */
export function resolveCommit(ref: string, root: string, option = '--diff'): string {
  try {
    return git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).toString().trim();
  } catch {
    throw new UserFacingError({ location: `${option} ${ref}`, problem: `not a commit in the git repository at ${root} (expected a branch, tag or commit)` });
  }
}

/**
 * Exports the tree of `commit` into a new temporary folder with `git archive` (no checkout:
 * the working tree and the repository's worktree list are untouched). The caller removes it.
 */
export function exportTree(commit: string, root: string, prefix = 'access-ref-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    execFileSync('tar', ['-x', '-C', dir], { input: git(root, ['archive', '--format=tar', commit]), maxBuffer: 512 * 1024 * 1024 });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return dir;
}

let bundles = 0;

/**
 * Reads `schema.graphql` and `config/` of the project in `dir` (a working tree or an exported
 * ref): `config/index.ts` is bundled with esbuild (packages from `root`'s node_modules) into
 * `<dir>/.tmp/` and its `loadConfig()` runs there, so the config resolves with that tree's own
 * defaults, validation and files.
 */
export function loadInputsFromDir(dir: string, root: string): { config: ResolvedConfig; sdl: string } {
  const bundleDir = join(dir, '.tmp');
  mkdirSync(bundleDir, { recursive: true });
  const bundle = join(bundleDir, `access-config-${process.pid}-${++bundles}.cjs`);
  try {
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
    return { config: mod.loadConfig(), sdl: readFileSync(join(dir, SCHEMA_FILE), 'utf8') };
  } finally {
    rmSync(bundle, { force: true });
  }
}

/**
 * Reads `schema.graphql` and `config/` at `ref`: the tree is exported into a temporary folder
 * (`exportTree`) and read there (`loadInputsFromDir`).
 */
export function loadInputsAtRef(ref: string, root: string): RefInputs {
  const commit = resolveCommit(ref, root);
  const dir = exportTree(commit, root);
  try {
    return { commit, ...loadInputsFromDir(dir, root) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
