import { cachedBuildSync } from '../constructs/cached-esbuild';
import { repoPath, repoRoot } from '../config/paths';

/** The Lambda runtime every trigger bundle targets. */
export const LAMBDA_RUNTIME = 'nodejs22.x';

/** A trigger's TypeScript entry point: `lambdas/<name>/handler.ts`. */
function handlerSource(name: string): string {
  return `lambdas/${name}/handler.ts`;
}

/** Bundles of this process by trigger name. */
const bundled = new Map<string, string>();

/**
 * Bundles `lambdas/<name>/handler.ts` with esbuild into one CommonJS file (its dependencies,
 * the AWS SDK included, inside: the code never depends on what the runtime happens to ship)
 * and returns its code: the archive's `index.js` (handler `index.handler`, see
 * `lambdaArchive`). Bundled from source, so dist/ and jest give the same code; through the build
 * cache (constructs/cached-esbuild.ts), so an unchanged handler is not bundled again.
 */
export function bundleLambda(name: string): string {
  // Every stack deploys the same triggers: one bundle (or cache check) per process.
  let code = bundled.get(name);
  if (code === undefined) {
    code = bundleOnce(name);
    bundled.set(name, code);
  }
  return code;
}

function bundleOnce(name: string): string {
  const result = cachedBuildSync({
    // The bundle's path comments are relative to this: the same code from any working folder.
    absWorkingDir: repoRoot(),
    entryPoints: [repoPath(handlerSource(name))],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    minify: false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}
