import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { repoRoot } from '../config/paths';

/**
 * The synth bundle (constructs/synth-bundle.ts): `node dist/main.js` runs the app as one esbuild
 * bundle through a V8 code cache. On a copy of the project (sources, dist/, node_modules linked)
 * so that sources can be changed: the bundle must give the stacks the app's own modules give,
 * be rebuilt when a source or a source folder changes and only then, and step aside for a
 * prelude that patches a dist/ module. A mistake in the config still reads as its message.
 */

const ROOT = repoRoot();
const COPIED = ['main.ts', 'constructs', 'config', 'access', 'addresses', 'lambdas', 'resolvers', 'schema.graphql', 'tsconfig.json', 'package.json', 'cdktf.json', 'dist'];
let dir: string;

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist', 'main.js'))) throw new Error('dist/main.js missing: run `npx tsc -p .` first (npm test builds first)');
  dir = mkdtempSync(join(tmpdir(), 'synth-bundle-'));
  for (const p of COPIED) cpSync(join(ROOT, p), join(dir, p), { recursive: true, filter: (src) => !src.endsWith('synth.js') });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the copy's dist/main.js into `out`; the prelude file (if any) is --require'd first. Records which module files were loaded. */
function synth(out: string, env: NodeJS.ProcessEnv = {}, prelude?: string): SpawnSyncReturns<string> & { loaded: string[] } {
  const record = join(dir, 'record-modules.js');
  const loadedFile = join(dir, 'loaded.json');
  writeFileSync(record, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(loadedFile)}, JSON.stringify(Object.keys(require.cache))));\n${prelude ?? ''}`);
  const r = spawnSync(process.execPath, ['--require', record, join(dir, 'dist', 'main.js')], {
    cwd: dir,
    env: { ...process.env, OFFLINE_PLAN: '1', CDKTF_OUTDIR: join(dir, out), SYNTH_BUILD_CACHE: join(dir, '.cache', 'build'), ...env },
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
    const a = filesUnder(join(dir, 'out-bundle', 'stacks'));
    const b = filesUnder(join(dir, 'out-modules', 'stacks'));
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

  test('a new file in a source folder makes the bundle stale', () => {
    ok(synth('out-restored'));
    const stamp = bundleStamp();
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
});
