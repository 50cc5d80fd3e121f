import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { buildSync } from 'esbuild';
import { unzipSync } from 'fflate';
import { App, Aspects, Lazy, TerraformLocal, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { repoRoot } from '../config/paths';
import { cachedBuildSync, type CachedBuildOptions } from '../constructs/cached-esbuild';
import { cachedZipFile, deterministicZip } from '../constructs/code-asset';
import { freezeStack } from '../constructs/frozen-stack';
import { lazyFrames } from '../constructs/lazy-creation-stacks';
import { BUILT_MAIN } from './helpers/app';

/**
 * The build cache (constructs/build-cache.ts) may only ever save time: an entry is used when no
 * input changed, and then gives exactly what a fresh build gives. Also the other synth shortcuts:
 * a frozen stack (constructs/frozen-stack.ts), assets left in place when unchanged
 * (constructs/staged-file-asset.ts) and the deferred `archiver` (constructs/defer-archiver.ts).
 */

const work = mkdtempSync(join(tmpdir(), 'build-cache-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let dirs = 0;
function freshDir(name: string): string {
  const dir = join(work, `${name}-${++dirs}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

function write(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
}

/** The single cache entry file of `kind` under `cacheDir`. */
function onlyEntry(cacheDir: string, kind: string): string {
  const names = readdirSync(join(cacheDir, kind)).filter((n) => !n.startsWith('.'));
  expect(names).toHaveLength(1);
  return join(cacheDir, kind, names[0]);
}

/** Rewrites the cached bundle text to `marker`: a later result holding it came from the cache. */
function plantMarker(cacheDir: string, marker: string): void {
  const file = onlyEntry(cacheDir, 'esbuild');
  const entry = JSON.parse(readFileSync(file, 'utf8')) as { outputFiles: { text: string }[] };
  entry.outputFiles[0].text = marker;
  writeFileSync(file, JSON.stringify(entry));
}

describe('cachedBuildSync', () => {
  /** A small project: an entry importing a helper folder and a tsconfig `paths` alias. */
  function project(): { root: string; cache: string; options: CachedBuildOptions } {
    const root = freshDir('project');
    write(root, {
      'tsconfig.json': JSON.stringify({ compilerOptions: { paths: { '#greeting': ['./src/greeting-en.ts'] } } }),
      'src/entry.ts': "import { name } from './lib';\nimport { greeting } from '#greeting';\nexport const message: string = `${greeting} ${name}`;\n",
      'src/lib/index.ts': "export const name = 'index';\n",
      'src/greeting-en.ts': "export const greeting = 'hello';\n",
      'src/greeting-fr.ts': "export const greeting = 'bonjour';\n",
    });
    const options: CachedBuildOptions = { absWorkingDir: root, entryPoints: [join(root, 'src/entry.ts')], bundle: true, format: 'cjs', platform: 'node', logLevel: 'silent' };
    return { root, cache: freshDir('cache'), options };
  }

  function fresh(options: CachedBuildOptions): string {
    return buildSync({ ...options, write: false }).outputFiles[0].text;
  }

  test('a cached bundle is byte-identical to a fresh esbuild build, and is what a second call returns', () => {
    const { cache, options } = project();
    const first = cachedBuildSync(options, cache).outputFiles[0].text;
    expect(first).toBe(fresh(options));
    expect(first).toContain('hello');
    const second = cachedBuildSync(options, cache);
    expect(second.outputFiles[0].text).toBe(first);
    expect(Object.keys(second.metafile.inputs).sort()).toEqual(['src/entry.ts', 'src/greeting-en.ts', 'src/lib/index.ts']);
    // The second call was served by the entry: a planted marker comes back.
    plantMarker(cache, 'MARKER');
    expect(cachedBuildSync(options, cache).outputFiles[0].text).toBe('MARKER');
  });

  test('a changed source invalidates the entry', () => {
    const { root, cache, options } = project();
    cachedBuildSync(options, cache);
    plantMarker(cache, 'MARKER');
    write(root, { 'src/lib/index.ts': "export const name = 'changed';\n" });
    const rebuilt = cachedBuildSync(options, cache).outputFiles[0].text;
    expect(rebuilt).toContain('changed');
    expect(rebuilt).toBe(fresh(options));
  });

  test('a new file that changes what an import resolves to invalidates the entry', () => {
    const { root, cache, options } = project();
    cachedBuildSync(options, cache);
    plantMarker(cache, 'MARKER');
    // `./lib` now resolves to src/lib.ts rather than src/lib/index.ts; no earlier input changed.
    write(root, { 'src/lib.ts': "export const name = 'shadowing file';\n" });
    expect(cachedBuildSync(options, cache).outputFiles[0].text).toContain('shadowing file');
  });

  test('a changed tsconfig.json invalidates the entry', () => {
    const { root, cache, options } = project();
    cachedBuildSync(options, cache);
    plantMarker(cache, 'MARKER');
    write(root, { 'tsconfig.json': JSON.stringify({ compilerOptions: { paths: { '#greeting': ['./src/greeting-fr.ts'] } } }) });
    expect(cachedBuildSync(options, cache).outputFiles[0].text).toContain('bonjour');
  });

  test('changed esbuild options are another entry', () => {
    const { cache, options } = project();
    cachedBuildSync(options, cache);
    plantMarker(cache, 'MARKER');
    const minified = cachedBuildSync({ ...options, minify: true }, cache).outputFiles[0].text;
    expect(minified).not.toBe('MARKER');
    expect(minified).toBe(fresh({ ...options, minify: true }));
  });

  test('a damaged entry is rebuilt', () => {
    const { cache, options } = project();
    cachedBuildSync(options, cache);
    writeFileSync(onlyEntry(cache, 'esbuild'), '{"truncated');
    expect(cachedBuildSync(options, cache).outputFiles[0].text).toBe(fresh(options));
  });

  test('a build error is thrown as esbuild throws it, and nothing is cached', () => {
    const { root, cache, options } = project();
    write(root, { 'src/lib/index.ts': 'export const name = ;\n' });
    expect(() => cachedBuildSync(options, cache)).toThrow(/Unexpected/);
    expect(() => readdirSync(join(cache, 'esbuild'))).toThrow();
  });
});

describe('cachedZipFile', () => {
  test('is a file of the bytes deterministicZip gives, served from the cache the second time (the entry is the staged file), and a new zip for new content', () => {
    const cache = freshDir('zip-cache');
    const files = { 'index.js': 'exports.handler = async () => 1;\n' };
    const first = cachedZipFile(files, cache);
    expect(first.startsWith(join(cache, 'zip'))).toBe(true);
    expect(first.endsWith('/archive.zip')).toBe(true);
    expect(readFileSync(first).equals(Buffer.from(deterministicZip(files)))).toBe(true);
    // Served by the entry: the same file, whatever it holds, comes back without being rebuilt.
    writeFileSync(first, 'MARKER');
    expect(cachedZipFile(files, cache)).toBe(first);
    expect(readFileSync(first, 'utf8')).toBe('MARKER');
    const changed = { 'index.js': 'exports.handler = async () => 2;\n' };
    const rebuilt = cachedZipFile(changed, cache);
    expect(rebuilt).not.toBe(first);
    expect(Buffer.from(unzipSync(readFileSync(rebuilt))['index.js']).toString()).toBe(changed['index.js']);
    expect(readFileSync(rebuilt).equals(Buffer.from(deterministicZip(changed)))).toBe(true);
  });

  test('stages the zip in the temp folder when the cache cannot be written', () => {
    const blocked = join(freshDir('zip-cache-blocked'), 'not-a-folder');
    writeFileSync(blocked, 'a file where the cache folder would be');
    const files = { 'index.js': 'exports.handler = async () => 3;\n' };
    const staged = cachedZipFile(files, blocked);
    expect(staged.startsWith(tmpdir())).toBe(true);
    expect(readFileSync(staged).equals(Buffer.from(deterministicZip(files)))).toBe(true);
  });
});

describe('freezeStack', () => {
  function stackWithOutput(): { app: App; stack: TerraformStack; outdir: string } {
    const outdir = freshDir('frozen-out');
    const app = new App({ outdir, skipValidation: true });
    const stack = new TerraformStack(app, 'frozen');
    new TerraformOutput(stack, 'answer', { value: 42 });
    return { app, stack, outdir };
  }

  test('app.synth() writes the JSON freezeStack returned', () => {
    const { app, stack, outdir } = stackWithOutput();
    const json = freezeStack(stack);
    expect(json.output).toEqual({ answer: { value: 42 } });
    app.synth();
    expect(JSON.parse(readFileSync(join(outdir, 'stacks', 'frozen', 'cdk.tf.json'), 'utf8'))).toEqual(json);
  });

  test('a construct added after freezing throws instead of being left out of the JSON', () => {
    const { stack } = stackWithOutput();
    freezeStack(stack);
    expect(() => new TerraformOutput(stack, 'late', { value: 1 })).toThrow(/Cannot add children to "frozen"/);
  });

  /** Stack `b` refers to an output value of stack `a` (a cross-stack reference). */
  function twoStacks(outdir: string): { app: App; a: TerraformStack; b: TerraformStack } {
    const app = new App({ outdir, skipValidation: true });
    const a = new TerraformStack(app, 'a');
    const b = new TerraformStack(app, 'b');
    const source = new TerraformLocal(a, 'source', 'from-a');
    new TerraformOutput(b, 'copied', { value: source.expression });
    new TerraformOutput(b, 'own', { value: new TerraformLocal(b, 'mine', 1).expression });
    return { app, a, b };
  }

  test('a stack that refers to another stack is written exactly as cdktf writes it (the preparing resolve runs)', () => {
    const plainDir = freshDir('cross-plain');
    twoStacks(plainDir).app.synth();
    const plain = JSON.parse(readFileSync(join(plainDir, 'stacks', 'b', 'cdk.tf.json'), 'utf8')) as Record<string, unknown>;
    expect(JSON.stringify(plain)).toContain('terraform_remote_state');

    const { b } = twoStacks(freshDir('cross-frozen'));
    expect(freezeStack(b)).toEqual(plain);
  });

  test('a stack whose references stay inside it gives the JSON of cdktf\'s full path', () => {
    const plainDir = freshDir('within-plain');
    const plainApp = new App({ outdir: plainDir, skipValidation: true });
    const withLocal = (stack: TerraformStack): void => {
      new TerraformOutput(stack, 'own', { value: new TerraformLocal(stack, 'mine', 1).expression });
    };
    withLocal(new TerraformStack(plainApp, 'solo'));
    plainApp.synth();
    const frozenApp = new App({ outdir: freshDir('within-frozen'), skipValidation: true });
    const solo = new TerraformStack(frozenApp, 'solo');
    withLocal(solo);
    const json = freezeStack(solo);
    expect(json.output).toEqual({ own: { value: '${local.mine}' } });
    expect(json).toEqual(JSON.parse(readFileSync(join(plainDir, 'stacks', 'solo', 'cdk.tf.json'), 'utf8')));
  });

  test('a stack with aspects (which app.synth() runs later) is refused', () => {
    const { stack } = stackWithOutput();
    Aspects.of(stack).add({ visit: (_node: Construct) => undefined });
    expect(() => freezeStack(stack)).toThrow(/has aspects/);
  });
});

describe('lazy creation stacks (constructs/lazy-creation-stacks.ts)', () => {
  test('a token that fails to resolve still names where it was created, frame by frame', () => {
    const app = new App({ outdir: freshDir('lazy-stacks'), skipValidation: true });
    const stack = new TerraformStack(app, 'lazy');
    const createdHere = (): string => Lazy.stringValue({ produce: () => { throw new Error('boom'); } });
    new TerraformOutput(stack, 'broken', { value: createdHere() });
    expect(() => stack.toTerraform()).toThrow(/Resolution error: boom\.\nObject creation stack:\n {2}at [^\n]*\n[\s\S]*createdHere \([^)]*build-cache\.test\.ts:\d+:\d+\)/);
  });

  test('the frames read like an array of the formatted lines', () => {
    const holder: { stack?: string } = { stack: 'Error\n    at first (a.js:1:2)\n    at second (b.js:3:4)' };
    const frames = lazyFrames(holder);
    expect(frames.length).toBe(2);
    expect(frames.join(' | ')).toBe('first (a.js:1:2) | second (b.js:3:4)');
    expect([...frames]).toEqual(['first (a.js:1:2)', 'second (b.js:3:4)']);
    expect(lazyFrames({}).length).toBe(0);
  });
});

describe('synth output folder', () => {
  function synth(outdir: string): void {
    const run = spawnSync(process.execPath, [BUILT_MAIN], {
      cwd: repoRoot(),
      env: { ...process.env, OFFLINE_PLAN: '1', CDKTF_OUTDIR: outdir },
      encoding: 'utf8',
    });
    if (run.status !== 0) throw new Error(`dist/main.js failed (${run.status}): ${run.stderr}`);
  }

  function assetFiles(outdir: string): string[] {
    const base = join(outdir, 'stacks', 'dev', 'assets');
    return readdirSync(base).flatMap((id) => readdirSync(join(base, id)).flatMap((hash) => readdirSync(join(base, id, hash)).map((f) => join(base, id, hash, f))));
  }

  test('an unchanged asset is left in place; a damaged or stale copy is replaced', () => {
    const outdir = join(freshDir('synth'), 'out');
    synth(outdir);
    const files = assetFiles(outdir);
    expect(files.length).toBeGreaterThan(10);
    const inodes = new Map(files.map((f) => [f, statSync(f).ino]));
    const damaged = files[0];
    const original = readFileSync(damaged);
    writeFileSync(damaged, 'damaged');
    const staleVersion = join(damaged, '..', '..', 'old-hash');
    mkdirSync(staleVersion);
    writeFileSync(join(staleVersion, 'code.js'), 'old');

    synth(outdir);
    expect(assetFiles(outdir).sort()).toEqual([...files].sort());
    expect(readFileSync(damaged).equals(original)).toBe(true);
    for (const f of files.slice(1)) expect({ f, kept: statSync(f).ino === inodes.get(f) }).toEqual({ f, kept: true });
  });
});

describe('defer-archiver', () => {
  /** Runs `code` in a fresh node (jest's module registry would hide require.cache). */
  function node(code: string): string {
    const run = spawnSync(process.execPath, ['-e', code], { cwd: repoRoot(), encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`node failed (${run.status}): ${run.stderr}`);
    return run.stdout.trim();
  }
  const defer = JSON.stringify(join(repoRoot(), 'dist', 'constructs', 'defer-archiver.js'));

  test('loading cdktf after it loads no archiver code, and archiver still works when called', () => {
    const out = node(`
      const { ARCHIVER_FILE } = require(${defer});
      require('cdktf');
      const loaded = () => Object.keys(require.cache).filter((f) => /[\\\\/]node_modules[\\\\/](archiver|archiver-utils|zip-stream|glob)[\\\\/]/.test(f) && f !== ARCHIVER_FILE).length;
      const before = loaded();
      const archive = require(ARCHIVER_FILE)('zip', {});
      console.log(JSON.stringify({ before, after: loaded() > 0, pipe: typeof archive.pipe, isRegistered: require(ARCHIVER_FILE).isRegisteredFormat('zip') }));
    `);
    expect(JSON.parse(out)).toEqual({ before: 0, after: true, pipe: 'function', isRegistered: true });
  });
});
