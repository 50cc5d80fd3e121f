import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { cacheEntryPath, ESBUILD_ENTRY, type EntryKind, hashParts, pruneBuildCache, readCacheEntry, writeCacheEntry, ZIP_ENTRY } from '../constructs/build-cache';
import { cachedZipFile } from '../constructs/code-asset';
import { removeTemporaryDirs, temporaryDir } from './helpers/temp-dirs';

/**
 * Pruning of the build cache (constructs/build-cache.ts `pruneBuildCache`): entries unused for 14
 * days go, everything else stays, and a use keeps an entry.
 */

/** Run before each `renameSync` / `utimesSync` of the code under test: a concurrent synth acting at that instant. */
let mockBeforeRename: ((from: string) => void) | undefined;
let mockBeforeUtimes: ((path: string) => void) | undefined;
jest.mock('node:fs', () => {
  const real = jest.requireActual<typeof import('node:fs')>('node:fs');
  return {
    ...real,
    renameSync: (from: string, to: string) => {
      mockBeforeRename?.(from);
      real.renameSync(from, to);
    },
    utimesSync: (path: string, atime: Date, mtime: Date) => {
      mockBeforeUtimes?.(path);
      real.utimesSync(path, atime, mtime);
    },
  };
});

afterAll(removeTemporaryDirs);

const DAY_MS = 24 * 60 * 60 * 1000;
/** Sets the file's mtime (and atime) to `days` ago. */
function age(path: string, days: number): void {
  const t = new Date(Date.now() - days * DAY_MS);
  utimesSync(path, t, t);
}
const ageDays = (path: string) => (Date.now() - statSync(path).mtimeMs) / DAY_MS;
let keys = 0;
const newKey = () => hashParts(['prune test', String(++keys)]);

/** An entry of `kind` written as the cache writes it, `days` old. */
function entry(cache: string, kind: EntryKind, days: number): { key: string; path: string } {
  const key = newKey();
  writeCacheEntry(cache, kind, key, 'content');
  const path = cacheEntryPath(cache, kind, key);
  age(path, days);
  return { key, path };
}

test("an entry unused for 14 days is removed (a bundle; a zip and its folder; a dead writer's partial); a recent one is kept", () => {
  const cache = temporaryDir('prune-');
  const oldBundle = entry(cache, ESBUILD_ENTRY, 20).path;
  const recentBundle = entry(cache, ESBUILD_ENTRY, 13).path;
  const oldZip = entry(cache, ZIP_ENTRY, 20).path;
  const recentZip = entry(cache, ZIP_ENTRY, 1).path;
  const oldPartial = join(cache, 'esbuild', `.${newKey()}.json.4242`);
  writeFileSync(oldPartial, 'half');
  age(oldPartial, 20);
  const recentPartial = join(cache, 'zip', newKey(), '.archive.zip.4343');
  mkdirSync(join(recentPartial, '..'));
  writeFileSync(recentPartial, 'being written');

  pruneBuildCache(cache);
  const kept = (p: string) => existsSync(p);
  expect({ oldBundle: kept(oldBundle), oldZip: kept(oldZip), oldZipFolder: kept(join(oldZip, '..')), oldPartial: kept(oldPartial) }).toEqual({ oldBundle: false, oldZip: false, oldZipFolder: false, oldPartial: false });
  expect({ recentBundle: kept(recentBundle), recentZip: kept(recentZip), recentPartial: kept(recentPartial) }).toEqual({ recentBundle: true, recentZip: true, recentPartial: true });
  // Nothing of the pruner's own is left (it renames an entry aside before removing it).
  expect(readdirSync(join(cache, 'esbuild'))).toEqual([basename(recentBundle)]);
});

test('files and folders of other shapes are left alone, however old', () => {
  const cache = temporaryDir('prune-foreign-');
  const hex = newKey();
  const foreign = [
    join(cache, 'README'), // beside the kinds' folders
    join(cache, 'other', `${hex}.json`), // a folder of another kind
    join(cache, 'esbuild', 'notes.txt'), // not a key
    join(cache, 'esbuild', `${hex}.json.bak`), // a key with another extension
    join(cache, 'esbuild', `${hex.slice(1)}.json`), // 63 digits
    join(cache, 'esbuild', `.${hex}.json.tmp`), // not a partial name of this code
    join(cache, 'zip', hex, 'archive.zip'), // an entry folder that also holds...
    join(cache, 'zip', hex, 'mine.txt'), // ...a file the cache never writes
    join(cache, 'zip', 'not-a-key', 'archive.zip'),
  ];
  for (const f of foreign) {
    mkdirSync(join(f, '..'), { recursive: true });
    writeFileSync(f, "not the cache's");
    age(f, 100);
  }
  // A symlink named like an entry, to a file elsewhere: neither it nor its target is touched.
  const outside = join(temporaryDir('prune-outside-'), 'precious');
  writeFileSync(outside, 'outside');
  age(outside, 100);
  const link = join(cache, 'esbuild', `${newKey()}.json`);
  symlinkSync(outside, link);

  pruneBuildCache(cache);
  for (const f of [...foreign, outside]) expect({ f, kept: existsSync(f) }).toEqual({ f, kept: true });
  expect(lstatSync(link).isSymbolicLink()).toBe(true);
});

test('using an entry refreshes its mtime, so pruning keeps it', () => {
  const cache = temporaryDir('prune-used-');
  // 5 days: older than the day after which a use refreshes it, younger than the 14 days a prune (on first use) removes.
  const bundle = entry(cache, ESBUILD_ENTRY, 5);
  expect(readCacheEntry(cache, ESBUILD_ENTRY, bundle.key)?.toString()).toBe('content');
  expect(ageDays(bundle.path)).toBeLessThan(0.01);

  const files = { 'index.js': 'exports.handler = async () => 4;\n' };
  const zip = cachedZipFile(files, cache);
  age(zip, 5);
  expect(cachedZipFile(files, cache)).toBe(zip);
  expect(ageDays(zip)).toBeLessThan(0.01);

  const unused = entry(cache, ESBUILD_ENTRY, 5).path;
  pruneBuildCache(cache, 3);
  expect({ bundle: existsSync(bundle.path), zip: existsSync(zip), unused: existsSync(unused) }).toEqual({ bundle: true, zip: true, unused: false });
});

test('an entry a concurrent synth uses while it is being pruned is put back', () => {
  const cache = temporaryDir('prune-race-');
  const bundle = entry(cache, ESBUILD_ENTRY, 20).path;
  const renamed: string[] = [];
  // The other synth refreshes the entry right before the pruner's rename aside lands.
  mockBeforeRename = (from) => {
    renamed.push(from);
    if (from === bundle) age(bundle, 0);
  };
  try {
    pruneBuildCache(cache);
  } finally {
    mockBeforeRename = undefined;
  }
  expect(renamed[0]).toBe(bundle); // renamed aside, then back
  expect(renamed).toHaveLength(2);
  expect(readdirSync(join(cache, 'esbuild'))).toEqual([basename(bundle)]);
});

test('a zip that a concurrent prune takes between its lookup and its refresh is a miss: rebuilt, never a path that is gone', () => {
  const cache = temporaryDir('prune-miss-');
  const files = { 'index.js': 'exports.handler = async () => 5;\n' };
  const zip = cachedZipFile(files, cache); // this process's one prune of `cache` is done
  const bytes = readFileSync(zip);
  age(zip, 20);
  mockBeforeUtimes = (path) => {
    if (path === zip) pruneBuildCache(cache); // another synth's prune, after the lookup's stat
  };
  let again: string;
  try {
    again = cachedZipFile(files, cache);
  } finally {
    mockBeforeUtimes = undefined;
  }
  expect(again).toBe(zip);
  expect(readFileSync(again).equals(bytes)).toBe(true);
  expect(ageDays(again)).toBeLessThan(0.01);
});

test('a cache folder is pruned on first use, then not again within a day, by this process or another', () => {
  const cache = temporaryDir('prune-once-');
  const first = entry(cache, ESBUILD_ENTRY, 20).path;
  expect(readCacheEntry(cache, ESBUILD_ENTRY, newKey())).toBeUndefined();
  expect(existsSync(first)).toBe(false);
  const second = entry(cache, ESBUILD_ENTRY, 20).path;
  expect(readCacheEntry(cache, ESBUILD_ENTRY, newKey())).toBeUndefined();
  expect(existsSync(second)).toBe(true);

  /** The build cache module as a new process (another synth) loads it. */
  const anotherSynth = () => {
    let loaded: typeof import('../constructs/build-cache') | undefined;
    jest.isolateModules(() => {
      loaded = jest.requireActual<typeof import('../constructs/build-cache')>('../constructs/build-cache');
    });
    return loaded!;
  };
  expect(anotherSynth().readCacheEntry(cache, ESBUILD_ENTRY, newKey())).toBeUndefined();
  expect(existsSync(second)).toBe(true); // pruned less than a day ago
  age(join(cache, '.last-prune'), 2);
  expect(anotherSynth().readCacheEntry(cache, ESBUILD_ENTRY, newKey())).toBeUndefined();
  expect(existsSync(second)).toBe(false);
});
