import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { repoPath } from '../../config/paths';

/** The handler's TypeScript source (bundled from source, so dist/ and jest give the same code). */
export const HANDLER_SOURCE = 'lambdas/pre-token-generation/handler.ts';

/** The Lambda runtime the bundle targets. */
export const LAMBDA_RUNTIME = 'nodejs22.x';

/**
 * Bundles the handler with esbuild into one CommonJS file and returns the folder that holds
 * it as `index.js` (handler `index.handler`), ready for a TerraformAsset archive.
 * The folder is named after the bundle's hash, so the same code always yields the same
 * folder (stable asset hash, no plan diff) and parallel synths never write half a file.
 */
export function bundlePreTokenGeneration(): string {
  const result = buildSync({
    entryPoints: [repoPath(HANDLER_SOURCE)],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    write: false,
    minify: false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].text;
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), 'cdktf-lambda-bundles', `pre-token-generation-${hash}`);
  if (!existsSync(join(dir, 'index.js'))) {
    mkdirSync(dir, { recursive: true });
    const partial = join(dir, `.index.js.${process.pid}`);
    writeFileSync(partial, code);
    renameSync(partial, join(dir, 'index.js'));
  }
  return dir;
}
