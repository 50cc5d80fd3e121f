import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { repoRoot } from '../config/paths';
import { ENV_IGNORED, NAME_IGNORED, ROOT_IGNORED } from '../constructs/synth-record';

/**
 * The synth's up-to-date check (constructs/synth-record.ts): `node dist/main.js` skips the app when
 * the outdir's record proves nothing changed, and runs it for real on any change to what a synth
 * reads or writes. On a copy of the project (sources, dist/, node_modules linked), synthesizing
 * into a folder outside it. "Ran for real" is told by two signs together: the skip line absent from
 * stderr and manifest.json rewritten (cdktf writes it on every synth); a skip shows the line and
 * leaves every output file as it was.
 */

const ROOT = repoRoot();
const COPIED = ['main.ts', 'constructs', 'config', 'access', 'addresses', 'lambdas', 'resolvers', 'schema.graphql', 'tsconfig.json', 'package.json', 'cdktf.json', 'dist'];
const SKIP_LINE = /^synth: .+ is up to date with its inputs; nothing to do \(SYNTH_FORCE=1 synthesizes anyway\)$/m;
let dir: string;
let work: string;
let out: string;

/** Waits past the record's settle margin (2 s): an input changed within it leaves no record. */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 2100));

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'main.js'))) throw new Error('dist/main.js missing: run `npx tsc -p .` first (npm test builds first)');
  dir = mkdtempSync(join(tmpdir(), 'synth-record-'));
  work = mkdtempSync(join(tmpdir(), 'synth-record-work-'));
  out = join(work, 'cdktf.out');
  for (const p of COPIED) cpSync(join(ROOT, p), join(dir, p), { recursive: true, filter: (src) => !src.endsWith('synth.js') });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  mkdirSync(join(dir, '.cache'));
  // Past the settle margins of the record and of the synth bundle (its inputs, just copied, would be stamped unknown).
  await settle();
  // The first synth builds the synth bundle (dist/synth.js, new: no record).
  expectReal(synth());
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

/** The copy's `node dist/main.js` into `out`, as `npm run synth` runs it (main.js the program, nothing preloaded). */
function synth(env: NodeJS.ProcessEnv = {}, args: string[] = []): SpawnSyncReturns<string> & { manifestBefore?: number } {
  const manifest = join(out, 'manifest.json');
  const manifestBefore = existsSync(manifest) ? statSync(manifest).mtimeMs : undefined;
  const base: NodeJS.ProcessEnv = { ...process.env, OFFLINE_PLAN: '1', CDKTF_OUTDIR: out, SYNTH_BUILD_CACHE: join(dir, '.cache', 'build') };
  delete base.SYNTH_FORCE;
  const r = spawnSync(process.execPath, [...args, join(dir, 'dist', 'main.js')], { cwd: dir, env: { ...base, ...env }, encoding: 'utf8', timeout: 120_000 });
  return Object.assign(r, { manifestBefore });
}

function manifestMtime(): number {
  return statSync(join(out, 'manifest.json')).mtimeMs;
}

function expectReal(r: ReturnType<typeof synth>): void {
  if (r.status !== 0) throw new Error(`dist/main.js failed (${r.status}): ${r.stderr}`);
  expect(r.stderr).not.toMatch(SKIP_LINE);
  expect(manifestMtime()).not.toBe(r.manifestBefore);
}

function expectSkipped(r: ReturnType<typeof synth>): void {
  if (r.status !== 0) throw new Error(`dist/main.js failed (${r.status}): ${r.stderr}`);
  expect(r.stderr).toMatch(SKIP_LINE);
  expect(manifestMtime()).toBe(r.manifestBefore);
}

/** The outdir's record, where constructs/synth-record.ts keeps it. */
const recordFile = (): string => join(dir, '.cache', 'synth', `${createHash('sha256').update(out).digest('hex')}.json`);

/**
 * After `settle`, a synth that leaves the outdir recorded: the next unchanged synth skips. A source
 * changed by the test before makes that synth rebuild the synth bundle (dist/synth.js, then too
 * new to be recorded): a second one, past the margin again, records.
 */
async function recorded(env: NodeJS.ProcessEnv = {}): Promise<void> {
  for (let attempt = 0; attempt === 0 || (attempt < 2 && !existsSync(recordFile())); attempt++) {
    await settle();
    const r = synth(env);
    if (r.status !== 0) throw new Error(`dist/main.js failed (${r.status}): ${r.stderr}`);
  }
  expect(existsSync(recordFile())).toBe(true);
}

/** Every file under `base` with its bytes and mtime. */
function snapshot(base: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const f of readdirSync(base, { recursive: true }) as string[]) {
    const p = join(base, f);
    const st = statSync(p);
    if (st.isFile()) files.set(relative(base, p), `${st.mtimeMs} ${createHash('sha256').update(readFileSync(p)).digest('hex')}`);
  }
  return files;
}

/** Changes `rel` in the copy with `edit`, runs `check`, then puts the file back as it was. */
function withEdited(rel: string, edit: (text: string) => string, check: () => void): void {
  const file = join(dir, rel);
  const text = readFileSync(file, 'utf8');
  writeFileSync(file, edit(text));
  try {
    check();
  } finally {
    writeFileSync(file, text);
  }
}

describe('the synth up-to-date record', () => {
  test('a second unchanged synth skips the app and leaves the outdir byte for byte (and time for time) as it was', async () => {
    await recorded();
    const before = snapshot(out);
    expect(before.size).toBeGreaterThan(10);
    const r = synth();
    expectSkipped(r);
    expect(r.stdout).toBe('');
    expect(snapshot(out)).toEqual(before);
    // And again: a skip keeps the record.
    expectSkipped(synth());
  });

  test('variables that differ between identical runs (_, OLDPWD, SHLVL, hyperfine\'s offset) do not count', async () => {
    await recorded();
    expect(ENV_IGNORED).toEqual(expect.arrayContaining(['_', 'OLDPWD', 'SHLVL', 'HYPERFINE_RANDOMIZED_ENVIRONMENT_OFFSET']));
    expectSkipped(synth({ _: '/usr/bin/other', OLDPWD: '/somewhere/else', SHLVL: '7', HYPERFINE_RANDOMIZED_ENVIRONMENT_OFFSET: 'XXXX' }));
  });

  test('touching schema.graphql (same bytes, new times) makes the next synth run for real', async () => {
    await recorded();
    const now = new Date();
    utimesSync(join(dir, 'schema.graphql'), now, now);
    expectReal(synth());
  });

  test('editing a config source, a resolver or a compiled dist/ module makes the next synth run for real', async () => {
    for (const rel of ['config/project.ts', 'resolvers/Query.me.[none].ts', 'dist/constructs/app.js']) {
      await recorded();
      withEdited(rel, (text) => `${text}\n// edited by test/synth-record.test.ts\n`, () => {
        const r = synth();
        expect({ rel, skipped: SKIP_LINE.test(r.stderr) }).toEqual({ rel, skipped: false });
        expectReal(r);
      });
    }
  });

  test('a new file in a source folder makes the next synth run for real', async () => {
    await recorded();
    const added = join(dir, 'constructs', 'zz-new-module.ts');
    writeFileSync(added, 'export const unused = 1;\n');
    try {
      expectReal(synth());
    } finally {
      unlinkSync(added);
    }
  });

  test('another value of a variable the synth reads (OFFLINE_PLAN, CDKTF_CONTEXT_JSON) makes it run for real', async () => {
    await recorded();
    expectReal(synth({ OFFLINE_PLAN: '0' }));
    await recorded();
    expectReal(synth({ CDKTF_CONTEXT_JSON: '{"note":"from test/synth-record.test.ts"}' }));
    // Back to the recorded environment of neither: the record is the last run's, so this runs too.
    expectReal(synth());
  });

  test('an output edited (same size), deleted or added makes the next synth run for real, and it restores the output', async () => {
    const stack = join(out, 'stacks', 'dev', 'cdk.tf.json');
    await recorded();
    const original = readFileSync(stack);
    const edited = Buffer.from(original);
    // One byte of the JSON's indentation swapped for a tab: same size, other content.
    edited[edited.indexOf(0x20)] = 0x09;
    writeFileSync(stack, edited);
    expectReal(synth());
    expect(readFileSync(stack).equals(original)).toBe(true);

    await recorded();
    unlinkSync(stack);
    expectReal(synth());
    expect(readFileSync(stack).equals(original)).toBe(true);

    await recorded();
    writeFileSync(join(out, 'stacks', 'dev', 'extra.tf.json'), '{}\n');
    try {
      expectReal(synth());
    } finally {
      unlinkSync(join(out, 'stacks', 'dev', 'extra.tf.json'));
    }
  });

  test('an outdir inside the repository is no input of itself: a synth into it is recorded and skipped', async () => {
    const inside = join(dir, 'out-inside');
    try {
      await settle();
      const first = synth({ CDKTF_OUTDIR: inside });
      expect(first.status).toBe(0);
      expect(first.stderr).not.toMatch(SKIP_LINE);
      // Its files, all just written, are no inputs: the run was recorded.
      expect(synth({ CDKTF_OUTDIR: inside }).stderr).toMatch(SKIP_LINE);
    } finally {
      rmSync(inside, { recursive: true, force: true });
    }
  });

  test('Terraform\'s working files in a stack folder (terraform init) do not count', async () => {
    await recorded();
    mkdirSync(join(out, 'stacks', 'dev', '.terraform', 'providers'), { recursive: true });
    writeFileSync(join(out, 'stacks', 'dev', '.terraform', 'providers', 'p'), 'provider\n');
    writeFileSync(join(out, 'stacks', 'dev', '.terraform.lock.hcl'), '# lock\n');
    writeFileSync(join(out, 'stacks', 'dev', 'terraform.tfstate'), '{}\n');
    try {
      expectSkipped(synth());
    } finally {
      rmSync(join(out, 'stacks', 'dev', '.terraform'), { recursive: true });
      unlinkSync(join(out, 'stacks', 'dev', '.terraform.lock.hcl'));
      unlinkSync(join(out, 'stacks', 'dev', 'terraform.tfstate'));
    }
  });

  test('SYNTH_FORCE=1 runs for real; its record serves the next unforced synth', async () => {
    await recorded();
    expectReal(synth({ SYNTH_FORCE: '1' }));
    expectSkipped(synth());
  });

  test('a node_modules file a Lambda bundle read is an input: its stamp changed makes the synth run for real', async () => {
    await recorded();
    const record = JSON.parse(readFileSync(recordFile(), 'utf8')) as { inputs: Record<string, unknown> };
    const sdkFile = Object.keys(record.inputs).find((p) => p.includes(`node_modules/@aws-sdk/client-cognito-identity-provider/`));
    expect(sdkFile).toBeDefined();
    expect(Object.keys(record.inputs)).toContain(join(dir, 'node_modules', '.package-lock.json'));
    // The shared node_modules cannot be touched: the recorded stamp is made to differ instead.
    record.inputs[sdkFile!] = [1, 1, 1];
    writeFileSync(recordFile(), JSON.stringify(record));
    expectReal(synth());
  });

  test('a damaged record means a real synth, never a crash', async () => {
    await recorded();
    writeFileSync(recordFile(), '{"format":1,');
    expectReal(synth());
    await recorded();
    writeFileSync(recordFile(), JSON.stringify({ ...JSON.parse(readFileSync(recordFile(), 'utf8')), outputs: 7 }));
    expectReal(synth());
  });

  test('an input changed just before the synth leaves no record: the next synth runs for real too', async () => {
    await recorded();
    const now = new Date();
    utimesSync(join(dir, 'schema.graphql'), now, now);
    expectReal(synth());
    expect(existsSync(recordFile())).toBe(false);
    expectReal(synth());
  });

  test('a failed synth (a config mistake) leaves no record, and the fixed project synthesizes for real', async () => {
    await recorded();
    withEdited(
      'config/project.ts',
      (text) => {
        expect(text).toContain("read: { groups: ['subscribers', 'editors', 'admins'] }");
        return text.replace("read: { groups: ['subscribers', 'editors', 'admins'] }", "read: { groups: ['subscriber', 'editors', 'admins'] }");
      },
      () => {
        const r = synth();
        expect(r.stderr).toContain('config/project.ts: storage.rules[1].read.groups[0] = "subscriber": expected one of the groups');
        expect(r.status).toBe(1);
        expect(existsSync(recordFile())).toBe(false);
      },
    );
    await settle();
    expectReal(synth());
  });

  test('a preloaded script, or a dist/ module loaded before main.js, means a real synth and no record', async () => {
    await recorded();
    const prelude = join(work, 'prelude.js');
    writeFileSync(prelude, '// does nothing: a preload alone is reason enough\n');
    expectReal(synth({}, ['--require', prelude]));
    expect(existsSync(recordFile())).toBe(false);
    await recorded();
    writeFileSync(prelude, `require(${JSON.stringify(join(dir, 'dist', 'config', 'project.js'))});\n`);
    expectReal(synth({ NODE_OPTIONS: `--require ${prelude}` }));
    expect(existsSync(recordFile())).toBe(false);
  });

  test('`node -e` requiring main.js (a test harness) always synthesizes for real', async () => {
    await recorded();
    const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(join(dir, 'dist', 'main.js'))})`], {
      cwd: dir,
      env: { ...process.env, OFFLINE_PLAN: '1', CDKTF_OUTDIR: out, SYNTH_BUILD_CACHE: join(dir, '.cache', 'build') },
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(r.stderr).not.toMatch(SKIP_LINE);
    expect(existsSync(recordFile())).toBe(false);
  });

  test('a recorded synth removes the records of outdirs that are gone, and keeps those of outdirs that exist', async () => {
    const records = join(dir, '.cache', 'synth');
    const fake = (outdir: string): string => {
      const file = join(records, `${createHash('sha256').update(outdir).digest('hex')}.json`);
      writeFileSync(file, JSON.stringify({ outdir, format: 1 }));
      return file;
    };
    const existing = mkdtempSync(join(work, 'kept-outdir-'));
    const kept = fake(existing);
    const gone = fake(join(work, 'removed-outdir'));
    const shapeless = join(records, `${'0'.repeat(64)}.json`);
    writeFileSync(shapeless, '{"format":1}');
    await settle();
    expectReal(synth({ SYNTH_FORCE: '1' }));
    expect(existsSync(recordFile())).toBe(true);
    expect({ kept: existsSync(kept), gone: existsSync(gone), shapeless: existsSync(shapeless) }).toEqual({ kept: true, gone: false, shapeless: false });
  });

  test('every .gitignore entry is either left out of the inputs or kept as one on purpose', () => {
    // dist/ is what runs; .gen/ (cdktf get's bindings) would be imported sources.
    const keptAsInputs = ['dist'];
    const keptNames = ['.gen'];
    const lines = readFileSync(join(ROOT, '.gitignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    for (const line of lines) {
      const name = line.replace(/\/$/, '').replace(/^\//, '');
      const sample = name.replace(/\*/g, 'x');
      const classified = ROOT_IGNORED.includes(name) || NAME_IGNORED.some((re) => re.test(sample)) || keptAsInputs.includes(name) || keptNames.includes(name);
      expect({ line, classified }).toEqual({ line, classified: true });
    }
    expect(ROOT_IGNORED).not.toContain('dist');
  });
});
