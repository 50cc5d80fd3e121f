import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, symlinkSync } from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../../config/paths';

/**
 * Copies the project as a fresh clone has it (the files git tracks, plus uncommitted edits to
 * them) into `dest`, with `node_modules` linked rather than copied: what `npm ci` leaves, with no
 * dist/, cdktf.out/ or local data. The bench runs first starts and generated schemas there.
 */
export function copyProject(dest: string): void {
  const root = repoRoot();
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' });
  if (listed.status !== 0) throw new Error(`bench: \`git ls-files\` failed in ${root}: ${listed.stderr || listed.error}`);
  // `node_modules` is linked below; in a git worktree whose node_modules is itself a symlink, git
  // lists that link as an untracked file (`node_modules/` in .gitignore matches folders only).
  for (const rel of listed.stdout.split('\0').filter((r) => r && r !== 'node_modules')) {
    const to = path.join(dest, rel);
    mkdirSync(path.dirname(to), { recursive: true });
    try {
      copyFileSync(path.join(root, rel), to);
    } catch (e) {
      // Deleted in the working tree but still in the index: a fresh clone of this state lacks it too.
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  symlinkSync(path.join(root, 'node_modules'), path.join(dest, 'node_modules'), 'dir');
}
