import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { unzipSync } from 'fflate';
import { repoRoot } from '../config/paths';
import { deterministicZip } from '../constructs/code-asset';
import { terraformRequirementFindings } from '../constructs/terraform-requirements';
import { bundleLambda } from '../lambdas/bundle';
import { BUILT_MAIN } from './helpers/app';

/**
 * Synth gives the same bytes wherever and whenever it runs (so `terraform plan` shows no diff
 * after a fresh clone or a cleaned temp folder), and starts no process of its own: the Lambda
 * zip is built in-process, and the Terraform version requirement is `required_version` rather
 * than a `terraform version` call.
 */

/** Preloaded into the app: records every child_process call of its main thread. */
const RECORD_SPAWNS = join(repoRoot(), 'scripts/bench/record-spawns.js');

function filesUnder(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

describe('synth output', () => {
  const work = mkdtempSync(join(tmpdir(), 'synth-determinism-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /**
   * Synthesizes into its own out dir with its own temp (staging) dir and time zone. Both synths
   * share one empty build cache: the first bundles and zips afresh, the second reads them back,
   * so equal stacks also mean that cached build products are byte-identical to fresh ones.
   */
  function synth(name: string, tz: string) {
    const dir = join(work, name);
    mkdirSync(join(dir, 'tmp'), { recursive: true });
    const run = spawnSync(process.execPath, ['--require', RECORD_SPAWNS, BUILT_MAIN], {
      cwd: repoRoot(),
      env: {
        ...process.env,
        OFFLINE_PLAN: '1',
        CDKTF_OUTDIR: join(dir, 'out'),
        TMPDIR: join(dir, 'tmp'),
        TZ: tz,
        SPAWN_LOG: join(dir, 'spawns.json'),
        SYNTH_BUILD_CACHE: join(work, 'build-cache'),
      },
      encoding: 'utf8',
    });
    if (run.status !== 0) throw new Error(`dist/main.js failed (${run.status}): ${run.stderr}`);
    return { stacks: filesUnder(join(dir, 'out', 'stacks')), spawns: JSON.parse(readFileSync(join(dir, 'spawns.json'), 'utf8')) as string[] };
  }

  let first: ReturnType<typeof synth>;
  let second: ReturnType<typeof synth>;
  /** Every file of the build cache with its modification time: what a synth added or rewrote shows. */
  const cacheStamps = () =>
    (readdirSync(join(work, 'build-cache'), { recursive: true }) as string[])
      .map((f) => join(work, 'build-cache', f))
      .filter((f) => statSync(f).isFile())
      .map((f) => `${f} ${statSync(f).mtimeMs}`)
      .sort();
  let cachedAfterFirst: string[];
  let stampsAfterFirst: string[];
  let stampsAfterSecond: string[];
  beforeAll(() => {
    first = synth('a', 'UTC');
    cachedAfterFirst = readdirSync(join(work, 'build-cache')).sort();
    stampsAfterFirst = cacheStamps();
    second = synth('b', 'Pacific/Auckland');
    stampsAfterSecond = cacheStamps();
  });

  test('two synths in different folders, temp dirs and time zones give byte-identical stacks and assets', () => {
    expect([...first.stacks.keys()].sort()).toEqual([...second.stacks.keys()].sort());
    expect([...first.stacks.keys()].filter((p) => p.endsWith('cdk.tf.json')).sort()).toEqual(['dev/cdk.tf.json', 'prod/cdk.tf.json']);
    expect([...first.stacks.keys()].some((p) => p.endsWith('archive.zip'))).toBe(true);
    for (const [path, bytes] of first.stacks) expect({ path, same: bytes.equals(second.stacks.get(path)!) }).toEqual({ path, same: true });
  });

  test('the first synth filled the build cache the second one read (bundles and zips)', () => {
    // `.last-prune`: when the cache was last pruned of entries unused for 14 days (constructs/build-cache.ts).
    expect(cachedAfterFirst).toEqual(['.last-prune', 'esbuild', 'zip']);
    expect(stampsAfterFirst.length).toBeGreaterThan(0);
    // The second synth built nothing: it added no entry and rewrote none.
    expect(stampsAfterSecond).toEqual(stampsAfterFirst);
  });

  test('the main thread spawns no process (esbuild runs its service from its worker thread)', () => {
    expect(first.spawns).toEqual([]);
  });

  test('every stack requires a Terraform version instead of cdktf running `terraform version`', () => {
    for (const env of ['dev', 'prod']) {
      const json = JSON.parse(first.stacks.get(`${env}/cdk.tf.json`)!.toString('utf8'));
      expect(json.terraform.required_version).toMatch(/^>= \d+\.\d+$/);
      expect(terraformRequirementFindings(env, json)).toEqual([]);
    }
  });

  test("each Lambda's archive holds exactly its handler's bundle as index.js, readable by a zip reader", () => {
    const json = JSON.parse(first.stacks.get('dev/cdk.tf.json')!.toString('utf8'));
    const functions = Object.values<{ function_name: string; filename: string }>(json.resource.aws_lambda_function);
    expect(functions.map((f) => f.function_name).sort()).toEqual(['content-dev-pre-sign-up', 'content-dev-pre-token-generation']);
    for (const fn of functions) {
      // `filename` is relative to the stack's folder (`assets/<id>/<hash>/archive.zip`).
      const entries = unzipSync(first.stacks.get(`dev/${fn.filename}`)!);
      expect(Object.keys(entries)).toEqual(['index.js']);
      const lambda = fn.function_name.replace(/^content-dev-/, '');
      expect(Buffer.from(entries['index.js']).toString('utf8')).toBe(bundleLambda(lambda));
    }
  });
});

describe('deterministicZip', () => {
  test('sorts entries and gives the same bytes whatever order the files come in', () => {
    const a = deterministicZip({ 'b.js': 'b', 'a/x.js': 'x', 'a.js': 'a' });
    const b = deterministicZip({ 'a.js': 'a', 'b.js': 'b', 'a/x.js': 'x' });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(Object.keys(unzipSync(a))).toEqual(['a.js', 'a/x.js', 'b.js']);
  });

  test('refuses paths that leave the archive, naming them', () => {
    expect(() => deterministicZip({ '../x.js': 'x' })).toThrow('"../x.js"');
    expect(() => deterministicZip({})).toThrow('no files');
  });
});

describe('terraformRequirementFindings', () => {
  const base = { terraform: { required_version: '>= 1.10' }, provider: { aws: [{}] }, resource: { aws_s3_bucket: {}, terraform_data: {} } };

  test('accepts a stack whose providers are configured and whose version covers its features', () => {
    expect(terraformRequirementFindings('dev', base)).toEqual([]);
  });

  test('names a missing required_version, a version below a used feature, and an unconfigured provider', () => {
    expect(terraformRequirementFindings('dev', { ...base, terraform: {} })[0].location).toBe('stack dev: terraform.required_version');
    const old = terraformRequirementFindings('dev', { ...base, terraform: { required_version: '>= 1.3' } });
    expect(old.map((f) => f.problem)).toEqual([expect.stringContaining('terraform_data resource, which needs Terraform >= 1.4')]);
    const lockfile = terraformRequirementFindings('dev', { ...base, terraform: { required_version: '>= 1.5', backend: { s3: { use_lockfile: true } } } });
    expect(lockfile.map((f) => f.problem)).toEqual([expect.stringContaining('needs Terraform >= 1.10')]);
    const noProvider = terraformRequirementFindings('dev', { ...base, resource: { ...base.resource, random_id: {} } });
    expect(noProvider).toEqual([expect.objectContaining({ location: 'stack dev: resource.random_id' })]);
  });
});
