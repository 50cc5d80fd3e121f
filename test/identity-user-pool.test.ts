import { loadConfig, stackConfig, type StackConfig } from '../config';
import { onlyResource, refTo, resourcesOf, resourceWhere, synthStack, type SynthJson } from './helpers/identity-stack';

/**
 * The user pool, app clients, sign-in domain, groups, state backend, environments and the
 * provider block, read from the synthesized Terraform JSON.
 */

const config = loadConfig();
const devConfig: StackConfig = stackConfig(config, 'dev');
const prodConfig: StackConfig = stackConfig(config, 'prod');

const SES_ARN = 'arn:aws:ses:eu-west-1:123456789012:identity/example.com';
const CERT_ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab';

let dev: SynthJson;
let prod: SynthJson;
/** Every non-default user-pool option switched on at once, in the prod environment. */
let options: SynthJson;
let offlineDev: SynthJson;

beforeAll(() => {
  dev = synthStack({ env: 'dev' });
  prod = synthStack({ env: 'prod' });
  offlineDev = synthStack({ env: 'dev', offline: true });
  options = synthStack({
    env: 'prod',
    edit: (raw) => {
      const env = raw.environments.prod as any;
      env.featurePlan = 'PLUS';
      env.deletionProtection = false;
      env.customDomain = { domain: 'auth.content.example.com', certificateArn: CERT_ARN };
      env.state = { bucket: 'content-tf-state', kmsKeyId: 'alias/tf-state' };
      env.webClient.allowUserAdminScope = true;
      (raw as any).userPool = {
        passwordMinLength: 16,
        adminCreateUserOnly: false,
        ses: { sourceArn: SES_ARN, fromAddress: 'no-reply@example.com' },
      };
    },
  });
});

const pool = (json: SynthJson) => onlyResource(json, 'aws_cognito_user_pool');
const client = (json: SynthJson, suffix: string, c: StackConfig) =>
  resourceWhere(json, 'aws_cognito_user_pool_client', 'name', `${c.name}-${c.env.name}-${suffix}`);

describe('1. user pool', () => {
  test('email is the case-insensitive username and is verified automatically', () => {
    expect(pool(dev).username_attributes).toEqual(['email']);
    expect(pool(dev).username_configuration).toEqual({ case_sensitive: false });
    expect(pool(dev).auto_verified_attributes).toEqual(['email']);
  });

  test('password policy: configured length (at least 12), all four character classes, temporary password days', () => {
    const policy = pool(dev).password_policy;
    expect(policy.minimum_length).toBe(devConfig.userPool.passwordMinLength);
    expect(policy.minimum_length).toBeGreaterThanOrEqual(12);
    expect(policy).toMatchObject({ require_lowercase: true, require_uppercase: true, require_numbers: true, require_symbols: true });
    expect(policy.temporary_password_validity_days).toBe(devConfig.userPool.temporaryPasswordValidityDays);
    expect(pool(options).password_policy.minimum_length).toBe(16);
  });

  test('TOTP MFA follows the environment: OPTIONAL in dev, ON in prod', () => {
    expect(pool(dev).mfa_configuration).toBe(devConfig.env.mfa);
    expect(pool(prod).mfa_configuration).toBe(prodConfig.env.mfa);
    expect([pool(dev).mfa_configuration, pool(prod).mfa_configuration]).toEqual(['OPTIONAL', 'ON']);
    expect(pool(prod).software_token_mfa_configuration).toEqual({ enabled: true });
  });

  test('feature plan PLUS by default, with threat protection ENFORCED for standard and custom auth; ESSENTIALS only where the config says so', () => {
    const enforced = { advanced_security_mode: 'ENFORCED', advanced_security_additional_flows: { custom_auth_mode: 'ENFORCED' } };
    expect(pool(prod).user_pool_tier).toBe('PLUS');
    expect(pool(prod).user_pool_add_ons).toEqual(enforced);
    const unset = synthStack({ env: 'prod', edit: (raw) => delete (raw.environments.prod as any).featurePlan });
    expect(pool(unset).user_pool_tier).toBe('PLUS');
    expect(pool(unset).user_pool_add_ons).toEqual(enforced);
    expect(pool(dev).user_pool_tier).toBe('ESSENTIALS');
    expect(pool(dev).user_pool_add_ons).toBeUndefined();
  });

  test('account recovery only by verified email', () => {
    expect(pool(dev).account_recovery_setting).toEqual({ recovery_mechanism: [{ name: 'verified_email', priority: 1 }] });
  });

  test('deletion protection ACTIVE with prevent_destroy by default; both off only when the config says so', () => {
    expect(pool(dev).deletion_protection).toBe('ACTIVE');
    expect(pool(dev).lifecycle).toEqual({ prevent_destroy: true });
    expect(pool(options).deletion_protection).toBe('INACTIVE');
    expect(pool(options).lifecycle?.prevent_destroy ?? false).toBe(false);
  });

  test('admin-create-only switch, on by default', () => {
    expect(pool(dev).admin_create_user_config).toEqual({ allow_admin_create_user_only: true });
    expect(pool(options).admin_create_user_config).toEqual({ allow_admin_create_user_only: false });
  });

  test('verification message from the config', () => {
    expect(pool(dev).verification_message_template).toEqual({
      default_email_option: 'CONFIRM_WITH_CODE',
      email_subject: devConfig.userPool.verificationSubject,
      email_message: devConfig.userPool.verificationMessage,
    });
  });

  test("email through Cognito by default, SES from the configured identity as an option", () => {
    expect(pool(dev).email_configuration).toEqual({ email_sending_account: 'COGNITO_DEFAULT' });
    expect(pool(options).email_configuration).toEqual({
      email_sending_account: 'DEVELOPER',
      source_arn: SES_ARN,
      from_email_address: 'no-reply@example.com',
    });
  });

  test('the IdP groups land in the custom attribute idp_groups of the schema', () => {
    const attr = pool(dev).schema.find((s: any) => s.name === 'idp_groups');
    expect(attr).toMatchObject({ attribute_data_type: 'String', mutable: true });
  });

  test('an email change only takes effect once the new address is verified', () => {
    expect(pool(dev).user_attribute_update_settings).toEqual({ attributes_require_verification_before_update: ['email'] });
  });
});

describe('2. app clients', () => {
  test('public web client: no secret, code grant only, URLs from config, SRP + refresh only, revocation, 60-minute tokens', () => {
    for (const [json, c] of [[dev, devConfig], [prod, prodConfig]] as const) {
      const web = client(json, 'web', c);
      expect(web.generate_secret).toBe(false);
      expect(web.allowed_oauth_flows).toEqual(['code']);
      expect(web.allowed_oauth_flows_user_pool_client).toBe(true);
      expect(web.callback_urls).toEqual(c.env.webClient.callbackUrls);
      expect(web.logout_urls).toEqual(c.env.webClient.logoutUrls);
      expect([...web.explicit_auth_flows].sort()).toEqual(['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH']);
      expect(web.enable_token_revocation).toBe(true);
      expect(web.prevent_user_existence_errors).toBe('ENABLED');
      expect(web.id_token_validity).toBe(60);
      expect(web.access_token_validity).toBe(60);
      expect(web.token_validity_units).toEqual([{ access_token: 'minutes', id_token: 'minutes', refresh_token: 'days' }]);
      expect(web.refresh_token_validity).toBe(c.env.webClient.refreshTokenValidityDays);
    }
    // prod sets 7 days, dev keeps the 30-day default: the value really comes from the config.
    expect(client(prod, 'web', prodConfig).refresh_token_validity).not.toBe(client(dev, 'web', devConfig).refresh_token_validity);
  });

  test('confidential server client: secret, client-credentials grant for the resource server scopes', () => {
    const server = client(dev, 'server', devConfig);
    expect(server.generate_secret).toBe(true);
    expect(server.allowed_oauth_flows).toEqual(['client_credentials']);
    const rs = onlyResource(dev, 'aws_cognito_resource_server');
    expect(server.allowed_oauth_scopes).toBe(refTo(dev, 'aws_cognito_resource_server', rs, 'scope_identifiers'));
    expect(rs.identifier).toBe(devConfig.resourceServer.identifier);
    expect(rs.scope.map((s: any) => `${rs.identifier}/${s.scope_name}`).sort()).toEqual(['content/read', 'content/write']);
  });

  test('no client may request aws.cognito.signin.user.admin as an OAuth scope unless the config asks for it', () => {
    for (const c of Object.values(resourcesOf(dev, 'aws_cognito_user_pool_client'))) {
      expect(JSON.stringify(c.allowed_oauth_scopes ?? [])).not.toContain('aws.cognito.signin.user.admin');
    }
    expect(client(options, 'web', prodConfig).allowed_oauth_scopes).toContain('aws.cognito.signin.user.admin');
  });

  test('the web client may write only the attributes the IdPs map', () => {
    expect([...client(dev, 'web', devConfig).write_attributes].sort()).toEqual(['custom:idp_groups', 'email', 'name']);
  });
});

describe('3. sign-in domain', () => {
  test('Cognito prefix domain from the config, its URL as an output', () => {
    const domain = onlyResource(dev, 'aws_cognito_user_pool_domain');
    expect(domain.domain).toBe(devConfig.env.domainPrefix);
    expect(domain.certificate_arn).toBeUndefined();
    expect(dev.output.domain_url.value).toBe(`https://${devConfig.env.domainPrefix}.auth.${config.region}.amazoncognito.com`);
  });

  test('custom domain with an ACM certificate as an option', () => {
    const domain = onlyResource(options, 'aws_cognito_user_pool_domain');
    expect(domain).toMatchObject({ domain: 'auth.content.example.com', certificate_arn: CERT_ARN });
    expect(options.output.domain_url.value).toBe('https://auth.content.example.com');
    expect(options.output.custom_domain_cloudfront).toBeDefined();
  });
});

describe('4. groups', () => {
  test('every configured group with its description, precedence and its own IAM role', () => {
    const groups = resourcesOf(dev, 'aws_cognito_user_group');
    expect(Object.keys(groups)).toHaveLength(config.groups.length);
    const roleArns = new Set<string>();
    for (const g of config.groups) {
      const group = resourceWhere(dev, 'aws_cognito_user_group', 'name', g.name);
      expect(group).toMatchObject({ description: g.description, precedence: g.precedence });
      const role = resourceWhere(dev, 'aws_iam_role', 'name', `${config.name}-dev-group-${g.name}`);
      expect(group.role_arn).toBe(refTo(dev, 'aws_iam_role', role, 'arn'));
      roleArns.add(group.role_arn);
    }
    expect(roleArns.size).toBe(config.groups.length);
  });
});

describe('9. state backend', () => {
  test('every environment needs a state bucket: without one, synth fails naming the key', () => {
    expect(() => synthStack({ env: 'prod', edit: (raw) => delete (raw.environments.prod as any).state })).toThrow(
      /environments\.prod\.state\.bucket = undefined: expected an S3 bucket for the Terraform state/,
    );
  });

  test('S3 state for the example environments; local state only with requireRemoteState: false', () => {
    expect(dev.terraform.backend.s3).toMatchObject({ bucket: devConfig.env.state!.bucket, key: `${config.name}/dev.tfstate`, encrypt: true, use_lockfile: true });
    expect(prod.terraform.backend.s3).toMatchObject({ bucket: prodConfig.env.state!.bucket, key: `${config.name}/prod.tfstate`, encrypt: true, use_lockfile: true });
    const local = synthStack({
      env: 'dev',
      edit: (raw) => {
        const env = raw.environments.dev as any;
        delete env.state;
        env.requireRemoteState = false;
      },
    });
    expect(Object.keys(local.terraform.backend)).toEqual(['local']);
  });

  test('an offline plan drops the S3 backend (terraform init would need AWS)', () => {
    expect(Object.keys(offlineDev.terraform.backend)).toEqual(['local']);
  });

  test('S3 state with use_lockfile and encryption when the config names a bucket', () => {
    expect(options.terraform.backend.s3).toEqual({
      bucket: 'content-tf-state',
      key: `${config.name}/prod.tfstate`,
      region: config.region,
      encrypt: true,
      kms_key_id: 'alias/tf-state',
      use_lockfile: true,
    });
  });
});

describe('10. environments', () => {
  test('dev and prod are separate stacks with their own names', () => {
    expect(Object.keys(config.environments).sort()).toEqual(['dev', 'prod']);
    expect(pool(dev).name).toBe(`${config.name}-dev-users`);
    expect(pool(prod).name).toBe(`${config.name}-prod-users`);
  });
});

describe('provider', () => {
  test('the deployable provider block has no credentials and no skip flags', () => {
    const provider = dev.provider.aws[0];
    expect(provider.region).toBe(config.region);
    for (const key of ['access_key', 'secret_key', 'skip_credentials_validation', 'skip_requesting_account_id', 'skip_metadata_api_check']) {
      expect(provider).not.toHaveProperty(key);
    }
  });

  test('offline mode adds dummy credentials and the skip flags', () => {
    expect(offlineDev.provider.aws[0]).toMatchObject({
      skip_credentials_validation: true,
      skip_requesting_account_id: true,
      skip_metadata_api_check: 'true',
    });
    expect(offlineDev.provider.aws[0].access_key).toEqual(expect.any(String));
  });

  test('no data source calls AWS (an offline plan could not read it)', () => {
    expect(dev.data ?? {}).toEqual({});
  });
});
