import { refTarget } from '../access/stack-checks';
import { blockList, resourcesOfType, type TerraformBlock, type TerraformJson } from '../access/terraform-json';
import type { ControlId } from '../config/control-ids';

/**
 * The controls `npm run compliance` evaluates, one small function per control, on a stack's
 * synthesized Terraform JSON. Ids and titles are the published ones: AWS Security Hub
 * (Foundational Security Best Practices) where a control exists, with the matching checkov
 * (`CKV_AWS_…`) and cdk-nag AwsSolutions rules in `also`; checkov or cdk-nag ids where Security
 * Hub has none. A check returns undefined when the resource passes, or what is wrong.
 */

export interface Control {
  readonly id: ControlId;
  /** checkov / cdk-nag rules that test the same thing. */
  readonly also: readonly string[];
  readonly title: string;
  /** The Terraform resource type the control evaluates. */
  readonly resourceType: string;
  /** Whether the control applies to this resource (default: every resource of the type). */
  readonly appliesTo?: (resource: TerraformBlock, id: string, json: TerraformJson) => boolean;
  /** undefined: PASS; otherwise why it fails. */
  readonly check: (resource: TerraformBlock, id: string, json: TerraformJson) => string | undefined;
}

const first = (v: unknown): TerraformBlock | undefined => blockList(v)[0];
const show = (v: unknown): string => (v === undefined ? 'unset' : JSON.stringify(v));

/** Resources of `type` whose `bucket` (or another attribute) references `target` (`aws_s3_bucket.<id>`). */
function attached(json: TerraformJson, type: string, target: string, attribute = 'bucket'): TerraformBlock[] {
  return resourcesOfType(json, type)
    .filter(([, r]) => refTarget(r[attribute]) === target)
    .map(([, r]) => r);
}

/** A policy document (JSON string) as its statements, or undefined when it is not JSON. */
function statements(policy: unknown): TerraformBlock[] | undefined {
  if (typeof policy !== 'string') return undefined;
  try {
    return blockList((JSON.parse(policy) as TerraformBlock).Statement);
  } catch {
    return undefined;
  }
}

/** S3 buckets that receive another bucket's server access logs. */
function isAccessLogTarget(id: string, json: TerraformJson): boolean {
  return resourcesOfType(json, 'aws_s3_bucket_logging').some(([, l]) => refTarget(l.target_bucket) === `aws_s3_bucket.${id}`);
}

// ---- Cognito ------------------------------------------------------------------------------

function threatProtectionStandard(pool: TerraformBlock): string | undefined {
  const mode = first(pool.user_pool_add_ons)?.advanced_security_mode;
  return mode === 'ENFORCED' ? undefined : `user_pool_add_ons.advanced_security_mode is ${show(mode)}, expected "ENFORCED" (needs user_pool_tier "PLUS")`;
}

function threatProtectionCustom(pool: TerraformBlock): string | undefined {
  const mode = first(first(pool.user_pool_add_ons)?.advanced_security_additional_flows)?.custom_auth_mode;
  return mode === 'ENFORCED' ? undefined : `user_pool_add_ons.advanced_security_additional_flows.custom_auth_mode is ${show(mode)}, expected "ENFORCED"`;
}

function plusPlan(pool: TerraformBlock): string | undefined {
  return pool.user_pool_tier === 'PLUS' ? undefined : `user_pool_tier is ${show(pool.user_pool_tier)}, expected "PLUS"`;
}

/** Security Hub's default parameters for Cognito.3 (cdk-nag COG1 asks for less). */
function strongPasswordPolicy(pool: TerraformBlock): string | undefined {
  const p = first(pool.password_policy) ?? {};
  const weak: string[] = [];
  if (typeof p.minimum_length !== 'number' || p.minimum_length < 8) weak.push(`minimum_length ${show(p.minimum_length)} < 8`);
  for (const k of ['require_lowercase', 'require_uppercase', 'require_numbers', 'require_symbols']) if (p[k] !== true) weak.push(`${k} is ${show(p[k])}`);
  const days = p.temporary_password_validity_days;
  if (typeof days !== 'number' || days > 7) weak.push(`temporary_password_validity_days ${show(days)} > 7`);
  return weak.length ? `password_policy: ${weak.join(', ')}` : undefined;
}

function mfaRequired(pool: TerraformBlock): string | undefined {
  return pool.mfa_configuration === 'ON' ? undefined : `mfa_configuration is ${show(pool.mfa_configuration)}, expected "ON"`;
}

function poolDeletionProtection(pool: TerraformBlock): string | undefined {
  return pool.deletion_protection === 'ACTIVE' ? undefined : `deletion_protection is ${show(pool.deletion_protection)}, expected "ACTIVE"`;
}

function noGuestIdentities(pool: TerraformBlock): string | undefined {
  return pool.allow_unauthenticated_identities === false
    ? undefined
    : `allow_unauthenticated_identities is ${show(pool.allow_unauthenticated_identities)}, expected false`;
}

// ---- AppSync ------------------------------------------------------------------------------

const FIELD_LOG_LEVELS = ['ERROR', 'INFO', 'DEBUG', 'ALL'];

function fieldLevelLogging(api: TerraformBlock): string | undefined {
  const log = first(api.log_config);
  if (!log) return 'no log_config';
  if (!log.cloudwatch_logs_role_arn) return 'log_config has no cloudwatch_logs_role_arn';
  return FIELD_LOG_LEVELS.includes(String(log.field_log_level)) ? undefined : `log_config.field_log_level is ${show(log.field_log_level)}, expected one of ${FIELD_LOG_LEVELS.join(', ')}`;
}

function noApiKeys(api: TerraformBlock): string | undefined {
  const modes = [api.authentication_type, ...blockList(api.additional_authentication_provider).map((p) => p.authentication_type)];
  return modes.includes('API_KEY') ? 'an authentication mode is API_KEY' : undefined;
}

function cacheEncryptedInTransit(cache: TerraformBlock): string | undefined {
  return cache.transit_encryption_enabled === true ? undefined : `transit_encryption_enabled is ${show(cache.transit_encryption_enabled)}, expected true`;
}

function apiBehindWaf(_api: TerraformBlock, id: string, json: TerraformJson): string | undefined {
  const associated = resourcesOfType(json, 'aws_wafv2_web_acl_association').some(([, a]) => refTarget(a.resource_arn) === `aws_appsync_graphql_api.${id}`);
  return associated ? undefined : 'no aws_wafv2_web_acl_association names this API';
}

// ---- S3 -----------------------------------------------------------------------------------

function bucketPublicAccessBlocked(_b: TerraformBlock, id: string, json: TerraformJson): string | undefined {
  const flags = ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'];
  const blocks = attached(json, 'aws_s3_bucket_public_access_block', `aws_s3_bucket.${id}`);
  if (!blocks.length) return 'no aws_s3_bucket_public_access_block';
  const off = flags.filter((f) => !blocks.some((b) => b[f] === true));
  return off.length ? `public access block does not set ${off.join(', ')}` : undefined;
}

function bucketTlsOnly(_b: TerraformBlock, id: string, json: TerraformJson): string | undefined {
  const denies = attached(json, 'aws_s3_bucket_policy', `aws_s3_bucket.${id}`)
    .flatMap((p) => statements(p.policy) ?? [])
    .some((s) => s.Effect === 'Deny' && String((s.Condition as Record<string, TerraformBlock> | undefined)?.Bool?.['aws:SecureTransport']) === 'false');
  return denies ? undefined : 'no bucket policy statement denies requests with aws:SecureTransport false';
}

function bucketAccessLogging(_b: TerraformBlock, id: string, json: TerraformJson): string | undefined {
  return attached(json, 'aws_s3_bucket_logging', `aws_s3_bucket.${id}`).some((l) => l.target_bucket) ? undefined : 'no aws_s3_bucket_logging';
}

function bucketLifecycle(_b: TerraformBlock, id: string, json: TerraformJson): string | undefined {
  const rules = attached(json, 'aws_s3_bucket_lifecycle_configuration', `aws_s3_bucket.${id}`).flatMap((c) => blockList(c.rule));
  return rules.some((r) => r.status === 'Enabled') ? undefined : 'no enabled lifecycle rule';
}

function bucketVersioning(_b: TerraformBlock, id: string, json: TerraformJson): string | undefined {
  const on = attached(json, 'aws_s3_bucket_versioning', `aws_s3_bucket.${id}`).some((v) => first(v.versioning_configuration)?.status === 'Enabled');
  return on ? undefined : 'versioning is not Enabled';
}

function defaultAlgorithms(id: string, json: TerraformJson): string[] {
  return attached(json, 'aws_s3_bucket_server_side_encryption_configuration', `aws_s3_bucket.${id}`)
    .flatMap((c) => blockList(c.rule))
    .map((r) => String(first(r.apply_server_side_encryption_by_default)?.sse_algorithm));
}

function bucketKmsEncryption(_b: TerraformBlock, id: string, json: TerraformJson): string | undefined {
  const algorithms = defaultAlgorithms(id, json);
  return algorithms.some((a) => a === 'aws:kms' || a === 'aws:kms:dsse') ? undefined : `default encryption is ${algorithms.join(', ') || 'not configured'}, expected aws:kms`;
}

function bucketDefaultEncryption(_b: TerraformBlock, id: string, json: TerraformJson): string | undefined {
  return defaultAlgorithms(id, json).length ? undefined : 'no aws_s3_bucket_server_side_encryption_configuration';
}

// ---- DynamoDB -----------------------------------------------------------------------------

function tablePitr(table: TerraformBlock): string | undefined {
  return first(table.point_in_time_recovery)?.enabled === true ? undefined : 'point_in_time_recovery is not enabled';
}

function tableDeletionProtection(table: TerraformBlock): string | undefined {
  return table.deletion_protection_enabled === true ? undefined : `deletion_protection_enabled is ${show(table.deletion_protection_enabled)}`;
}

// ---- Lambda -------------------------------------------------------------------------------

/** Node.js runtimes AWS Lambda supports (not deprecated) as of this provider version. */
const SUPPORTED_RUNTIMES = ['nodejs20.x', 'nodejs22.x'];

function permissionNotPublic(permission: TerraformBlock): string | undefined {
  if (permission.principal === '*') return 'principal is "*"';
  if (String(permission.principal).endsWith('.amazonaws.com') && !permission.source_arn) return `service principal ${String(permission.principal)} without source_arn: any resource of that service could invoke`;
  return undefined;
}

function supportedRuntime(fn: TerraformBlock): string | undefined {
  return SUPPORTED_RUNTIMES.includes(String(fn.runtime)) ? undefined : `runtime ${show(fn.runtime)} is not one of ${SUPPORTED_RUNTIMES.join(', ')}`;
}

function activeTracing(fn: TerraformBlock): string | undefined {
  const mode = first(fn.tracing_config)?.mode;
  return mode === 'Active' ? undefined : `tracing_config.mode is ${show(mode)}, expected "Active"`;
}

// ---- CloudWatch Logs and KMS --------------------------------------------------------------

/** Security Hub CloudWatch.16's default minimum, and checkov CKV_AWS_338's year. */
const MIN_RETENTION_DAYS = 365;

function logRetention(group: TerraformBlock): string | undefined {
  const days = group.retention_in_days;
  return typeof days === 'number' && days >= MIN_RETENTION_DAYS ? undefined : `retention_in_days is ${show(days)}, expected at least ${MIN_RETENTION_DAYS}`;
}

function logGroupKms(group: TerraformBlock): string | undefined {
  return group.kms_key_id ? undefined : 'no kms_key_id';
}

function keyRotation(key: TerraformBlock): string | undefined {
  return key.enable_key_rotation === true ? undefined : `enable_key_rotation is ${show(key.enable_key_rotation)}`;
}

// ---- IAM ----------------------------------------------------------------------------------

/** Actions for which AWS defines no resource type: `*` is the only resource they accept. */
const UNRESTRICTABLE_ACTIONS = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'];

function allowStatements(policy: TerraformBlock): TerraformBlock[] | string {
  const found = statements(policy.policy);
  return found === undefined ? 'policy is not a JSON document the check can read' : found.filter((s) => s.Effect === 'Allow');
}

function noWildcardActions(policy: TerraformBlock): string | undefined {
  const allows = allowStatements(policy);
  if (typeof allows === 'string') return allows;
  const wild = allows.flatMap((s) => blockList<string>(s.Action)).filter((a) => a === '*' || /^[a-z0-9-]+:\*$/.test(a));
  return wild.length ? `allows ${wild.join(', ')}` : undefined;
}

function noStarResource(policy: TerraformBlock): string | undefined {
  const allows = allowStatements(policy);
  if (typeof allows === 'string') return allows;
  const bad = allows
    .filter((s) => blockList<string>(s.Resource).includes('*'))
    .flatMap((s) => blockList<string>(s.Action))
    .filter((a) => !UNRESTRICTABLE_ACTIONS.includes(a));
  return bad.length ? `allows ${bad.join(', ')} on "*"` : undefined;
}

// ---- the catalog --------------------------------------------------------------------------

const notLogTarget = (_r: TerraformBlock, id: string, json: TerraformJson) => !isAccessLogTarget(id, json);

export const CONTROLS: readonly Control[] = [
  { id: 'Cognito.1', also: ['AwsSolutions-COG3'], title: 'Cognito user pools should have threat protection activated with full function enforcement mode for standard authentication', resourceType: 'aws_cognito_user_pool', check: threatProtectionStandard },
  { id: 'Cognito.2', also: ['AwsSolutions-COG7'], title: 'Cognito identity pools should not allow unauthenticated identities', resourceType: 'aws_cognito_identity_pool', check: noGuestIdentities },
  { id: 'Cognito.3', also: ['AwsSolutions-COG1'], title: 'Password policies for Cognito user pools should have strong configurations', resourceType: 'aws_cognito_user_pool', check: strongPasswordPolicy },
  { id: 'Cognito.4', also: [], title: 'Cognito user pools should have threat protection activated with full function enforcement mode for custom authentication', resourceType: 'aws_cognito_user_pool', check: threatProtectionCustom },
  { id: 'Cognito.5', also: ['AwsSolutions-COG2'], title: 'MFA should be enabled for Cognito user pools', resourceType: 'aws_cognito_user_pool', check: mfaRequired },
  { id: 'Cognito.6', also: [], title: 'Cognito user pools should have deletion protection enabled', resourceType: 'aws_cognito_user_pool', check: poolDeletionProtection },
  { id: 'AwsSolutions-COG8', also: [], title: 'Cognito user pools are plus tier (cdk-nag CognitoUserPoolPlusTier)', resourceType: 'aws_cognito_user_pool', check: plusPlan },
  { id: 'AppSync.2', also: ['CKV_AWS_193', 'CKV_AWS_194', 'AwsSolutions-ASC3'], title: 'AWS AppSync should have field-level logging enabled', resourceType: 'aws_appsync_graphql_api', check: fieldLevelLogging },
  { id: 'AppSync.5', also: [], title: 'AWS AppSync GraphQL APIs should not be authenticated with API keys', resourceType: 'aws_appsync_graphql_api', check: noApiKeys },
  { id: 'AppSync.6', also: [], title: 'AWS AppSync API caches should be encrypted in transit', resourceType: 'aws_appsync_api_cache', check: cacheEncryptedInTransit },
  { id: 'CKV2_AWS_33', also: [], title: 'Ensure AppSync is protected by WAF', resourceType: 'aws_appsync_graphql_api', check: apiBehindWaf },
  { id: 'S3.5', also: ['AwsSolutions-S10'], title: 'S3 general purpose buckets should require requests to use SSL', resourceType: 'aws_s3_bucket', check: bucketTlsOnly },
  { id: 'S3.8', also: ['CKV2_AWS_6', 'AwsSolutions-S2'], title: 'S3 general purpose buckets should block public access', resourceType: 'aws_s3_bucket', check: bucketPublicAccessBlocked },
  // A log bucket logging its own access would log its log writes; AWS advises against it.
  { id: 'S3.9', also: ['CKV_AWS_18', 'AwsSolutions-S1'], title: 'S3 general purpose buckets should have server access logging enabled', resourceType: 'aws_s3_bucket', appliesTo: notLogTarget, check: bucketAccessLogging },
  { id: 'S3.13', also: [], title: 'S3 general purpose buckets should have Lifecycle configurations', resourceType: 'aws_s3_bucket', check: bucketLifecycle },
  { id: 'S3.14', also: ['CKV_AWS_21'], title: 'S3 general purpose buckets should have versioning enabled', resourceType: 'aws_s3_bucket', check: bucketVersioning },
  // S3 cannot deliver server access logs to an SSE-KMS bucket: log buckets use SSE-S3.
  { id: 'S3.17', also: ['CKV_AWS_145'], title: 'S3 general purpose buckets should be encrypted at rest with AWS KMS keys', resourceType: 'aws_s3_bucket', appliesTo: notLogTarget, check: bucketKmsEncryption },
  { id: 'AwsSolutions-S3', also: [], title: 'The S3 bucket has default encryption enabled', resourceType: 'aws_s3_bucket', check: bucketDefaultEncryption },
  { id: 'DynamoDB.2', also: ['CKV_AWS_28', 'AwsSolutions-DDB3'], title: 'DynamoDB tables should have point-in-time recovery enabled', resourceType: 'aws_dynamodb_table', check: tablePitr },
  { id: 'DynamoDB.6', also: [], title: 'DynamoDB tables should have deletion protection enabled', resourceType: 'aws_dynamodb_table', check: tableDeletionProtection },
  { id: 'Lambda.1', also: [], title: 'Lambda function policies should prohibit public access', resourceType: 'aws_lambda_permission', check: permissionNotPublic },
  { id: 'Lambda.2', also: ['AwsSolutions-L1'], title: 'Lambda functions should use supported runtimes', resourceType: 'aws_lambda_function', check: supportedRuntime },
  { id: 'Lambda.7', also: ['CKV_AWS_50'], title: 'Lambda functions should have AWS X-Ray active tracing enabled', resourceType: 'aws_lambda_function', check: activeTracing },
  { id: 'CloudWatch.16', also: ['CKV_AWS_338'], title: 'CloudWatch log groups should be retained for a specified time period (at least 365 days)', resourceType: 'aws_cloudwatch_log_group', check: logRetention },
  { id: 'CKV_AWS_158', also: [], title: 'Ensure that CloudWatch Log Group is encrypted by KMS', resourceType: 'aws_cloudwatch_log_group', check: logGroupKms },
  { id: 'KMS.4', also: ['CKV_AWS_7', 'AwsSolutions-KMS5'], title: 'AWS KMS key rotation should be enabled', resourceType: 'aws_kms_key', check: keyRotation },
  { id: 'IAM.21', also: ['AwsSolutions-IAM5'], title: 'IAM customer managed policies that you create should not allow wildcard actions for services', resourceType: 'aws_iam_role_policy', check: noWildcardActions },
  { id: 'CKV_AWS_355', also: [], title: 'Ensure no IAM policies documents allow "*" as a statement\'s resource for restrictable actions', resourceType: 'aws_iam_role_policy', check: noStarResource },
];
