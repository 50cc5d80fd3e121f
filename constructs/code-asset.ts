import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Construct } from 'constructs';
import { AssetType, Fn, TerraformAsset } from 'cdktf';
import { zipSync, type Zippable } from 'fflate';

/** The staged files' mtime: a zip of their folder (a Lambda archive) embeds it. */
const STAGED_MTIME = new Date('2000-01-01T00:00:00Z');

/**
 * The date every zip entry carries. Zip stores local wall-clock fields and fflate reads them
 * with local getters, so the date is built from local fields: the same bytes in every time zone.
 */
const ZIP_ENTRY_DATE = new Date(2000, 0, 1, 0, 0, 0);
/** Unix file mode of every zip entry (regular file, rw-r--r--): Lambda reads it. */
const ZIP_ENTRY_MODE = 0o100644;

/**
 * Writes `content` to `<tmp>/<kind>/<sha256>/<fileName>` and returns that path. The folder is
 * named after the content, so the same code always gives the same path (stable asset hash, no
 * plan diff) and parallel synths never see half a file.
 */
export function stageFile(kind: string, fileName: string, content: string | Uint8Array): string {
  const hash = createHash('sha256').update(content).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), kind, hash);
  const path = join(dir, fileName);
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true });
    const partial = join(dir, `.${fileName}.${process.pid}`);
    writeFileSync(partial, content);
    utimesSync(partial, STAGED_MTIME, STAGED_MTIME);
    renameSync(partial, path);
  }
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
    entries[name] = [data, { mtime: ZIP_ENTRY_DATE, os: 3, attrs: ZIP_ENTRY_MODE << 16, level: 9 }];
  }
  return zipSync(entries);
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
 * the zip is deterministic (`deterministicZip`) and staged by content hash, so the same code gives
 * the same asset path and hash in every folder and on every machine (no plan diff), and synth
 * spawns no process for it.
 */
export function lambdaArchive(scope: Construct, id: string, kind: string, files: Readonly<Record<string, string | Uint8Array>>): LambdaArchive {
  const zip = stageFile(`cdktf-lambda-archives/${kind}`, 'archive.zip', deterministicZip(files));
  const asset = new TerraformAsset(scope, id, { path: zip, type: AssetType.FILE });
  return { filename: asset.path, sourceCodeHash: Fn.filebase64sha256(asset.path) };
}

/**
 * Ships bundled code as a file beside the stack (`assets/...`) and returns the Terraform
 * expression `file("assets/...")` for a `code` argument. Why not inline: Terraform reads `${`
 * and `%{` in any string as template syntax, and bundled JavaScript has template literals;
 * `file()` contents are never interpreted.
 */
export function codeFile(scope: Construct, id: string, fileName: string, code: string): string {
  const asset = new TerraformAsset(scope, id, { path: stageFile('appsync-js-bundles', fileName, code), type: AssetType.FILE });
  return Fn.file(asset.path);
}
