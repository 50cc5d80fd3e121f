import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { repoPath } from '../config/paths';

/**
 * The on-disk cache of synth's build products (esbuild bundles: constructs/cached-esbuild.ts;
 * Lambda zips: constructs/code-asset.ts). Bundling and compressing are most of a synth's time,
 * and their inputs rarely change between two synths. Every entry is keyed by a hash of all its
 * inputs and re-checked against them on every read, so a stale entry is never used; deleting the
 * folder is always safe. Entries not used for `PRUNE_AFTER_DAYS` are removed, at most once a day
 * (`pruneBuildCache`, `pruneOnce`). Git-ignored; docs/design.md (Build and run).
 */
const BUILD_CACHE_DIR = '.cache/build';

/**
 * A kind of entry: the file `<kind>/<key><ext>`, `key` being a hex SHA-256 (`hashParts`). An `ext`
 * starting with '/' makes the entry a folder `<key>` holding that one file.
 */
export interface EntryKind {
  readonly kind: string;
  readonly ext: string;
}
/** esbuild bundles (constructs/cached-esbuild.ts). */
export const ESBUILD_ENTRY: EntryKind = { kind: 'esbuild', ext: '.json' };
/** Lambda zips, each the very file its asset copies (constructs/code-asset.ts). */
export const ZIP_ENTRY: EntryKind = { kind: 'zip', ext: '/archive.zip' };
/** The kinds this code writes: the only ones pruning looks at. */
const KINDS = [ESBUILD_ENTRY, ZIP_ENTRY];

const DAY_MS = 24 * 60 * 60 * 1000;
/** An entry whose mtime is older than this is removed: nothing used it for that long. */
const PRUNE_AFTER_DAYS = 14;
/**
 * A used entry's mtime is refreshed when older than this: pruning sees the use, give or take a day,
 * without a metadata write on every read (a shared cache may be on a network file system).
 */
const REFRESH_AFTER_MS = DAY_MS;
/** In the cache folder, the file whose mtime is the last prune's time. Not entry-shaped: never pruned. */
const LAST_PRUNE_FILE = '.last-prune';

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
export function cacheEntryPath(dir: string, kind: EntryKind, key: string): string {
  return join(dir, kind.kind, `${key}${kind.ext}`);
}

/** The entry's content, or undefined when there is none (or it cannot be read). Marks it used. */
export function readCacheEntry(dir: string, kind: EntryKind, key: string): Buffer | undefined {
  pruneOnce(dir);
  const path = cacheEntryPath(dir, kind, key);
  let content: Buffer;
  try {
    content = readFileSync(path);
  } catch {
    return undefined;
  }
  markUsed(path);
  return content;
}

/**
 * The entry's path when it exists, for a caller that hands the file itself on (a zip the asset
 * copies), or undefined. Marks it used; an entry that pruning takes meanwhile is a miss.
 */
export function existingCacheEntry(dir: string, kind: EntryKind, key: string): string | undefined {
  pruneOnce(dir);
  const path = cacheEntryPath(dir, kind, key);
  return markUsed(path) ? path : undefined;
}

/**
 * Writes the entry atomically (`writeFileAtomic`), or nothing when it cannot: a cache that cannot
 * be written (read-only checkout) costs speed, never a synth.
 */
export function writeCacheEntry(dir: string, kind: EntryKind, key: string, content: string | Uint8Array): void {
  try {
    writeFileAtomic(cacheEntryPath(dir, kind, key), content);
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

/**
 * Refreshes the mtime of a used entry when it is older than `REFRESH_AFTER_MS`, so pruning keeps
 * what is still used. False when the entry is gone: absent, or taken by a concurrent prune before
 * the refresh (a prune that renamed it aside after the refresh sees the new mtime and puts it
 * back). A cache that cannot be written keeps its entries usable.
 */
function markUsed(path: string): boolean {
  let mtimeMs: number;
  try {
    mtimeMs = statSync(path).mtimeMs;
  } catch {
    return false;
  }
  if (Date.now() - mtimeMs > REFRESH_AFTER_MS) {
    try {
      const now = new Date();
      utimesSync(path, now, now);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    }
  }
  return true;
}

/** Cache folders this process has looked at: a synth prunes each at most once. */
const pruned = new Set<string>();

/**
 * Prunes `dir` on this process's first use of it, unless a synth did within the last day
 * (`LAST_PRUNE_FILE`): a synth then pays one stat, not a stat per entry. The mark is set before
 * pruning, so concurrent synths seldom prune together (harmless when they do). A cache this process
 * cannot write to is not pruned (it could not remove anything).
 */
function pruneOnce(dir: string): void {
  if (pruned.has(dir)) return;
  pruned.add(dir);
  const mark = join(dir, LAST_PRUNE_FILE);
  try {
    if (Date.now() - statSync(mark).mtimeMs < DAY_MS) return;
  } catch {
    // never pruned (or the folder is new)
  }
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(mark, '');
  } catch {
    return;
  }
  pruneBuildCache(dir);
}

/**
 * Removes the entries of `dir` not used for `maxAgeDays` (their mtime, refreshed on use), and
 * partial files (`writeFileAtomic`) as old, left by a process that died while writing. Only what
 * this code writes is touched: in the folders of `KINDS`, names of an entry's shape (64 hex digits
 * and the kind's extension, or the partial name of one); a zip folder is removed only when it held
 * nothing else. Everything else (other files, other folders, symlinks) is left alone. A concurrent
 * synth may be using an old entry: it is renamed aside first, and put back when its mtime is
 * recent once renamed (the use came just before). Never throws: pruning only saves space.
 */
export function pruneBuildCache(dir: string, maxAgeDays = PRUNE_AFTER_DAYS): void {
  const cutoff = Date.now() - maxAgeDays * DAY_MS;
  for (const kind of KINDS) {
    const kindDir = join(dir, kind.kind);
    if (kind.ext.startsWith('/')) {
      for (const name of listing(kindDir)) if (HEX_KEY.test(name)) pruneEntryFolder(join(kindDir, name), kind.ext.slice(1), cutoff);
    } else {
      const [entry, partial] = [new RegExp(`^[0-9a-f]{64}${escapeRegExp(kind.ext)}$`), partialPattern(`[0-9a-f]{64}${escapeRegExp(kind.ext)}`)];
      for (const name of listing(kindDir)) {
        if (entry.test(name)) pruneEntry(join(kindDir, name), cutoff);
        else if (partial.test(name)) prunePartial(join(kindDir, name), cutoff);
      }
    }
  }
}

const HEX_KEY = /^[0-9a-f]{64}$/;

/** The names `writeFileAtomic` writes through for a file named like `namePattern`: `.<name>.<pid>`. */
function partialPattern(namePattern: string): RegExp {
  return new RegExp(`^\\.${namePattern}\\.\\d+$`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function listing(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** mtime of a regular file (never a symlink's target), or undefined. */
function fileMtime(path: string): number | undefined {
  try {
    const st = lstatSync(path);
    return st.isFile() ? st.mtimeMs : undefined;
  } catch {
    return undefined;
  }
}

/** A folder entry `<key>/<file>`: pruned when it holds only `<file>` and its partials. */
function pruneEntryFolder(folder: string, file: string, cutoff: number): void {
  try {
    if (!lstatSync(folder).isDirectory()) return;
  } catch {
    return;
  }
  const partial = partialPattern(escapeRegExp(file));
  const names = listing(folder);
  if (names.length === 0 || !names.every((n) => n === file || partial.test(n))) return;
  for (const name of names) {
    if (name === file) pruneEntry(join(folder, name), cutoff);
    else prunePartial(join(folder, name), cutoff);
  }
  if (listing(folder).length === 0) {
    try {
      rmdirSync(folder); // fails, harmlessly, when a concurrent synth just wrote into it
    } catch {
      // left for the next prune
    }
  }
}

function pruneEntry(path: string, cutoff: number): void {
  const mtime = fileMtime(path);
  if (mtime === undefined || mtime >= cutoff) return;
  // Aside under this process's own partial name: a use from now on misses (and rebuilds); one that
  // refreshed the mtime before the rename shows on the renamed file.
  const aside = join(dirname(path), `.${basename(path)}.${process.pid}`);
  try {
    renameSync(path, aside);
  } catch {
    return; // gone already, or a cache we cannot write
  }
  const asideMtime = fileMtime(aside);
  try {
    if (asideMtime !== undefined && asideMtime >= cutoff) renameSync(aside, path);
    else rmSync(aside, { force: true });
  } catch {
    // a partial name: a later prune removes it
  }
}

/** A partial file as old as that belongs to a writer that died (a live one writes within seconds). */
function prunePartial(path: string, cutoff: number): void {
  const mtime = fileMtime(path);
  if (mtime === undefined || mtime >= cutoff) return;
  rmSync(path, { force: true });
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
