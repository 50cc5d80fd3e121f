import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import type { BuildOptions, Metafile } from 'esbuild';
import { defaultBuildCacheDir, ESBUILD_ENTRY, hashParts, packageVersion, readCacheEntry, writeCacheEntry } from './build-cache';
import { noteSynthInputs } from './synth-inputs';

/**
 * esbuild's `buildSync` (write: false) through the build cache (constructs/build-cache.ts).
 *
 * Key: the cache format, esbuild's version, the working folder and the options (entry points
 * included). The entry then lists what the bundle was made of, each with its content hash, and is
 * used only when all of them still hash alike:
 * - every file esbuild read (its metafile inputs: sources and node_modules files);
 * - for every source outside node_modules, the listing of its folder (a new file there can change
 *   what an import resolves to) and the tsconfig.json / jsconfig.json / package.json of its folder
 *   and each folder above it up to the working folder (esbuild reads them for paths and settings).
 * A miss bundles with esbuild (loaded only then) and stores the result.
 */

/** Bump when the entry layout or what it records changes. */
const CACHE_FORMAT = 'esbuild-1';
/** The files esbuild consults while resolving and compiling a source folder. */
const CONTEXT_FILES = ['tsconfig.json', 'jsconfig.json', 'package.json'];

/** Options the cache can key on: plain data (no plugins), nothing written to disk. */
export type CachedBuildOptions = Omit<BuildOptions, 'plugins' | 'write' | 'metafile'>;

export interface CachedOutputFile {
  readonly path: string;
  readonly text: string;
}

export interface CachedBuildResult {
  readonly outputFiles: readonly CachedOutputFile[];
  readonly metafile: Metafile;
}

interface Entry extends CachedBuildResult {
  /** [path relative to the working folder, content hash or '' when absent]. */
  readonly files: readonly (readonly [string, string])[];
  /** [folder relative to the working folder, hash of its sorted listing]. */
  readonly folders: readonly (readonly [string, string])[];
}

/** Bundles like `buildSync({ ...options, write: false, metafile: true })`, from the cache when nothing changed. */
export function cachedBuildSync(options: CachedBuildOptions, cacheDir: string = defaultBuildCacheDir()): CachedBuildResult {
  const cwd = options.absWorkingDir ?? process.cwd();
  const key = hashParts([CACHE_FORMAT, packageVersion('esbuild'), cwd, stableJson(options)]);
  const cached = readEntry(cacheDir, key);
  if (cached && isFresh(cwd, cached)) {
    noteInputs(cwd, cached);
    return { outputFiles: cached.outputFiles, metafile: cached.metafile };
  }

  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only on a miss: a hit needs no esbuild at all
  const { buildSync } = require('esbuild') as typeof import('esbuild');
  const result = buildSync({ ...options, write: false, metafile: true });
  const fresh: Entry = {
    outputFiles: result.outputFiles.map((f) => ({ path: f.path, text: f.text })),
    metafile: result.metafile,
    ...inputsOf(cwd, Object.keys(result.metafile.inputs)),
  };
  writeCacheEntry(cacheDir, ESBUILD_ENTRY, key, JSON.stringify(fresh));
  noteInputs(cwd, fresh);
  return { outputFiles: fresh.outputFiles, metafile: fresh.metafile };
}

/** The bundle's inputs, for the synth's up-to-date record: node_modules files among them are no repository files it would see otherwise. */
function noteInputs(cwd: string, entry: Entry): void {
  noteSynthInputs([...entry.files, ...entry.folders].map(([path]) => resolve(cwd, path)));
}

function readEntry(cacheDir: string, key: string): Entry | undefined {
  const raw = readCacheEntry(cacheDir, ESBUILD_ENTRY, key);
  if (!raw) return undefined;
  try {
    return JSON.parse(raw.toString('utf8')) as Entry;
  } catch {
    return undefined; // a damaged entry is a miss; the rebuild overwrites it
  }
}

function isFresh(cwd: string, entry: Entry): boolean {
  return (
    entry.files.every(([file, hash]) => fileHash(resolve(cwd, file)) === hash) &&
    entry.folders.every(([folder, hash]) => folderHash(resolve(cwd, folder)) === hash)
  );
}

/** What a bundle depends on, from esbuild's metafile inputs (paths relative to `cwd`). */
function inputsOf(cwd: string, inputs: readonly string[]): Pick<Entry, 'files' | 'folders'> {
  const files = new Map<string, string>();
  const folders = new Map<string, string>();
  const walked = new Set<string>();
  const root = resolve(cwd);
  for (const input of inputs) {
    const abs = resolve(cwd, input);
    files.set(input, fileHash(abs));
    if (abs.split(sep).includes('node_modules')) continue;
    folders.set(relativeTo(root, dirname(abs)), folderHash(dirname(abs)));
    // The source's folder and the ones above it, up to the working folder (or the file system root).
    for (let dir = dirname(abs); !walked.has(dir); dir = dirname(dir)) {
      walked.add(dir);
      for (const name of CONTEXT_FILES) files.set(join(relativeTo(root, dir), name), fileHash(join(dir, name)));
      if (dir === root || dirname(dir) === dir) break;
    }
  }
  return { files: [...files].sort(byKey), folders: [...folders].sort(byKey) };
}

function relativeTo(root: string, dir: string): string {
  return dir === root ? '.' : dir.startsWith(root + sep) ? dir.slice(root.length + 1) : dir;
}

function fileHash(path: string): string {
  try {
    return hashParts([readFileSync(path)]);
  } catch {
    return existsSync(path) ? 'unreadable' : '';
  }
}

function folderHash(dir: string): string {
  try {
    return hashParts(readdirSync(dir).sort());
  } catch {
    return 'absent';
  }
}

function byKey(a: readonly [string, string], b: readonly [string, string]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/** JSON with object keys sorted, so equal options give one key whatever their order. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj)
      .sort()
      .filter((k) => obj[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJson(obj[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
