import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { defaultStackPath } from './stack-reader';
import { UserFacingError } from '../config/errors';

/**
 * What a synthesized stack is made from: a newer file here means the stack is stale. The folders
 * are main.ts's and constructs/app.ts's imports (access/, addresses/ included); package-lock.json
 * stands for node_modules (cdktf, the provider, esbuild).
 */
const SOURCES = ['main.ts', 'schema.graphql', 'config', 'constructs', 'access', 'addresses', 'resolvers', 'lambdas', 'package-lock.json', 'dist/main.js'];

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

interface SynthPlan {
  readonly stackFile: string;
  readonly app: string;
  readonly out: string;
  /** True when the stack is newer than every source: nothing to run. */
  readonly fresh: boolean;
}

function plan(root: string, env: string, outDir: string): SynthPlan {
  // cdktf writes where CDKTF_OUTDIR says (tests synthesize into a temporary directory).
  const out = path.resolve(root, outDir);
  const stackFile = defaultStackPath(env, out);
  const app = path.join(root, 'dist', 'main.js');
  if (!existsSync(app)) throw new UserFacingError({ location: app, problem: 'is missing', fix: 'run `npm run build` (npm start does) first' }, `${app} is missing: run \`npm run build\` (npm start does) first`);
  const fresh = existsSync(stackFile) && statSync(stackFile).mtimeMs > Math.max(...SOURCES.map((s) => newestMtime(path.join(root, s))));
  return { stackFile, app, out, fresh };
}

/**
 * The app's environment. `SYNTH_BUNDLE=0`: local mode synthesizes only when a source changed,
 * which is exactly when the synth bundle (constructs/synth-bundle.ts) is stale, and rebuilding
 * it costs more than running the app's modules once (about 2.6 s against 1.1 s).
 */
function appEnv(p: SynthPlan): NodeJS.ProcessEnv {
  return { ...process.env, CDKTF_OUTDIR: p.out, SYNTH_BUNDLE: '0' };
}

/** The app's run, checked: it has printed its own message above (a UserFacingError's alone, a bug's with its stack). */
function checked(p: SynthPlan, env: string, status: number | null, signal: NodeJS.Signals | null): void {
  if (status !== 0) {
    throw new UserFacingError({ location: 'synth (node dist/main.js)', problem: `failed with exit code ${status ?? signal}`, fix: 'see its message above' });
  }
  if (!existsSync(p.stackFile)) throw new UserFacingError({ location: `synth did not write ${p.stackFile}`, problem: `is '${env}' in config.environments?` });
}

/**
 * Makes sure `cdktf.out/stacks/<env>/cdk.tf.json` is current: runs the compiled app
 * (`node dist/main.js`, as `npm run synth` does; `npm start` has just built it) unless the
 * stack is newer than every source. The app's own checks run, so a bad config stops here
 * with its message.
 */
export function ensureSynthesized(root: string, env: string, outDir: string = process.env.CDKTF_OUTDIR ?? 'cdktf.out'): SynthResult {
  const t0 = performance.now();
  const p = plan(root, env, outDir);
  if (p.fresh) return { stackFile: p.stackFile, synthesized: false, seconds: (performance.now() - t0) / 1000 };
  const run = spawnSync(process.execPath, [p.app], { cwd: root, env: appEnv(p), stdio: ['ignore', 'inherit', 'inherit'] });
  checked(p, env, run.status, run.signal);
  return { stackFile: p.stackFile, synthesized: true, seconds: (performance.now() - t0) / 1000 };
}

/**
 * `ensureSynthesized` without blocking this thread: `stale` says at once whether the app runs
 * (in its own process), so `npm start` can load its modules meanwhile; `result` settles when
 * the stack is current; `cancel` stops the app and drops its result (no unhandled rejection).
 */
export function synthesizeInBackground(
  root: string,
  env: string,
  outDir: string = process.env.CDKTF_OUTDIR ?? 'cdktf.out',
): { readonly stale: boolean; readonly result: Promise<SynthResult>; cancel(): void } {
  const t0 = performance.now();
  const p = plan(root, env, outDir);
  const seconds = () => (performance.now() - t0) / 1000;
  if (p.fresh) return { stale: false, result: Promise.resolve({ stackFile: p.stackFile, synthesized: false, seconds: seconds() }), cancel: () => undefined };
  const child = spawn(process.execPath, [p.app], { cwd: root, env: appEnv(p), stdio: ['ignore', 'inherit', 'inherit'] });
  const result = new Promise<SynthResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (status, signal) => {
      try {
        checked(p, env, status, signal);
        resolve({ stackFile: p.stackFile, synthesized: true, seconds: seconds() });
      } catch (e) {
        reject(e);
      }
    });
  });
  return {
    stale: true,
    result,
    // For a start that fails before it awaits the result: the app stops, its outcome is dropped.
    cancel: () => {
      result.catch(() => undefined);
      child.kill();
    },
  };
}
