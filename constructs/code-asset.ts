import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Construct } from 'constructs';
import { AssetType, Fn, TerraformAsset } from 'cdktf';

/** The staged files' mtime: a zip of their folder (a Lambda archive) embeds it. */
const STAGED_MTIME = new Date('2000-01-01T00:00:00Z');

/**
 * Writes `content` to `<tmp>/<kind>/<sha256>/<fileName>` and returns that path. The folder is
 * named after the content, so the same code always gives the same path (stable asset hash, no
 * plan diff) and parallel synths never see half a file. The fixed mtime keeps an archive of the
 * folder byte-identical when the temp dir was cleaned and the file is written again.
 */
export function stageFile(kind: string, fileName: string, content: string): string {
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
 * Ships bundled code as a file beside the stack (`assets/...`) and returns the Terraform
 * expression `file("assets/...")` for a `code` argument. Why not inline: Terraform reads `${`
 * and `%{` in any string as template syntax, and bundled JavaScript has template literals;
 * `file()` contents are never interpreted.
 */
export function codeFile(scope: Construct, id: string, fileName: string, code: string): string {
  const asset = new TerraformAsset(scope, id, { path: stageFile('appsync-js-bundles', fileName, code), type: AssetType.FILE });
  return Fn.file(asset.path);
}
