import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Construct } from 'constructs';
import { Fn } from 'cdktf';
import { zipSync, type Zippable } from 'fflate';
import { StagedFileAsset } from './staged-file-asset';
import { cacheEntryPath, defaultBuildCacheDir, existingCacheEntry, hashParts, packageVersion, writeFileAtomic, ZIP_ENTRY } from './build-cache';

/**
 * The date every zip entry carries. Zip stores local wall-clock fields and fflate reads them
 * with local getters, so the date is built from local fields: the same bytes in every time zone.
 */
const ZIP_ENTRY_DATE = new Date(2000, 0, 1, 0, 0, 0);
/** The fields the zip stores of that date (its cache key part: the same in every time zone). */
const ZIP_ENTRY_FIELDS = [ZIP_ENTRY_DATE.getFullYear(), ZIP_ENTRY_DATE.getMonth(), ZIP_ENTRY_DATE.getDate(), ZIP_ENTRY_DATE.getHours(), ZIP_ENTRY_DATE.getMinutes(), ZIP_ENTRY_DATE.getSeconds()].join('-');
/** Unix file mode of every zip entry (regular file, rw-r--r--): Lambda reads it. */
const ZIP_ENTRY_MODE = 0o100644;
/** Deflate level of every zip entry: the smallest archive, at a cost the build cache pays once. */
const ZIP_LEVEL = 9;

/**
 * Writes `content` to `<tmp>/<kind>/<sha256>/<fileName>` and returns that path. The folder is
 * named after the content, so the same code always gives the same path (stable asset hash, no
 * plan diff) and parallel synths never see half a file.
 */
export function stageFile(kind: string, fileName: string, content: string | Uint8Array): string {
  const hash = createHash('sha256').update(content).digest('hex').slice(0, 16);
  const path = join(tmpdir(), kind, hash, fileName);
  if (!existsSync(path)) writeFileAtomic(path, content);
  return path;
}

/**
 * A zip of `files` (archive path -> content) that depends on nothing but the contents: entries
 * sorted by path, one fixed date, one file mode, fixed compression level. Built in this process
 * (fflate, pure JS), where cdktf's ARCHIVE assets spawn a child process per archive.
 */
export function deterministicZip(files: Readonly<Record<string, string | Uint8Array>>): Uint8Array {
  const names = Object.keys(files).sort();
  if (names.length === 0) throw new Error('deterministicZip: no files to archive');
  const entries: Zippable = {};
  for (const name of names) {
    if (name.startsWith('/') || name.split('/').includes('..')) {
      throw new Error(`deterministicZip: archive path ${JSON.stringify(name)} must be relative, without '..'`);
    }
    const content = files[name];
    const data = typeof content === 'string' ? new TextEncoder().encode(content) : content;
    entries[name] = [data, { mtime: ZIP_ENTRY_DATE, os: 3, attrs: ZIP_ENTRY_MODE << 16, level: ZIP_LEVEL }];
  }
  return zipSync(entries);
}

/**
 * The file name of every Lambda archive (cdktf names the asset after it: `assets/<id>/<hash>/archive.zip`):
 * the file of the build cache's zip entry, `zip/<key>/archive.zip`.
 */
const ARCHIVE_NAME = ZIP_ENTRY.ext.slice(1);

/**
 * A file holding `deterministicZip(files)`, from the build cache (constructs/build-cache.ts):
 * deflating a bundled Lambda at level 9 costs a quarter of a second. The entry is
 * `zip/<key>/archive.zip`, keyed by everything the bytes depend on (each archive path and content,
 * the entry date, mode and level, fflate's version), and is itself the staged file the asset
 * copies: a zip is built and stored once per content, never copied to a staging folder. Its bytes
 * are still read on each synth: cdktf hashes the staged file for the asset's path, and
 * StagedFileAsset compares it with the copy in the output. When the cache cannot be written, the
 * zip is staged in the temp folder instead (`stageFile`).
 */
export function cachedZipFile(files: Readonly<Record<string, string | Uint8Array>>, cacheDir: string = defaultBuildCacheDir()): string {
  const names = Object.keys(files).sort();
  const key = hashParts(['zip-2', packageVersion('fflate'), ZIP_ENTRY_FIELDS, String(ZIP_ENTRY_MODE), String(ZIP_LEVEL), ...names.flatMap((n) => [n, files[n]])]);
  const cached = existingCacheEntry(cacheDir, ZIP_ENTRY, key);
  if (cached) return cached;
  const entry = cacheEntryPath(cacheDir, ZIP_ENTRY, key);
  const zip = deterministicZip(files);
  try {
    writeFileAtomic(entry, zip);
    return entry;
  } catch {
    return stageFile('cdktf-lambda-archives', ARCHIVE_NAME, zip);
  }
}

/** What a Lambda function needs from its code archive. */
export interface LambdaArchive {
  /** `filename` of `aws_lambda_function`: the zip beside the stack (`assets/...`). */
  readonly filename: string;
  /** `source_code_hash`: Terraform's `filebase64sha256()` of that zip. */
  readonly sourceCodeHash: string;
}

/**
 * Ships `files` as a Lambda deployment zip beside the stack. Any Lambda of the project uses this:
 * the zip is deterministic (`deterministicZip`, built once per content and kept in the build cache:
 * `cachedZipFile`), so the same code gives the same asset path and hash in every folder and on every
 * machine (no plan diff), and synth spawns no process for it.
 */
export function lambdaArchive(scope: Construct, id: string, files: Readonly<Record<string, string | Uint8Array>>): LambdaArchive {
  const asset = new StagedFileAsset(scope, id, cachedZipFile(files));
  return { filename: asset.path, sourceCodeHash: Fn.filebase64sha256(asset.path) };
}

/**
 * Ships bundled code as a file beside the stack (`assets/...`) and returns the Terraform
 * expression `file("assets/...")` for a `code` argument. Why not inline: Terraform reads `${`
 * and `%{` in any string as template syntax, and bundled JavaScript has template literals;
 * `file()` contents are never interpreted.
 */
export function codeFile(scope: Construct, id: string, fileName: string, code: string): string {
  const asset = new StagedFileAsset(scope, id, stageFile('appsync-js-bundles', fileName, code));
  return Fn.file(asset.path);
}
