import { dirname } from 'node:path';
import { buildSync } from 'esbuild';
import { repoPath } from '../config/paths';
import { stageFile } from '../constructs/code-asset';

/** The Lambda runtime every trigger bundle targets. */
export const LAMBDA_RUNTIME = 'nodejs22.x';

/** A trigger's TypeScript entry point: `lambdas/<name>/handler.ts`. */
export function handlerSource(name: string): string {
  return `lambdas/${name}/handler.ts`;
}

/**
 * Bundles `lambdas/<name>/handler.ts` with esbuild into one CommonJS file (its dependencies,
 * the AWS SDK included, inside: the code never depends on what the runtime happens to ship)
 * and returns the folder that holds it as `index.js` (handler `index.handler`), ready for a
 * TerraformAsset archive. Bundled from source, so dist/ and jest give the same code; the
 * folder is named after the bundle's hash (`stageFile`): stable asset hash, never half a file.
 */
export function bundleLambda(name: string): string {
  const result = buildSync({
    entryPoints: [repoPath(handlerSource(name))],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    write: false,
    minify: false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  return dirname(stageFile(`cdktf-lambda-bundles/${name}`, 'index.js', result.outputFiles[0].text));
}
