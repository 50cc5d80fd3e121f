import { buildSync } from 'esbuild';
import { repoPath } from '../../config/paths';

/** The handler's TypeScript source (bundled from source, so dist/ and jest give the same code). */
export const HANDLER_SOURCE = 'lambdas/pre-token-generation/handler.ts';

/** The Lambda runtime the bundle targets. */
export const LAMBDA_RUNTIME = 'nodejs22.x';

/**
 * Bundles the handler with esbuild into one CommonJS file (the archive's `index.js`, handler
 * `index.handler`) and returns its code.
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
  return result.outputFiles[0].text;
}
