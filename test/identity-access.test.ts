import { loadConfig } from '../config';
import { onlyResource, refTo, resolveRef, resourcesOf, resourceWhere, synthDevAndVariant, type SynthJson } from './helpers/identity-stack';

/**
 * The identity pool and its roles, the content assets bucket with per-role S3 grants, and the
 * stack outputs, read from the synthesized Terraform JSON.
 */

const config = loadConfig();
const groupNames = config.groups.map((g) => g.name);
const TAG = '$${aws:PrincipalTag/owner}';

let dev: SynthJson;
/** Token role mapping with Deny, and an extra storage rule only admins may read. */
let variant: SynthJson;

synthDevAndVariant(
  (raw) => {
    (raw as any).identityPool = { roleMapping: 'token', ambiguousRoleResolution: 'Deny' };
    (raw.storage.rules as any[]).push({ prefix: 'archive/', read: { groups: ['admins'] } });
  },
  (d, v) => ([dev, variant] = [d, v]),
);

const userPool = (json: SynthJson) => onlyResource(json, 'aws_cognito_user_pool');
const poolEndpoint = (json: SynthJson) => refTo(json, 'aws_cognito_user_pool', userPool(json), 'endpoint');
const webClientId = (json: SynthJson) =>
  refTo(json, 'aws_cognito_user_pool_client', resourceWhere(json, 'aws_cognito_user_pool_client', 'name', `${config.name}-dev-web`), 'id');
const identityPoolId = (json: SynthJson) => refTo(json, 'aws_cognito_identity_pool', onlyResource(json, 'aws_cognito_identity_pool'), 'id');
const roleNamed = (json: SynthJson, suffix: string) => resourceWhere(json, 'aws_iam_role', 'name', `${config.name}-dev-${suffix}`);
const roleArn = (json: SynthJson, suffix: string) => refTo(json, 'aws_iam_role', roleNamed(json, suffix), 'arn');

describe('7. identity pool', () => {
  test('no unauthenticated identities, no classic flow, the user pool with server-side token check', () => {
    const pool = onlyResource(dev, 'aws_cognito_identity_pool');
    expect(pool.allow_unauthenticated_identities).toBe(false);
    expect(pool.allow_classic_flow).toBe(false);
    expect(pool.cognito_identity_providers).toEqual([
      { provider_name: poolEndpoint(dev), client_id: webClientId(dev), server_side_token_check: true },
    ]);
  });

  test('every role trusting cognito-identity.amazonaws.com is pinned to this pool (aud) and signed-in users (amr)', () => {
    const trusting = Object.values(resourcesOf(dev, 'aws_iam_role'))
      .map((r) => JSON.parse(r.assume_role_policy))
      .filter((p) => p.Statement.some((s: any) => s.Principal?.Federated === 'cognito-identity.amazonaws.com'));
    // The default authenticated role and one per group.
    expect(trusting).toHaveLength(groupNames.length + 1);
    for (const policy of trusting) {
      for (const s of policy.Statement) {
        expect(s.Effect).toBe('Allow');
        expect(s.Condition.StringEquals['cognito-identity.amazonaws.com:aud']).toBe(identityPoolId(dev));
        expect(s.Condition['ForAnyValue:StringLike']['cognito-identity.amazonaws.com:amr']).toBe('authenticated');
        expect([s.Action].flat()).toContain('sts:AssumeRoleWithWebIdentity');
      }
    }
  });

  test('Rules mapping by default: cognito:groups Contains <group> -> its role, in precedence order; ambiguous -> AuthenticatedRole', () => {
    const attachment = onlyResource(dev, 'aws_cognito_identity_pool_roles_attachment');
    expect(attachment.identity_pool_id).toBe(identityPoolId(dev));
    expect(attachment.roles).toEqual({ authenticated: roleArn(dev, 'authenticated') });
    const [mapping] = attachment.role_mapping;
    expect(mapping.identity_provider).toBe(`${poolEndpoint(dev)}:${webClientId(dev)}`);
    expect(mapping.type).toBe('Rules');
    expect(mapping.ambiguous_role_resolution).toBe('AuthenticatedRole');
    const byPrecedence = [...config.groups].sort((a, b) => a.precedence - b.precedence).map((g) => g.name);
    expect(mapping.mapping_rule).toEqual(
      byPrecedence.map((g) => ({ claim: 'cognito:groups', match_type: 'Contains', value: g, role_arn: roleArn(dev, `group-${g}`) })),
    );
  });

  test('Token mapping and Deny as options', () => {
    const [mapping] = onlyResource(variant, 'aws_cognito_identity_pool_roles_attachment').role_mapping;
    expect(mapping.type).toBe('Token');
    expect(mapping.ambiguous_role_resolution).toBe('Deny');
    expect(mapping.mapping_rule).toBeUndefined();
  });

  test('principal tags map the user pool sub to the owner tag', () => {
    const tag = onlyResource(dev, 'aws_cognito_identity_pool_provider_principal_tag');
    expect(tag).toMatchObject({
      identity_pool_id: identityPoolId(dev),
      identity_provider_name: poolEndpoint(dev),
      principal_tags: { owner: 'sub' },
      use_defaults: false,
    });
  });

  test('the roles allow sts:TagSession so the identity pool can pass the principal tag', () => {
    const trust = JSON.parse(roleNamed(dev, 'authenticated').assume_role_policy);
    expect(trust.Statement[0].Action).toContain('sts:TagSession');
  });
});

/** The content assets bucket (the stack also has its access-log bucket). */
const contentBucket = (json: SynthJson) => resourceWhere(json, 'aws_s3_bucket', 'bucket_prefix', `${config.name}-dev-assets-`);
const logBucket = (json: SynthJson) => resourceWhere(json, 'aws_s3_bucket', 'bucket_prefix', `${config.name}-dev-access-logs-`);

/** The S3 grants of one role: object patterns per action, relative to the bucket. */
function s3Grants(json: SynthJson, roleSuffix: string): { read: string[]; write: string[]; list: string[] } {
  const bucketArn = refTo(json, 'aws_s3_bucket', contentBucket(json), 'arn');
  const role = roleNamed(json, roleSuffix);
  const policies = Object.values(resourcesOf(json, 'aws_iam_role_policy')).filter(
    (p) => p.role === refTo(json, 'aws_iam_role', role, 'id') && p.name === 'content-assets',
  );
  const statements: any[] = policies.flatMap((p) => JSON.parse(p.policy).Statement);
  const objects = (action: string) =>
    statements
      .filter((s) => s.Effect === 'Allow' && [s.Action].flat().includes(action))
      .flatMap((s) => [s.Resource].flat())
      .map((r: string) => r.replace(`${bucketArn}/`, ''))
      .sort();
  const list = statements
    .filter((s) => [s.Action].flat().includes('s3:ListBucket'))
    .flatMap((s) => s.Condition.StringLike['s3:prefix'])
    .sort();
  return { read: objects('s3:GetObject'), write: objects('s3:PutObject'), list };
}

describe('8. content assets bucket', () => {
  const bucketRef = (attr: string) => refTo(dev, 'aws_s3_bucket', contentBucket(dev), attr);

  test('public access blocked, objects owned by the bucket owner', () => {
    const block = resourceWhere(dev, 'aws_s3_bucket_public_access_block', 'bucket', bucketRef('id'));
    expect(block).toMatchObject({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
    expect(resourceWhere(dev, 'aws_s3_bucket_ownership_controls', 'bucket', bucketRef('id')).rule).toEqual({ object_ownership: 'BucketOwnerEnforced' });
  });

  test('SSE-KMS (with a bucket key), versioned, old versions and broken uploads cleaned up', () => {
    const sse = resourceWhere(dev, 'aws_s3_bucket_server_side_encryption_configuration', 'bucket', bucketRef('id'));
    expect(sse.rule).toEqual([{ apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms' }, bucket_key_enabled: true }]);
    expect(resourceWhere(dev, 'aws_s3_bucket_versioning', 'bucket', bucketRef('id')).versioning_configuration.status).toBe('Enabled');
    const lifecycle = resourceWhere(dev, 'aws_s3_bucket_lifecycle_configuration', 'bucket', bucketRef('id'));
    expect(lifecycle.rule[0]).toMatchObject({ status: 'Enabled', abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }], noncurrent_version_expiration: [{ noncurrent_days: 90 }] });
  });

  test('server access logs go to a log bucket that is private, encrypted, TLS only and expires logs after a year', () => {
    const logRef = (attr: string) => refTo(dev, 'aws_s3_bucket', logBucket(dev), attr);
    expect(resourceWhere(dev, 'aws_s3_bucket_logging', 'bucket', bucketRef('id'))).toMatchObject({ target_bucket: logRef('id'), target_prefix: 'content-assets/' });
    expect(resourceWhere(dev, 'aws_s3_bucket_public_access_block', 'bucket', logRef('id'))).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    // S3 cannot deliver access logs to an SSE-KMS bucket.
    expect(resourceWhere(dev, 'aws_s3_bucket_server_side_encryption_configuration', 'bucket', logRef('id')).rule[0].apply_server_side_encryption_by_default).toEqual({ sse_algorithm: 'AES256' });
    const lifecycle = resourceWhere(dev, 'aws_s3_bucket_lifecycle_configuration', 'bucket', logRef('id'));
    expect(lifecycle.rule[0]).toMatchObject({ status: 'Enabled', expiration: [{ days: 365 }] });
    const policy = JSON.parse(resourceWhere(dev, 'aws_s3_bucket_policy', 'bucket', logRef('id')).policy);
    expect(policy.Statement).toEqual([
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [logRef('arn'), `${logRef('arn')}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
      {
        Sid: 'S3LogDeliveryForTheContentBucket',
        Effect: 'Allow',
        Principal: { Service: 'logging.s3.amazonaws.com' },
        Action: 's3:PutObject',
        Resource: `${logRef('arn')}/content-assets/*`,
        Condition: { ArnLike: { 'aws:SourceArn': bucketRef('arn') }, StringEquals: { 'aws:SourceAccount': expect.stringMatching(/^\$\{local\.[\w-]+\}$/) } },
      },
    ]);
  });

  test('the bucket policy denies every request without TLS', () => {
    const policy = JSON.parse(resourceWhere(dev, 'aws_s3_bucket_policy', 'bucket', bucketRef('id')).policy);
    expect(policy.Statement).toContainEqual({
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [bucketRef('arn'), `${bucketRef('arn')}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
  });

  test('signed-in users without a group: read public/*, read and write only their own private/<tag>/*', () => {
    expect(s3Grants(dev, 'authenticated')).toEqual({
      read: [`private/${TAG}/*`, 'public/*'],
      write: [`private/${TAG}/*`],
      list: [`private/${TAG}/*`, 'public/*'],
    });
  });

  test('subscribers also read premium/*; editors and admins also write it', () => {
    expect(s3Grants(dev, 'group-subscribers')).toEqual({
      read: ['premium/*', `private/${TAG}/*`, 'public/*'],
      write: [`private/${TAG}/*`],
      list: ['premium/*', `private/${TAG}/*`, 'public/*'],
    });
    for (const g of ['editors', 'admins']) {
      expect(s3Grants(dev, `group-${g}`)).toMatchObject({
        read: ['premium/*', `private/${TAG}/*`, 'public/*'],
        write: ['premium/*', `private/${TAG}/*`],
      });
    }
  });

  test('grants follow config.storage.rules: a new admins-only prefix reaches the admins role only', () => {
    expect(s3Grants(variant, 'group-admins').read).toContain('archive/*');
    for (const other of ['authenticated', 'group-editors', 'group-subscribers']) {
      expect(s3Grants(variant, other).read).not.toContain('archive/*');
    }
  });
});

describe('11. outputs', () => {
  test('pool id, client ids, domain URL, identity pool id, bucket name and role ARNs', () => {
    const out = (name: string) => dev.output[name]?.value;
    expect(out('user_pool_id')).toBe(refTo(dev, 'aws_cognito_user_pool', userPool(dev), 'id'));
    expect(out('web_client_id')).toBe(webClientId(dev));
    expect(resolveRef(dev, out('server_client_id')).allowed_oauth_flows).toEqual(['client_credentials']);
    expect(out('domain_url')).toMatch(/^https:\/\//);
    expect(out('identity_pool_id')).toBe(identityPoolId(dev));
    expect(out('content_bucket')).toBe(refTo(dev, 'aws_s3_bucket', contentBucket(dev), 'bucket'));
    expect(out('authenticated_role_arn')).toBe(roleArn(dev, 'authenticated'));
    expect(out('group_role_arns')).toEqual(Object.fromEntries(groupNames.map((g) => [g, roleArn(dev, `group-${g}`)])));
  });

  test('client_config is an aws-amplify v6 ResourcesConfig for the web client', () => {
    const env = config.environments.dev;
    const cfg = dev.output.client_config.value;
    expect(cfg.Auth.Cognito).toEqual({
      userPoolId: refTo(dev, 'aws_cognito_user_pool', userPool(dev), 'id'),
      userPoolClientId: webClientId(dev),
      identityPoolId: identityPoolId(dev),
      loginWith: {
        oauth: {
          domain: `${env.domainPrefix}.auth.${config.region}.amazoncognito.com`,
          scopes: ['openid', 'email', 'profile'],
          redirectSignIn: env.webClient.callbackUrls,
          redirectSignOut: env.webClient.logoutUrls,
          responseType: 'code',
        },
      },
    });
    expect(cfg.API.GraphQL).toEqual({ endpoint: dev.output.graphql_url.value, region: config.region, defaultAuthMode: 'userPool' });
    expect(cfg.API.GraphQL.endpoint).toMatch(/^\$\{aws_appsync_graphql_api\./);
  });
});
