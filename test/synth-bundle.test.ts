import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { repoRoot } from '../config/paths';

/**
 * The synth bundle (constructs/synth-bundle.ts): `node dist/main.js` runs the app as one esbuild
 * bundle through a V8 code cache. On a copy of the project (sources, dist/, node_modules linked)
 * so that sources can be changed: the bundle must give the stacks the app's own modules give,
 * be rebuilt when a source or a source folder changes and only then, and step aside for a
 * prelude that patches a dist/ module. A mistake in the config still reads as its message.
 * Outputs and the harness's files live outside the copy (`work`): the copy's root folder is an
 * input of the bundle.
 */

const ROOT = repoRoot();
const COPIED = ['main.ts', 'constructs', 'config', 'access', 'addresses', 'lambdas', 'resolvers', 'schema.graphql', 'tsconfig.json', 'package.json', 'cdktf.json', 'dist'];
let dir: string;
let work: string;

/**
 * Waits until every file written so far is older than the bundle's settle margin (2 s,
 * constructs/synth-bundle.ts): an input changed within it is recorded as unknown, and the next run
 * builds again whatever the test changes.
 */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 2100));

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'main.js'))) throw new Error('dist/main.js missing: run `npx tsc -p .` first (npm test builds first)');
  dir = mkdtempSync(join(tmpdir(), 'synth-bundle-'));
  work = mkdtempSync(join(tmpdir(), 'synth-bundle-work-'));
  for (const p of COPIED) cpSync(join(ROOT, p), join(dir, p), { recursive: true, filter: (src) => !src.endsWith('synth.js') });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  // The code cache's folder, made now rather than by the first synth (a change of the root folder).
  mkdirSync(join(dir, '.cache'));
  await settle();
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

/** Runs the copy's dist/main.js into `out`; the prelude file (if any) is --require'd first. Records which module files were loaded. */
function synth(out: string, env: NodeJS.ProcessEnv = {}, prelude?: string): SpawnSyncReturns<string> & { loaded: string[] } {
  const record = join(work, 'record-modules.js');
  const loadedFile = join(work, 'loaded.json');
  writeFileSync(record, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(loadedFile)}, JSON.stringify(Object.keys(require.cache))));\n${prelude ?? ''}`);
  const r = spawnSync(process.execPath, ['--require', record, join(dir, 'dist', 'main.js')], {
    cwd: dir,
    env: { ...process.env, OFFLINE_PLAN: '1', CDKTF_OUTDIR: join(work, out), SYNTH_BUILD_CACHE: join(dir, '.cache', 'build'), ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return Object.assign(r, { loaded: existsSync(loadedFile) ? (JSON.parse(readFileSync(loadedFile, 'utf8')) as string[]) : [] });
}

function ok(r: SpawnSyncReturns<string>): void {
  if (r.status !== 0) throw new Error(`dist/main.js failed (${r.status}): ${r.stderr}`);
}

function filesUnder(base: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const f of readdirSync(base, { recursive: true }) as string[]) {
    const p = join(base, f);
    if (statSync(p).isFile()) out.set(relative(base, p), readFileSync(p));
  }
  return out;
}

const bundleStamp = (): string => {
  const st = statSync(join(dir, 'dist', 'synth.js'));
  return `${st.ino} ${st.mtimeMs}`;
};
const cdktfModules = (loaded: string[]): string[] => loaded.filter((f) => /[\\/]node_modules[\\/]cdktf[\\/]lib[\\/]/.test(f));

/** After `settle`, a synth that leaves the bundle current with every input stamped; returns its stamp. */
async function currentBundle(): Promise<string> {
  await settle();
  ok(synth('out-current'));
  return bundleStamp();
}

const PROJECT = (): string => join(dir, 'config', 'project.ts');
const GOOD_RULE = "read: { groups: ['subscribers', 'editors', 'admins'] }";
const BAD_RULE = "read: { groups: ['subscriber', 'editors', 'admins'] }";
const BAD_RULE_MESSAGE = 'config/project.ts: storage.rules[1].read.groups[0] = "subscriber": expected one of the groups';

/** Rewrites the inputs line (the bundle's last line) of the copy's dist/synth.js; returns the bundle's stamp after. */
function editInputsLine(edit: (line: string) => string): string {
  const file = join(dir, 'dist', 'synth.js');
  const text = readFileSync(file, 'latin1');
  const at = text.lastIndexOf('\n//# synth-bundle-inputs=');
  expect(at).toBeGreaterThan(0);
  const line = text.slice(at);
  const edited = edit(line);
  expect(edited).not.toBe(line);
  writeFileSync(file, text.slice(0, at) + edited, 'latin1');
  return bundleStamp();
}

describe('the synth bundle', () => {
  let firstStamp: string;

  test('gives byte-identical stacks and assets to the app run as its modules, and loads no cdktf module file', () => {
    const bundled = synth('out-bundle');
    ok(bundled);
    expect(existsSync(join(dir, 'dist', 'synth.js'))).toBe(true);
    expect(cdktfModules(bundled.loaded)).toEqual([]);
    firstStamp = bundleStamp();
    const modules = synth('out-modules', { SYNTH_BUNDLE: '0' });
    ok(modules);
    expect(cdktfModules(modules.loaded).length).toBeGreaterThan(50);
    const a = filesUnder(join(work, 'out-bundle', 'stacks'));
    const b = filesUnder(join(work, 'out-modules', 'stacks'));
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
    for (const [path, bytes] of a) expect({ path, same: bytes.equals(b.get(path)!) }).toEqual({ path, same: true });
  });

  test('an unchanged project reuses the bundle and its code cache', () => {
    const cacheDir = join(dir, '.cache', 'code');
    const cacheStamps = () => readdirSync(cacheDir).map((f) => `${f} ${statSync(join(cacheDir, f)).mtimeMs}`);
    const before = cacheStamps();
    expect(before).toHaveLength(1);
    ok(synth('out-again'));
    expect(bundleStamp()).toBe(firstStamp);
    expect(cacheStamps()).toEqual(before);
  });

  test('a changed source is bundled again (a config mistake in it reads as its message)', () => {
    const file = join(dir, 'config', 'project.ts');
    const text = readFileSync(file, 'utf8');
    expect(text).toContain("read: { groups: ['subscribers', 'editors', 'admins'] }");
    writeFileSync(file, text.replace("read: { groups: ['subscribers', 'editors', 'admins'] }", "read: { groups: ['subscriber', 'editors', 'admins'] }"));
    const r = synth('out-bad-config');
    // A config mistake still reads as its message alone (file, key, value, expectation), no stack.
    expect(r.stderr).toContain('config/project.ts: storage.rules[1].read.groups[0] = "subscriber": expected one of the groups');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.status).toBe(1);
    expect(bundleStamp()).not.toBe(firstStamp);
    writeFileSync(file, text);
  });

  test('a new file in a source folder makes the bundle stale', async () => {
    const stamp = await currentBundle();
    writeFileSync(join(dir, 'constructs', 'zz-new-module.ts'), 'export const unused = 1;\n');
    ok(synth('out-new-file'));
    expect(bundleStamp()).not.toBe(stamp);
  });

  test('steps aside for a prelude that patched a dist/ module (the patch is used)', () => {
    const prelude = `require(${JSON.stringify(join(dir, 'dist', 'config', 'project.js'))}).project.storage.rules[1].read.groups[0] = 'subscriber';`;
    const r = synth('out-prelude', {}, prelude);
    expect(r.stderr).toContain('config/project.ts: storage.rules[1].read.groups[0] = "subscriber"');
    expect(r.status).toBe(1);
    expect(cdktfModules(r.loaded).length).toBeGreaterThan(50);
  });

  test('a file written at the root by a run (local-outputs.json) leaves the bundle current', async () => {
    const stamp = await currentBundle();
    writeFileSync(join(dir, 'local-outputs.json'), '{}\n');
    try {
      ok(synth('out-root-output'));
      expect(bundleStamp()).toBe(stamp);
    } finally {
      unlinkSync(join(dir, 'local-outputs.json'));
    }
  });

  test('a root config.ts, which shadows config/, makes the bundle stale', async () => {
    const stamp = await currentBundle();
    writeFileSync(join(dir, 'config.ts'), "export * from './config/index';\n");
    try {
      ok(synth('out-root-file'));
      expect(bundleStamp()).not.toBe(stamp);
    } finally {
      unlinkSync(join(dir, 'config.ts'));
    }
  });

  test('a source changed after the build is bundled again even when its times read older than the build (equality, not clock order)', async () => {
    await settle();
    // The build's clock an hour ahead of the file system's (a lagging or coarse file-system clock).
    const ahead = 'const realNow = Date.now; Date.now = () => realNow() + 3_600_000;';
    const text = readFileSync(PROJECT(), 'utf8');
    // An hour ago, in whole seconds: set again after the edit, it reads back exactly.
    const past = new Date(Math.floor(Date.now() / 1000) * 1000 - 3_600_000);
    utimesSync(PROJECT(), past, past);
    // Stale (another format), so that this run builds under that clock.
    const previous = editInputsLine((line) => line.replace(/"format":\d+/, '"format":1'));
    ok(synth('out-clock-ahead', {}, ahead));
    const stamp = bundleStamp();
    expect(stamp).not.toBe(previous);
    try {
      // Another size; the mtime set back to what it was: only size and ctime tell.
      writeFileSync(PROJECT(), text.replace(GOOD_RULE, BAD_RULE));
      utimesSync(PROJECT(), past, past);
      const r = synth('out-clock-ahead-bad');
      expect(r.stderr).toContain(BAD_RULE_MESSAGE);
      expect(r.status).toBe(1);
      expect(bundleStamp()).not.toBe(stamp);
    } finally {
      writeFileSync(PROJECT(), text);
    }
  });

  test('a source edited during the build (after esbuild read it) makes the next run bundle again', async () => {
    await settle();
    const text = readFileSync(PROJECT(), 'utf8');
    expect(text).toContain(GOOD_RULE);
    // Edits config/project.ts right after esbuild's build returns: the bundle holds the old content.
    const editAfterBuild = `
      const Module = require('node:module');
      const load = Module._load;
      Module._load = function (request, ...rest) {
        const m = load.call(this, request, ...rest);
        if (request !== 'esbuild') return m;
        return { ...m, buildSync: (options) => {
          const result = m.buildSync(options);
          require('node:fs').writeFileSync(${JSON.stringify(PROJECT())}, ${JSON.stringify(text.replace(GOOD_RULE, BAD_RULE))});
          return result;
        } };
      };`;
    try {
      // Stale (another format), so that this run builds.
      editInputsLine((line) => line.replace(/"format":\d+/, '"format":1'));
      ok(synth('out-edit-during', {}, editAfterBuild));
      expect(readFileSync(PROJECT(), 'utf8')).toContain(BAD_RULE);
      const r = synth('out-after-edit');
      expect(r.stderr).toContain(BAD_RULE_MESSAGE);
      expect(r.status).toBe(1);
    } finally {
      writeFileSync(PROJECT(), text);
    }
  });

  test('a bundle built by another esbuild version, another synth-bundle code or inputs-line format is stale', async () => {
    await currentBundle();
    let stamp = editInputsLine((line) => line.replace(/"esbuild":"[^"]+"/, '"esbuild":"0.0.1"'));
    ok(synth('out-other-esbuild'));
    expect(bundleStamp()).not.toBe(stamp);
    stamp = editInputsLine((line) => line.replace(/"launcher":"[0-9a-f]+"/, `"launcher":"${'0'.repeat(64)}"`));
    ok(synth('out-other-launcher'));
    expect(bundleStamp()).not.toBe(stamp);
    stamp = editInputsLine((line) => line.replace(/"format":\d+/, '"format":1'));
    ok(synth('out-other-format'));
    expect(bundleStamp()).not.toBe(stamp);
  });

  test('an input that cannot be stat\'ed (ELOOP) means a rebuild, not a crash', async () => {
    await currentBundle();
    const loop = join(dir, 'constructs', 'zz-loop.ts');
    symlinkSync('zz-loop.ts', loop);
    try {
      // Listed first, so it is stat'ed before the changed constructs/ folder is.
      const stamp = editInputsLine((line) => line.replace('"stamps":{', '"stamps":{"constructs/zz-loop.ts":[1,1,1],'));
      const r = synth('out-loop');
      ok(r);
      expect(bundleStamp()).not.toBe(stamp);
    } finally {
      unlinkSync(loop);
    }
  });
});
