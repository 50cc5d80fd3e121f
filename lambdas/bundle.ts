import { buildSync } from 'esbuild';
import { repoPath } from '../config/paths';

/** The Lambda runtime every trigger bundle targets. */
export const LAMBDA_RUNTIME = 'nodejs22.x';

/** A trigger's TypeScript entry point: `lambdas/<name>/handler.ts`. */
function handlerSource(name: string): string {
  return `lambdas/${name}/handler.ts`;
}

/**
 * Bundles `lambdas/<name>/handler.ts` with esbuild into one CommonJS file (its dependencies,
 * the AWS SDK included, inside: the code never depends on what the runtime happens to ship)
 * and returns its code: the archive's `index.js` (handler `index.handler`, see
 * `lambdaArchive`). Bundled from source, so dist/ and jest give the same code.
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
  return result.outputFiles[0].text;
}
