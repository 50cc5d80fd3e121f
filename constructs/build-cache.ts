import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { repoPath } from '../config/paths';

/**
 * The on-disk cache of synth's build products (esbuild bundles: constructs/cached-esbuild.ts;
 * Lambda zips: constructs/code-asset.ts). Bundling and compressing are most of a synth's time,
 * and their inputs rarely change between two synths. Every entry is keyed by a hash of all its
 * inputs and re-checked against them on every read, so a stale entry is never used; deleting the
 * folder is always safe. Git-ignored; docs/design.md (Build and run).
 */
const BUILD_CACHE_DIR = '.cache/build';

/** `BUILD_CACHE_DIR` of this repository, unless `SYNTH_BUILD_CACHE` names another folder. */
export function defaultBuildCacheDir(): string {
  return process.env.SYNTH_BUILD_CACHE || repoPath(BUILD_CACHE_DIR);
}

/** Hex SHA-256 of the parts, each length-prefixed so that no two part lists hash alike. */
export function hashParts(parts: readonly (string | Uint8Array)[]): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    const bytes = typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
    hash.update(`${bytes.length}:`).update(bytes);
  }
  return hash.digest('hex');
}

/** Where the entry `<kind>/<key><ext>` of the cache `dir` lives. */
export function cacheEntryPath(dir: string, kind: string, key: string, ext: string): string {
  return join(dir, kind, `${key}${ext}`);
}

/** The entry `<dir>/<kind>/<key><ext>`, or undefined when there is none (or it cannot be read). */
export function readCacheEntry(dir: string, kind: string, key: string, ext: string): Buffer | undefined {
  try {
    return readFileSync(cacheEntryPath(dir, kind, key, ext));
  } catch {
    return undefined;
  }
}

/**
 * Writes the entry atomically (`writeFileAtomic`), or nothing when it cannot: a cache that cannot
 * be written (read-only checkout) costs speed, never a synth.
 */
export function writeCacheEntry(dir: string, kind: string, key: string, ext: string, content: string | Uint8Array): void {
  try {
    writeFileAtomic(cacheEntryPath(dir, kind, key, ext), content);
  } catch {
    // Nothing to do: the next synth bundles again.
  }
}

/**
 * Writes `path` through a temporary name beside it (this process's own) and a rename, creating
 * its folder: a concurrent synth reads the whole file or none. `mode` (e.g. 0o600 for a private
 * key) is the file's from its creation, never wider meanwhile. Throws what the file system throws.
 */
export function writeFileAtomic(path: string, content: string | Uint8Array, mode?: number): void {
  const partial = join(dirname(path), `.${basename(path)}.${process.pid}`);
  try {
    mkdirSync(dirname(path), { recursive: true });
    // A partial left by a crash of a process with this pid could have another mode: start afresh.
    rmSync(partial, { force: true });
    writeFileSync(partial, content, mode === undefined ? undefined : { mode });
    renameSync(partial, path);
  } catch (e) {
    rmSync(partial, { force: true });
    throw e;
  }
}

interface PackageManifest {
  readonly name?: string;
  readonly version?: string;
  readonly dependencies?: Readonly<Record<string, string>>;
}

const manifests = new Map<string, PackageManifest>();

/**
 * The installed package.json of a package (found above its main file: some packages do not
 * export `./package.json`), resolved as a module in `from` would resolve it (a dependency's own
 * dependency may be nested below it). @default resolved from this repository
 */
export function packageManifest(name: string, from?: string): PackageManifest {
  const cacheKey = `${from ?? ''}\0${name}`;
  let manifest = manifests.get(cacheKey);
  if (manifest === undefined) {
    const main = require.resolve(name, from === undefined ? undefined : { paths: [from] });
    for (let dir = dirname(main); ; dir = dirname(dir)) {
      const found = readJson(join(dir, 'package.json'));
      if (found?.name === name) {
        manifest = found;
        break;
      }
      if (dirname(dir) === dir) throw new Error(`no package.json of ${name} above ${main}`);
    }
    manifests.set(cacheKey, manifest);
  }
  return manifest;
}

/** The installed version of a package (packageManifest). Part of a cache key wherever the package's output is. */
export function packageVersion(name: string): string {
  return String(packageManifest(name).version);
}

function readJson(path: string): PackageManifest | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as PackageManifest;
  } catch {
    return undefined;
  }
}
