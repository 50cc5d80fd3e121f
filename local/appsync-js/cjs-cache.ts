import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { packageVersion, writeFileAtomic } from '../../constructs/build-cache';

/**
 * Resolver bundles in their CommonJS form (module-loader.ts), kept between local-mode starts in
 * `<dataDir>/cache/resolvers/`: converting and checking every bundle costs a start about a quarter
 * of a second, most of it starting esbuild's service process, though the bundles rarely change.
 *
 * An entry is written only after the bundle passed the checks (code-checks.ts), and its name is a
 * digest of everything that decided its content and the checks' verdict: the bundle's code,
 * esbuild's version and the checks' own compiled code. A changed bundle, esbuild or check misses
 * the cache and is converted and checked again. The folder is the developer's own, like dist/.
 */
const FORMAT = 'cjs-cache-1';

/** esbuild's version and the checks' code, read once per process (not per bundle). */
let toolDigest: string | undefined;
function tools(): string {
  toolDigest ??= createHash('sha256')
    .update(`${FORMAT}\nesbuild@${packageVersion('esbuild')}\n`)
    .update(readFileSync(require.resolve('./code-checks')))
    .digest('hex');
  return toolDigest;
}

export class CjsCache {
  constructor(private readonly dir: string | undefined) {}

  private file(code: string): string | undefined {
    if (this.dir === undefined) return undefined;
    return path.join(this.dir, `${createHash('sha256').update(tools()).update(code).digest('hex').slice(0, 40)}.cjs`);
  }

  /** The kept CommonJS form of `code` (checked when it was kept), or undefined. */
  get(code: string): string | undefined {
    const file = this.file(code);
    if (file === undefined) return undefined;
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  }

  /** Keeps the CommonJS form of a bundle that passed the checks. A cache that cannot be written costs only speed. */
  set(code: string, cjs: string): void {
    const file = this.file(code);
    if (file === undefined) return;
    try {
      writeFileAtomic(file, cjs);
    } catch {
      // read-only data folder: the next start converts again
    }
  }
}
