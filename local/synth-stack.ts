import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { defaultStackPath } from './stack-reader';
import { UserFacingError } from '../config/errors';

/** What a synthesized stack is made from: a newer file here means the stack is stale. */
const SOURCES = ['main.ts', 'schema.graphql', 'config', 'constructs', 'resolvers', 'lambdas', 'dist/main.js'];

function newestMtime(p: string): number {
  if (!existsSync(p)) return 0;
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return readdirSync(p)
    .filter((name) => name !== 'node_modules')
    .reduce((max, name) => Math.max(max, newestMtime(path.join(p, name))), st.mtimeMs);
}

export interface SynthResult {
  readonly stackFile: string;
  /** False when the existing stack was newer than every source and was reused. */
  readonly synthesized: boolean;
  readonly seconds: number;
}

/**
 * Makes sure `cdktf.out/stacks/<env>/cdk.tf.json` is current: runs the compiled app
 * (`node dist/main.js`, as `npm run synth` does; `npm start` has just built it) unless the
 * stack is newer than every source. The app's own checks run, so a bad config stops here
 * with its message.
 */
export function ensureSynthesized(root: string, env: string, outDir: string = process.env.CDKTF_OUTDIR ?? 'cdktf.out'): SynthResult {
  const t0 = performance.now();
  // cdktf writes where CDKTF_OUTDIR says (tests synthesize into a temporary directory).
  const out = path.resolve(root, outDir);
  const stackFile = defaultStackPath(env, out);
  const app = path.join(root, 'dist', 'main.js');
  if (!existsSync(app)) throw new UserFacingError({ location: app, problem: 'is missing', fix: 'run `npm run build` (npm start does) first' }, `${app} is missing: run \`npm run build\` (npm start does) first`);
  const fresh = existsSync(stackFile) && statSync(stackFile).mtimeMs > Math.max(...SOURCES.map((s) => newestMtime(path.join(root, s))));
  if (fresh) return { stackFile, synthesized: false, seconds: (performance.now() - t0) / 1000 };
  const run = spawnSync(process.execPath, [app], { cwd: root, env: { ...process.env, CDKTF_OUTDIR: out }, stdio: ['ignore', 'inherit', 'inherit'] });
  // The app has printed its own message above (a UserFacingError's alone, a bug's with its stack).
  if (run.status !== 0) {
    throw new UserFacingError({ location: 'synth (node dist/main.js)', problem: `failed with exit code ${run.status ?? run.signal}`, fix: 'see its message above' });
  }
  if (!existsSync(stackFile)) throw new UserFacingError({ location: `synth did not write ${stackFile}`, problem: `is '${env}' in config.environments?` });
  return { stackFile, synthesized: true, seconds: (performance.now() - t0) / 1000 };
}
