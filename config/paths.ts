import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The repository root: the nearest folder above this module that holds package.json.
 * Found by walking up because this module runs both from source (jest) and from dist/.
 */
export function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = parent;
  }
  return dir;
}

/** A path from the config (relative to the repository root) as an absolute path. */
export function repoPath(relative: string): string {
  return resolve(repoRoot(), relative);
}
