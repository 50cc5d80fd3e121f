import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runComplianceCli } from '../compliance/cli';
import { CONTROL_IDS } from '../config/control-ids';
import { CONTROLS } from '../compliance/controls';
import { evaluateStack } from '../compliance/evaluate';
import { COMPLIANCE_MD } from '../compliance/report-markdown';
import type { TerraformJson } from '../access/terraform-json';
import { ConfigError, loadConfig, resolveConfig } from '../config';
import { repoRoot } from '../config/paths';
import { runBuiltApp } from './helpers/app';
import { projectCopy, synthStack, type SynthJson } from './helpers/identity-stack';

/**
 * `npm run compliance`: every control on the project's synthesized stacks, each control on a
 * stack broken for it, waivers from the config, and the committed report.
 */

const ROOT = repoRoot();
const config = loadConfig();
let workDir: string;
let dev: SynthJson;
let prod: SynthJson;

beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'compliance-'));
  dev = synthStack({ env: 'dev' });
  prod = synthStack({ env: 'prod' });
});
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const io = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) } };
};

/** Writes stacks as `<dir>/<env>/cdk.tf.json`, as cdktf does. */
function writeStacks(dir: string, stacks: Record<string, unknown>): string {
  for (const [env, json] of Object.entries(stacks)) {
    mkdirSync(join(dir, env), { recursive: true });
    writeFileSync(join(dir, env, 'cdk.tf.json'), JSON.stringify(json));
  }
  return dir;
}

type Res = Record<string, Record<string, any>>;
const all = (json: any, type: string): any[] => Object.values((json.resource[type] ?? {}) as Res);
const one = (json: any, type: string): any => all(json, type)[0];
const bucketByPrefix = (json: any, infix: string): [string, any] => Object.entries(json.resource.aws_s3_bucket as Res).find(([, b]) => String(b.bucket_prefix).includes(infix))!;

/** One way to break each control, applied to a copy of the prod stack. */
const BREAKERS: Record<string, (json: any) => void> = {
  'Cognito.1': (j) => delete one(j, 'aws_cognito_user_pool').user_pool_add_ons,
  'Cognito.2': (j) => (one(j, 'aws_cognito_identity_pool').allow_unauthenticated_identities = true),
  'Cognito.3': (j) => (one(j, 'aws_cognito_user_pool').password_policy.require_symbols = false),
  'Cognito.4': (j) => (one(j, 'aws_cognito_user_pool').user_pool_add_ons = { advanced_security_mode: 'ENFORCED' }),
  'Cognito.5': (j) => (one(j, 'aws_cognito_user_pool').mfa_configuration = 'OPTIONAL'),
  'Cognito.6': (j) => (one(j, 'aws_cognito_user_pool').deletion_protection = 'INACTIVE'),
  'AwsSolutions-COG8': (j) => (one(j, 'aws_cognito_user_pool').user_pool_tier = 'ESSENTIALS'),
  'AppSync.2': (j) => (one(j, 'aws_appsync_graphql_api').log_config.field_log_level = 'NONE'),
  'AppSync.5': (j) => (one(j, 'aws_appsync_graphql_api').additional_authentication_provider = [{ authentication_type: 'API_KEY' }]),
  'AppSync.6': (j) => (j.resource.aws_appsync_api_cache = { cache: { api_id: 'x', type: 'SMALL', ttl: 60, transit_encryption_enabled: false } }),
  CKV2_AWS_33: (j) => delete j.resource.aws_wafv2_web_acl_association,
  'S3.5': (j) => delete j.resource.aws_s3_bucket_policy,
  'S3.8': (j) => all(j, 'aws_s3_bucket_public_access_block').forEach((b) => (b.restrict_public_buckets = false)),
  'S3.9': (j) => delete j.resource.aws_s3_bucket_logging,
  'S3.13': (j) => delete j.resource.aws_s3_bucket_lifecycle_configuration,
  'S3.14': (j) => all(j, 'aws_s3_bucket_versioning').forEach((v) => (v.versioning_configuration.status = 'Suspended')),
  'S3.17': (j) => all(j, 'aws_s3_bucket_server_side_encryption_configuration').forEach((c) => (c.rule[0].apply_server_side_encryption_by_default.sse_algorithm = 'AES256')),
  'AwsSolutions-S3': (j) => delete j.resource.aws_s3_bucket_server_side_encryption_configuration,
  'DynamoDB.2': (j) => (one(j, 'aws_dynamodb_table').point_in_time_recovery.enabled = false),
  'DynamoDB.6': (j) => (one(j, 'aws_dynamodb_table').deletion_protection_enabled = false),
  'Lambda.1': (j) => (one(j, 'aws_lambda_permission').principal = '*'),
  'Lambda.2': (j) => (one(j, 'aws_lambda_function').runtime = 'nodejs16.x'),
  'Lambda.7': (j) => delete one(j, 'aws_lambda_function').tracing_config,
  'CloudWatch.16': (j) => (one(j, 'aws_cloudwatch_log_group').retention_in_days = 30),
  CKV_AWS_158: (j) => delete one(j, 'aws_cloudwatch_log_group').kms_key_id,
  'KMS.4': (j) => (one(j, 'aws_kms_key').enable_key_rotation = false),
  'IAM.21': (j) =>
    (j.resource.aws_iam_role_policy.broken = { role: 'x', policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Action: ['s3:*'], Resource: ['arn:aws:s3:::b/*'] }] }) }),
  CKV_AWS_355: (j) =>
    (j.resource.aws_iam_role_policy.broken = { role: 'x', policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: '*' }] }) }),
};

describe('the project stacks', () => {
  it('docs/compliance.md is what the synthesized stacks give, and no control fails (run `npm run compliance`)', () => {
    const outdir = join(workDir, 'cdktf.out');
    const synth = runBuiltApp(outdir);
    if (synth.status !== 0) throw new Error(`synth failed (exit ${synth.status}):\n${synth.stderr}`);
    const r = io();
    const code = runComplianceCli(['--check'], { root: ROOT, stacksDir: join(outdir, 'stacks'), ...r.io });
    expect(r.err).toEqual([]);
    expect(code).toBe(0);
  });

  it('prod passes every control that applies; dev fails only what its relaxations name, shown WAIVED with the reason', () => {
    const prodReport = evaluateStack('prod', prod as TerraformJson, config.environments.prod.relaxations);
    expect(prodReport.rows.filter((r) => r.outcome !== 'PASS').map((r) => `${r.control.id} ${r.resource}: ${r.problem}`)).toEqual([]);
    const devReport = evaluateStack('dev', dev as TerraformJson, config.environments.dev.relaxations);
    expect(devReport.rows.filter((r) => r.outcome === 'FAIL')).toEqual([]);
    const waived = devReport.rows.filter((r) => r.outcome === 'WAIVED');
    expect(waived.map((r) => r.control.id).sort()).toEqual(config.environments.dev.relaxations.map((r) => r.control).sort());
    for (const row of waived) expect(row.reason).toBe(config.environments.dev.relaxations.find((r) => r.control === row.control.id)!.reason);
  });

  it('every catalogued control is one the config may name, and each evaluates some resource of the prod stack or a broken one', () => {
    expect(CONTROLS.map((c) => c.id).sort()).toEqual([...CONTROL_IDS].sort());
    expect(Object.keys(BREAKERS).sort()).toEqual([...CONTROL_IDS].sort());
  });
});

describe('each control', () => {
  it.each(CONTROLS.map((c) => [c.id]))('%s fails on a stack broken for it and passes on the clean prod stack', (id) => {
    const clean = evaluateStack('prod', prod as TerraformJson, []).rows.filter((r) => r.control.id === id);
    expect(clean.filter((r) => r.outcome !== 'PASS')).toEqual([]);
    const broken = structuredClone(prod);
    BREAKERS[id](broken);
    const rows = evaluateStack('prod', broken as TerraformJson, []).rows.filter((r) => r.control.id === id);
    expect(rows.filter((r) => r.outcome === 'FAIL').length).toBeGreaterThan(0);
  });

  it('X-Ray write actions may name "*" (they take no resource), other actions may not', () => {
    const rows = evaluateStack('prod', prod as TerraformJson, []).rows.filter((r) => r.control.id === 'CKV_AWS_355');
    expect(rows.some((r) => /tracing-policy/.test(r.resource))).toBe(true);
    expect(rows.every((r) => r.outcome === 'PASS')).toBe(true);
  });

  it('the log bucket is exempt from access logging and SSE-KMS (S3 cannot deliver logs there), not from the rest', () => {
    const [logId] = bucketByPrefix(prod, '-access-logs-');
    const rows = evaluateStack('prod', prod as TerraformJson, []).rows.filter((r) => r.resource === `aws_s3_bucket.${logId}`);
    expect(rows.map((r) => r.control.id).sort()).toEqual(['AwsSolutions-S3', 'S3.13', 'S3.14', 'S3.5', 'S3.8']);
  });
});

describe('the run', () => {
  it('weakening prod MFA to OPTIONAL makes it fail, naming Cognito.5', () => {
    const raw = projectCopy();
    (raw.environments.prod as any).mfa = 'OPTIONAL';
    const weak = synthStack({ env: 'prod', edit: (r) => ((r.environments.prod as any).mfa = 'OPTIONAL') });
    const dir = writeStacks(join(workDir, 'mfa'), { dev, prod: weak });
    const root = mkdtempSync(join(workDir, 'root-'));
    mkdirSync(join(root, 'docs'));
    const r = io();
    expect(runComplianceCli([], { root, stacksDir: dir, config: resolveConfig(raw, 'test'), ...r.io })).toBe(1);
    expect(r.err.join('\n')).toMatch(/FAIL prod: Cognito\.5 \(MFA should be enabled for Cognito user pools\) on \S*user-pool\S*: mfa_configuration is "OPTIONAL"/);
  });

  it('a relaxation in the config turns that failure into WAIVED with its reason, and the run passes', () => {
    const raw = projectCopy();
    const env = raw.environments.prod as any;
    env.mfa = 'OPTIONAL';
    env.relaxations = [{ control: 'Cognito.5', reason: 'pilot users enrol later' }];
    const weak = synthStack({ env: 'prod', edit: (r) => ((r.environments.prod as any).mfa = 'OPTIONAL') });
    const root = mkdtempSync(join(workDir, 'root-'));
    mkdirSync(join(root, 'docs'));
    const r = io();
    const code = runComplianceCli([], { root, stacksDir: writeStacks(join(workDir, 'waived'), { dev, prod: weak }), config: resolveConfig(raw, 'test'), ...r.io });
    expect(r.err).toEqual([]);
    expect(code).toBe(0);
    expect(r.out.join('\n')).toMatch(/^prod: \d+ PASS, 1 WAIVED, 0 FAIL$/m);
  });

  it('a relaxation must name a control of the report and give a reason', () => {
    const raw = projectCopy();
    (raw.environments.prod as any).relaxations = [{ control: 'Cognito.55', reason: 'x' }];
    expect(() => resolveConfig(raw, 'config/project.ts')).toThrow(ConfigError);
    expect(() => resolveConfig(raw, 'config/project.ts')).toThrow(/environments\.prod\.relaxations\[0\]\.control = "Cognito\.55": expected a control id of the compliance report/);
    (raw.environments.prod as any).relaxations = [{ control: 'Cognito.5', reason: ' ' }];
    expect(() => resolveConfig(raw, 'config/project.ts')).toThrow(/environments\.prod\.relaxations\[0\]\.reason = " ": expected a non-empty string/);
  });

  it('--check fails on a stale report and passes once written', () => {
    const dir = writeStacks(join(workDir, 'check'), { dev, prod });
    const root = mkdtempSync(join(workDir, 'root-'));
    mkdirSync(join(root, 'docs'));
    writeFileSync(join(root, COMPLIANCE_MD), '# old\n');
    const stale = io();
    expect(runComplianceCli(['--check'], { root, stacksDir: dir, ...stale.io })).toBe(1);
    expect(stale.err.join()).toContain(`${COMPLIANCE_MD}: stale`);
    expect(runComplianceCli([], { root, stacksDir: dir, ...io().io })).toBe(0);
    expect(runComplianceCli(['--check'], { root, stacksDir: dir, ...io().io })).toBe(0);
  });
});
