import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { repoRoot } from '../config/paths';
import { packageVersion, writeFileAtomic } from './build-cache';
import { noteSynthInputs } from './synth-inputs';
import { distModulesLoadedBefore } from './synth-record';

/**
 * The synth bundle: the app (constructs/app.ts) with everything it imports, cdktf, constructs,
 * the provider resources and graphql included, bundled by esbuild into one file, `dist/synth.js`,
 * and run through a V8 code cache (`.cache/code/`). Why: a synth loads about 390 modules; Node 20
 * resolves, reads and compiles each on every run (a third of the app run), and has no compile
 * cache of its own (`module.enableCompileCache` is Node 22). One file whose compiled code V8
 * reads back skips both. Same code, same JSON: esbuild transpiles the same sources that
 * scripts/transpile.js transpiles file by file.
 *
 * - Built by the synth itself (main.ts) when missing or stale: esbuild is loaded only then.
 * - Current when it was built by this module's code (its build options: a hash of this file),
 *   this esbuild version and this inputs-line format, and every file esbuild read (sources and
 *   node_modules files, tsconfig.json, package.json) and every source folder and the root folder
 *   (a new file can change what an import resolves to: a root config.ts would shadow config/)
 *   still has the mtime, ctime and size it had right after the build. Equality, not an ordering
 *   against the wall clock: a file system's clock (coarse timestamps, a server's clock) need not
 *   agree with this process's. ctime is compared too: npm stamps package files with a fixed
 *   mtime, while ctime is the time of install. The check is stat-only; the list travels in the
 *   bundle's last line, so a bundle and its list are written (atomically) together.
 * - Not used (the app's modules run instead) where there are no sources to bundle (a copy of
 *   dist/ alone), when a module of dist/ is already loaded before main.js runs (a test's prelude that
 *   patches, say, dist/config/project.js must see its patch used), nor with `SYNTH_BUNDLE=0`
 *   (a bug's stack then names dist/<module>.js lines instead of dist/synth.js lines).
 * - The code cache is keyed by the bundle's build and length and Node's version (V8 itself checks
 *   only the source length, and its own version and flags); V8 rejecting it only costs its rewrite.
 */

/** The bundle's entry: the app. */
const ENTRY = 'constructs/app.ts';
/** Where the bundle is written, relative to the repository root. */
const BUNDLE = 'dist/synth.js';
/** Where V8's code cache of the bundle is kept (git-ignored, like the build cache). */
const CODE_CACHE_DIR = '.cache/code';
/** Prefix of the bundle's last line: what it was built from (`BundleInputs`, JSON). */
const INPUTS_LINE = '\n//# synth-bundle-inputs=';

/** The inputs line's format: a bundle whose line has another is stale. */
const FORMAT = 2;
/**
 * An input changed less than this before the build started is stamped unknown (see `stampAfterBuild`):
 * 2 s covers the coarsest file-system timestamps (FAT) and the kernel's coarse clock.
 */
const SETTLE_MS = 2000;

/** An input's `[mtimeMs, ctimeMs, size]`, or null: unknown (missing, unreadable, or changed during the build). */
type Stamp = readonly [number, number, number] | null;

/** What a bundle was built by; any difference makes it stale. */
interface Builder {
  readonly format: number;
  /** esbuild's installed version (read from its package.json: esbuild is not loaded). */
  readonly esbuild: string;
  /** SHA-256 of this module's own file: the build options are its code. */
  readonly launcher: string;
}

interface BundleInputs extends Builder {
  /** Every file esbuild read and every folder holding a source outside node_modules, relative to the repository root, with its stamp. */
  readonly stamps: Readonly<Record<string, Stamp>>;
  /**
   * Root files that would take over an import of a top-level source folder (`config.ts` before
   * `config/index.ts`), absent at the build. The root folder itself is no input: its time changes
   * whenever local mode writes local-outputs.json or a run makes .tmp/, which would rebuild the
   * bundle for nothing; the folders below it are inputs, so a new file in one of them is seen.
   */
  readonly absent: readonly string[];
}

/** The extensions esbuild tries, in its order, before a folder's index file (its default resolveExtensions). */
const RESOLVE_EXTENSIONS = ['.tsx', '.ts', '.jsx', '.js', '.css', '.json'];

/**
 * Runs the app as the synth bundle (building it first when it is stale) and returns true, or
 * returns false without running anything when the bundle is not to be used (see above): the
 * caller then loads the app's modules.
 */
export function runSynthBundle(launcher: NodeJS.Module): boolean {
  if (process.env.SYNTH_BUNDLE === '0' || distModulesLoadedBefore(launcher)) return false;
  const root = repoRoot();
  const file = join(root, BUNDLE);
  let source = readBundle(file);
  let inputs = source === undefined ? undefined : currentInputs(root, source);
  if (source === undefined || inputs === undefined) {
    // A built copy without its sources (dist/ alone) cannot be bundled: it runs its modules.
    if (!existsSync(join(root, ENTRY))) return false;
    ({ source, inputs } = buildBundle(root, file));
  }
  // For the synth's up-to-date record (constructs/synth-record.ts): the node_modules files bundled are inputs too.
  noteSynthInputs([...Object.keys(inputs.stamps), ...inputs.absent].map((rel) => join(root, rel)));
  runWithCodeCache(root, file, source);
  return true;
}

/** The bundle's text. It is ASCII only (see `buildBundle`), so latin1 reads it as UTF-8 would, at a third of the cost. */
function readBundle(file: string): string | undefined {
  try {
    return readFileSync(file, 'latin1');
  } catch {
    return undefined;
  }
}

/** The bundle's inputs when it is current, else undefined. */
function currentInputs(root: string, source: string): BundleInputs | undefined {
  const at = source.lastIndexOf(INPUTS_LINE);
  if (at < 0) return undefined;
  try {
    const inputs = JSON.parse(source.slice(at + INPUTS_LINE.length)) as BundleInputs;
    const own = builder();
    if (inputs.format !== own.format || inputs.esbuild !== own.esbuild || inputs.launcher !== own.launcher) return undefined;
    const unchanged = Object.entries(inputs.stamps).every(([rel, then]) => {
      const now = stampOf(root, rel);
      return then !== null && now !== null && now.every((v, i) => v === then[i]);
    });
    return unchanged && inputs.absent.every((rel) => !existsSync(join(root, rel))) ? inputs : undefined;
  } catch {
    // A line that is not this format's JSON, or esbuild not installed: build (and fail there, if so).
    return undefined;
  }
}

function builder(): Builder {
  return { format: FORMAT, esbuild: packageVersion('esbuild'), launcher: createHash('sha256').update(readFileSync(__filename)).digest('hex') };
}

/** The stamp of `rel` now; null when it is missing or cannot be stat'ed (EACCES, ELOOP): stale, never a crash. */
function stampOf(root: string, rel: string): Stamp {
  try {
    const st = statSync(join(root, rel), { throwIfNoEntry: false });
    return st === undefined ? null : [st.mtimeMs, st.ctimeMs, st.size];
  } catch {
    return null;
  }
}

/**
 * The stamp of an input right after the build. esbuild's inputs are known only once it has read
 * them, so an input edited during the build (after esbuild read it) would be stamped with its new
 * state and its stale bundle used. An input changed shortly before the build started (or after:
 * `startedAt` is this process's clock, the stamps the file system's) is therefore stamped unknown,
 * and the next run builds again; it costs a second build only right after an edit.
 */
function stampAfterBuild(root: string, rel: string, startedAt: number): Stamp {
  const stamp = stampOf(root, rel);
  return stamp === null || Math.max(stamp[0], stamp[1]) >= startedAt - SETTLE_MS ? null : stamp;
}

/** Bundles the app with esbuild (loaded only here) and writes the bundle with its inputs line. */
function buildBundle(root: string, file: string): { source: string; inputs: BundleInputs } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when the bundle is stale
  const { buildSync } = require('esbuild') as typeof import('esbuild');
  const startedAt = Date.now();
  const result = buildSync({
    absWorkingDir: root,
    entryPoints: [ENTRY],
    outfile: file,
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // tsconfig.json's options without `baseUrl`/`paths`: with baseUrl ".", esbuild would resolve
    // the package `cdktf` to ./cdktf.json. The paths only map local mode's aws-sdk types.
    tsconfigRaw: { compilerOptions: compilerOptions(root) },
    // esbuild cannot be bundled (it runs its own binary). cdktf's `archiver` is the stand-in
    // that loads cdktf's own copy on first use (constructs/defer-archiver.ts), which asks
    // require.resolve for cdktf's installed folder at run time: that warning is what is wanted.
    external: ['esbuild'],
    alias: { archiver: './constructs/archiver-stand-in.ts' },
    logOverride: { 'require-resolve-not-external': 'silent' },
    logLevel: 'warning',
    // esbuild's default, stated because readBundle relies on it: non-ASCII characters escaped.
    charset: 'ascii',
  });
  const files = Object.keys(result.metafile.inputs).sort();
  // The root folder is never one (see BundleInputs.absent), even if a root file becomes an input.
  const folders = [...new Set(files.filter((f) => !f.split('/').includes('node_modules')).map((f) => dirname(f)))].filter((f) => f !== '.').sort();
  const stamps: Record<string, Stamp> = {};
  for (const rel of ['tsconfig.json', 'package.json', ...files, ...folders]) stamps[rel] = stampAfterBuild(root, rel, startedAt);
  const topFolders = [...new Set(folders.map((f) => f.split('/')[0]))];
  const absent = topFolders.flatMap((f) => RESOLVE_EXTENSIONS.map((ext) => `${f}${ext}`)).filter((rel) => !existsSync(join(root, rel)));
  const inputs: BundleInputs = { ...builder(), stamps, absent };
  const inputsJson = JSON.stringify(inputs).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const source = `${result.outputFiles[0].text}${INPUTS_LINE}${inputsJson}\n`;
  writeFileAtomic(file, source);
  return { source, inputs };
}

function compilerOptions(root: string): Record<string, unknown> {
  const { compilerOptions: options } = JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8')) as { compilerOptions: Record<string, unknown> };
  const { baseUrl: _baseUrl, paths: _paths, ...rest } = options;
  return rest;
}

/**
 * Runs the bundle as a CommonJS module (Node's own wrapper, a `require` of its own path), with the
 * code V8 compiled on an earlier run; after a run without a usable cache, stores the code V8
 * compiled during it (functions compiled lazily included).
 */
function runWithCodeCache(root: string, file: string, source: string): void {
  // The bundle's build (its inputs line holds its builder and its inputs' stamps) and length stand
  // for its content: dist/synth.js is written only by buildBundle, whole. Hashing 3 MB would cost
  // more than the stat check.
  const inputsLine = source.slice(source.lastIndexOf(INPUTS_LINE));
  // Node's flags are not part of the key: V8 rejects a cache made under flags that change its code.
  const key = createHash('sha256').update(`${source.length}\n${process.version}\n${inputsLine}`).digest('hex').slice(0, 32);
  const cacheFile = join(root, CODE_CACHE_DIR, `synth-${key}.bin`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new Script(Module.wrap(source), { filename: file, cachedData });
  const bundle = new Module(file);
  bundle.filename = file;
  const run = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
  try {
    run.call(bundle.exports, bundle.exports, createRequire(file), bundle, file, dirname(file));
  } finally {
    if (cachedData === undefined || script.cachedDataRejected === true) {
      try {
        writeFileAtomic(cacheFile, script.createCachedData());
        // Only the current bundle's cache is worth keeping (each is about 2 MB).
        for (const name of readdirSync(dirname(cacheFile))) {
          if (name.startsWith('synth-') && name !== basename(cacheFile)) rmSync(join(dirname(cacheFile), name), { force: true });
        }
      } catch {
        // A cache that cannot be written (read-only checkout) costs speed, never a synth.
      }
    }
  }
}
