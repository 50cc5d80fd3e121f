import { dirname } from 'node:path';
import { buildSync } from 'esbuild';
import { repoPath } from '../../config/paths';
import { stageFile } from '../../constructs/code-asset';

/** The handler's TypeScript source (bundled from source, so dist/ and jest give the same code). */
export const HANDLER_SOURCE = 'lambdas/pre-token-generation/handler.ts';

/** The Lambda runtime the bundle targets. */
export const LAMBDA_RUNTIME = 'nodejs22.x';

/**
 * Bundles the handler with esbuild into one CommonJS file and returns the folder that holds
 * it as `index.js` (handler `index.handler`), ready for a TerraformAsset archive. The folder
 * is named after the bundle's hash (`stageFile`): stable asset hash, never half a file.
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
  return dirname(stageFile('cdktf-lambda-bundles/pre-token-generation', 'index.js', result.outputFiles[0].text));
}
