import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath } from '../config/paths';
import { cliConfigDir, findProviderMirror, terraformCliConfigText } from '../scripts/terraform-cli-config';
import { runBuiltApp } from './helpers/app';
import { countResources, offlineTerraformEnv, planSummary, requireTerraform, terraform } from './helpers/terraform';

/**
 * The real app (dist/main.js, built by `npm test` before jest) synthesized with
 * OFFLINE_PLAN=1, then terraform init (from the provider mirror), validate and plan for
 * each environment, with no AWS account.
 */

const ENVIRONMENTS = ['dev', 'prod'];
let workDir: string;
let outdir: string;
let env: NodeJS.ProcessEnv;

beforeAll(() => {
  requireTerraform();
  workDir = mkdtempSync(join(tmpdir(), 'terraform-plan-'));
  env = offlineTerraformEnv(workDir);
  outdir = join(workDir, 'cdktf.out');
  const synth = runBuiltApp(outdir);
  if (synth.status !== 0) throw new Error(`synth failed (exit ${synth.status}):\n${synth.stderr}`);
});

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

test.each(ENVIRONMENTS)('%s: terraform init, validate and plan succeed offline and add every synthesized resource', (name) => {
  const stackDir = join(outdir, 'stacks', name);
  const stack = JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8'));
  const expected = countResources(stack);
  expect(expected).toBeGreaterThan(0);

  // Terraform's working data stays in the temp dir, not in the stack folder or the repo.
  const dataDir = join(workDir, 'tf-data', name);
  mkdirSync(dataDir, { recursive: true });
  const stackEnv = { ...env, TF_DATA_DIR: dataDir };
  terraform(['init', '-input=false'], stackDir, stackEnv);
  expect(terraform(['validate'], stackDir, stackEnv).stdout).toContain('Success! The configuration is valid.');

  const planFile = join(workDir, `${name}.tfplan`);
  const plan = terraform(['plan', '-input=false', '-lock=false', `-out=${planFile}`], stackDir, stackEnv);
  expect(planSummary(plan.stdout)).toEqual({ add: expected, change: 0, destroy: 0 });

  // The saved plan agrees: one create per resource instance.
  const shown = JSON.parse(terraform(['show', '-json', planFile], stackDir, stackEnv).stdout);
  const creates = shown.resource_changes.filter((c: any) => c.mode === 'managed' && c.change.actions.includes('create'));
  expect(creates).toHaveLength(expected);
});

/** What `existing` adds to dev in the adoption test: a pool and identity pool by id, matching immutable settings. */
const ADOPTION_PRELUDE = `require(${JSON.stringify(repoPath('dist/config/project.js'))}).project.environments.dev.existing = {
  userPoolId: 'eu-west-1_AbC123xyz',
  identityPoolId: 'eu-west-1:0f2d6a3e-1b2c-4d5e-8f90-123456789abc',
  immutable: { poolName: 'content-dev-users', usernameAttributes: ['email'], caseSensitive: false },
};`;

test('a stack that adopts an existing pool validates offline; its plan needs AWS (the import reads the pool), so offline it stops there', () => {
  const out = join(workDir, 'adoption.out');
  const synth = runBuiltApp(out, ADOPTION_PRELUDE);
  if (synth.status !== 0) throw new Error(`synth failed (exit ${synth.status}):\n${synth.stderr}`);
  const stackDir = join(out, 'stacks', 'dev');
  const stack = JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8'));
  expect(stack.import.map((i: { id: string }) => i.id)).toContain('eu-west-1_AbC123xyz');

  const stackEnv = { ...env, TF_DATA_DIR: join(workDir, 'tf-data', 'adoption') };
  terraform(['init', '-input=false'], stackDir, stackEnv);
  expect(terraform(['validate'], stackDir, stackEnv).stdout).toContain('Success! The configuration is valid.');
  // Terraform imports by reading the remote object: with dummy credentials (and no network
  // here) the provider's DescribeUserPool fails, which is as far as an offline plan can get.
  const plan = spawnSync('terraform', ['plan', '-input=false', '-lock=false', '-no-color'], { cwd: stackDir, env: stackEnv, encoding: 'utf8' });
  expect(plan.status).not.toBe(0);
  expect(plan.stderr).toContain('reading Cognito User Pool (eu-west-1_AbC123xyz)');
});

test('a stack with direct (federated-only) identity-pool IdPs plans offline: IAM OIDC provider, login providers, their role mapping', () => {
  const out = join(workDir, 'direct.out');
  const prelude = `require(${JSON.stringify(repoPath('dist/config/project.js'))}).project.identityPool = { directFederation: [
    { idp: 'PartnerOIDC', rules: { claim: 'groups', matchType: 'Contains', groupMapping: { 'partner-writers': 'editors' } } },
    { idp: 'Google', unmatched: 'AuthenticatedRole' },
  ] };`;
  const synth = runBuiltApp(out, prelude);
  if (synth.status !== 0) throw new Error(`synth failed (exit ${synth.status}):\n${synth.stderr}`);
  const stackDir = join(out, 'stacks', 'dev');
  const stack = JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8'));
  expect(Object.keys(stack.resource.aws_iam_openid_connect_provider)).toHaveLength(1);
  const stackEnv = { ...env, TF_DATA_DIR: join(workDir, 'tf-data', 'direct') };
  terraform(['init', '-input=false'], stackDir, stackEnv);
  const plan = terraform(['plan', '-input=false', '-lock=false'], stackDir, stackEnv);
  expect(planSummary(plan.stdout)).toEqual({ add: countResources(stack), change: 0, destroy: 0 });
  expect(plan.stdout).toMatch(/supported_login_providers\s+=\s+\{\s+\+ "accounts\.google\.com" = "123456789012-example\.apps\.googleusercontent\.com"/);
});

describe('terraform CLI config', () => {
  test('uses the filesystem mirror for hashicorp/aws when one exists, and never phones home', () => {
    const mirror = findProviderMirror();
    expect(mirror).toBeDefined();
    const text = terraformCliConfigText(mirror);
    expect(text).toContain('disable_checkpoint = true');
    expect(text).toContain(`path    = "${mirror}"`);
    expect(text).toMatch(/direct \{\s+exclude = \["registry.terraform.io\/hashicorp\/aws"\]/);
  });

  test('falls back to the public registry when no mirror exists', () => {
    expect(findProviderMirror({}, [join(tmpdir(), 'no-such-mirror')])).toBeUndefined();
    expect(terraformCliConfigText(undefined)).toBe('disable_checkpoint = true\n');
  });

  test('npm run tf:config writes under the repository (git-ignored .tmp/) unless --dir or TERRAFORM_CLI_CONFIG_DIR says where', () => {
    expect(cliConfigDir([], {})).toBe(repoPath('.tmp/terraform'));
    expect(cliConfigDir(['--dir', 'tf'], {}, '/repo')).toBe('/repo/tf');
    expect(cliConfigDir([], { TERRAFORM_CLI_CONFIG_DIR: '/opt/rc' })).toBe('/opt/rc');
    expect(cliConfigDir(['--dir', '/a'], { TERRAFORM_CLI_CONFIG_DIR: '/opt/rc' })).toBe('/a');
    expect(() => cliConfigDir(['--out', 'x'], {})).toThrow('--out x: unknown arguments; usage: npm run tf:config [-- --dir <folder>]');
  });

  test('TF_PROVIDER_MIRROR must hold the provider', () => {
    expect(() => findProviderMirror({ TF_PROVIDER_MIRROR: tmpdir() })).toThrow('does not contain registry.terraform.io/hashicorp/aws/5.100.0');
  });
});
