import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, resolveConfig } from '../config';
import { repoRoot } from '../config/paths';
import { runBuiltApp } from './helpers/app';
import { projectCopy } from './helpers/identity-stack';

/**
 * Every bad-input rule of config/validate.ts: the project's own (valid) config with one bad
 * value each. The error must name the file, the key path, the value and what was expected.
 */

type Edit = (raw: any) => void;

/** A valid `existing` block; each case below spoils one value of it. */
const EXISTING = {
  userPoolId: 'eu-west-1_AbC123',
  immutable: { poolName: 'content-dev-users', usernameAttributes: ['email'], caseSensitive: false },
};

/** [rule, edit, key the error names, bad value it names]. */
const cases: [string, Edit, string, unknown][] = [
  ['group mapping names an unknown group', (r) => (r.identityProviders.saml[0].groupMapping['content-editors'] = 'editor'),
    'identityProviders.saml[0].groupMapping["content-editors"]', 'editor'],
  ['storage rule names an unknown group', (r) => (r.storage.rules[1].read.groups[0] = 'subscriber'),
    'storage.rules[1].read.groups[0]', 'subscriber'],
  ['IAM caller names an unknown group', (r) => (r.api.iamCallers[0].principal = { group: 'ops' }),
    'api.iamCallers[0].principal.group', 'ops'],
  ['row rule names an unknown group', (r) => (r.api.rowRules[1].groups = ['writers']), 'api.rowRules[1].groups[0]', 'writers'],
  ['API group variable names an unknown group', (r) => (r.api.groupVariables.STAFF_GROUPS = ['editors', 'staff']),
    'api.groupVariables.STAFF_GROUPS[1]', 'staff'],
  ['API group variable with a lower-case name', (r) => (r.api.groupVariables.staff = ['editors']), 'api.groupVariables.staff', 'staff'],
  ['demo user names an unknown group', (r) => (r.local.demoUsers[0].groups = ['root']), 'local.demoUsers[0].groups[0]', 'root'],
  ['local allowed origin with a path', (r) => (r.local.allowedOrigins = ['http://localhost:5173', 'http://localhost:5173/app']),
    'local.allowedOrigins[1]', 'http://localhost:5173/app'],
  ['local allowed origin with a trailing slash', (r) => (r.local.allowedOrigins = ['http://localhost:5173/']), 'local.allowedOrigins[0]', 'http://localhost:5173/'],
  ['local allowed origin that is a wildcard', (r) => (r.local.allowedOrigins = ['*']), 'local.allowedOrigins[0]', '*'],
  ['demo user with an unknown sign-in kind', (r) => (r.local.demoUsers[1].signIn = 'sms'), 'local.demoUsers[1].signIn', 'sms'],
  ['federated demo user of an unconfigured IdP', (r) => (r.local.federatedUsers[0].idp = 'Okta'), 'local.federatedUsers[0].idp', 'Okta'],
  ['federated demo user without an address', (r) => (r.local.federatedUsers[1].email = 'mallory'), 'local.federatedUsers[1].email', 'mallory'],
  ['Google demo user with IdP groups (Google asserts none)', (r) => (r.local.federatedUsers[2].idpGroups = ['content-editors']),
    'local.federatedUsers[2].idpGroups', ['content-editors']],
  ['federated demo user group with a comma', (r) => (r.local.federatedUsers[0].idpGroups = ['a,b']), 'local.federatedUsers[0].idpGroups', ['a,b']],
  ['duplicate group name', (r) => (r.groups[2].name = 'admins'), 'groups[2].name', 'admins'],
  ['duplicate group precedence', (r) => (r.groups[1].precedence = 1), 'groups[1].precedence', 1],
  ['group precedence out of range', (r) => (r.groups[0].precedence = -1), 'groups[0].precedence', -1],
  ['non-https callback URL', (r) => (r.environments.prod.webClient.callbackUrls = ['http://content.example.com/callback']),
    'environments.prod.webClient.callbackUrls[0]', 'http://content.example.com/callback'],
  ['non-https logout URL', (r) => (r.environments.dev.webClient.logoutUrls[1] = 'http://dev.content.example.com/'),
    'environments.dev.webClient.logoutUrls[1]', 'http://dev.content.example.com/'],
  ['http URL of a host that only starts with localhost', (r) => (r.environments.dev.webClient.callbackUrls[0] = 'http://localhost.evil.example/cb'),
    'environments.dev.webClient.callbackUrls[0]', 'http://localhost.evil.example/cb'],
  ['SAML provider with neither metadataUrl nor metadataFile', (r) => delete r.identityProviders.saml[0].metadataFile,
    'identityProviders.saml[0]', { }],
  ['SAML provider with both metadataUrl and metadataFile', (r) => (r.identityProviders.saml[0].metadataUrl = 'https://idp.corp.example.com/metadata'),
    'identityProviders.saml[0]', { metadataUrl: 'https://idp.corp.example.com/metadata', metadataFile: 'config/saml/corp-idp-metadata.xml' }],
  ['SAML metadata file that does not exist', (r) => (r.identityProviders.saml[0].metadataFile = 'config/saml/missing.xml'),
    'identityProviders.saml[0].metadataFile', 'config/saml/missing.xml'],
  ['SAML metadata URL that is not https', (r) => { delete r.identityProviders.saml[0].metadataFile; r.identityProviders.saml[0].metadataUrl = 'http://idp/metadata'; },
    'identityProviders.saml[0].metadataUrl', 'http://idp/metadata'],
  ['Google enabled with an empty client id', (r) => (r.identityProviders.google.clientId = ''), 'identityProviders.google.clientId', ''],
  ['domain prefix with upper case', (r) => (r.environments.dev.domainPrefix = 'Content-Dev'), 'environments.dev.domainPrefix', 'Content-Dev'],
  ['domain prefix containing "cognito"', (r) => (r.environments.prod.domainPrefix = 'content-cognito'), 'environments.prod.domainPrefix', 'content-cognito'],
  ['domain prefix ending with "-"', (r) => (r.environments.prod.domainPrefix = 'content-'), 'environments.prod.domainPrefix', 'content-'],
  ['two environments with the same domain prefix', (r) => (r.environments.prod.domainPrefix = 'content-dev-signin'),
    'environments.prod.domainPrefix', 'content-dev-signin'],
  ['password shorter than 12', (r) => (r.userPool = { passwordMinLength: 11 }), 'userPool.passwordMinLength', 11],
  ['password longer than 99', (r) => (r.userPool = { passwordMinLength: 100 }), 'userPool.passwordMinLength', 100],
  ['temporary password valid 0 days', (r) => (r.userPool = { temporaryPasswordValidityDays: 0 }), 'userPool.temporaryPasswordValidityDays', 0],
  ['verification message without {####}', (r) => (r.userPool = { verificationMessage: 'Welcome!' }), 'userPool.verificationMessage', 'Welcome!'],
  ['refresh token validity over 3650 days', (r) => (r.environments.prod.webClient.refreshTokenValidityDays = 3651),
    'environments.prod.webClient.refreshTokenValidityDays', 3651],
  ['query depth limit over 75', (r) => (r.api.queryDepthLimit = 76), 'api.queryDepthLimit', 76],
  ['resolver count limit of 0', (r) => (r.api.resolverCountLimit = 0), 'api.resolverCountLimit', 0],
  ['fractional number', (r) => (r.environments.dev.webClient.refreshTokenValidityDays = 1.5),
    'environments.dev.webClient.refreshTokenValidityDays', 1.5],
  ['"owner" audience on a prefix without {owner}', (r) => (r.storage.rules[0].write = 'owner'), 'storage.rules[0].write', 'owner'],
  ['prefix not ending with "/"', (r) => (r.storage.rules[1].prefix = 'premium'), 'storage.rules[1].prefix', 'premium'],
  ['prefix with an IAM wildcard', (r) => (r.storage.rules[1].prefix = 'prem*/'), 'storage.rules[1].prefix', 'prem*/'],
  ['duplicate storage prefix', (r) => (r.storage.rules[1].prefix = 'public/'), 'storage.rules[1].prefix', 'public/'],
  ['custom domain certificate outside us-east-1', (r) => (r.environments.prod.customDomain = { domain: 'auth.example.com', certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc' }),
    'environments.prod.customDomain.certificateArn', 'arn:aws:acm:eu-west-1:123456789012:certificate/abc'],
  ['local mode on an unknown environment', (r) => (r.local.environment = 'staging'), 'local.environment', 'staging'],
  ['Google on an admin-create-only pool without an admission rule (closed stays closed)', (r) => delete r.identityProviders.google.admission,
    'identityProviders.google.admission', undefined],
  ['Google admission rule with no domain, no address and not invited-only', (r) => (r.identityProviders.google.admission = { allowedEmailDomains: [] }),
    'identityProviders.google.admission', { allowedEmailDomains: [] }],
  ['Google admission rule both invited-only and an allow-list', (r) => (r.identityProviders.google.admission = { invitedOnly: true, allowedEmails: ['a@example.com'] }),
    'identityProviders.google.admission', { invitedOnly: true, allowedEmails: ['a@example.com'] }],
  ['Google admission domain written as an address', (r) => (r.identityProviders.google.admission = { allowedEmailDomains: ['@example.com'] }),
    'identityProviders.google.admission.allowedEmailDomains[0]', '@example.com'],
  ['Google admission domain with a wildcard', (r) => (r.identityProviders.google.admission = { allowedEmailDomains: ['*.example.com'] }),
    'identityProviders.google.admission.allowedEmailDomains[0]', '*.example.com'],
  ['Google admission address that is not one', (r) => (r.identityProviders.google.admission = { allowedEmails: ['jane'] }),
    'identityProviders.google.admission.allowedEmails[0]', 'jane'],
  ['IAM caller field that is not Type.field', (r) => (r.api.iamCallers[0].fields = ['articles']), 'api.iamCallers[0].fields[0]', 'articles'],
  ['prod without a state bucket', (r) => delete r.environments.prod.state, 'environments.prod.state.bucket', undefined],
  ['requireRemoteState that is not a boolean', (r) => (r.environments.dev.requireRemoteState = 'no'), 'environments.dev.requireRemoteState', 'no'],
  ['relaxation of a control the report does not have', (r) => (r.environments.dev.relaxations[0].control = 'Cognito.9'),
    'environments.dev.relaxations[0].control', 'Cognito.9'],
  ['relaxation without a reason', (r) => (r.environments.dev.relaxations[1].reason = ''), 'environments.dev.relaxations[1].reason', ''],
  ['the same control relaxed twice', (r) => (r.environments.dev.relaxations[1].control = 'Cognito.1'),
    'environments.dev.relaxations[1].control', 'Cognito.1'],
  ['OIDC issuer over http', (r) => (r.identityProviders.oidc[0].issuer = 'http://login.partner.example.net'),
    'identityProviders.oidc[0].issuer', 'http://login.partner.example.net'],
  ['OIDC scopes without openid', (r) => (r.identityProviders.oidc[0].scopes = 'email profile'), 'identityProviders.oidc[0].scopes', 'email profile'],
  ['OIDC attributes request method other than GET/POST', (r) => (r.identityProviders.oidc[0].attributesRequestMethod = 'PUT'),
    'identityProviders.oidc[0].attributesRequestMethod', 'PUT'],
  ['OIDC group mapping names an unknown group', (r) => (r.identityProviders.oidc[0].groupMapping['partner-writers'] = 'writers'),
    'identityProviders.oidc[0].groupMapping["partner-writers"]', 'writers'],
  ['OIDC group mapping without a groups claim', (r) => delete r.identityProviders.oidc[0].groupsClaim, 'identityProviders.oidc[0].groupsClaim', undefined],
  ['OIDC provider named like a SAML one', (r) => (r.identityProviders.oidc[0].name = 'corpsaml'), 'identityProviders.oidc[0].name', 'corpsaml'],
  ['OIDC provider with a built-in name', (r) => (r.identityProviders.oidc[0].name = 'Facebook'), 'identityProviders.oidc[0].name', 'Facebook'],
  ['Facebook on an admin-create-only pool without an admission rule', (r) => (r.identityProviders.facebook = { clientId: '1234567890123' }),
    'identityProviders.facebook.admission', undefined],
  ['Facebook app id that is not digits', (r) => (r.identityProviders.facebook = { clientId: 'my-app', admission: { invitedOnly: true } }),
    'identityProviders.facebook.clientId', 'my-app'],
  ['Apple team id of the wrong form', (r) => (r.identityProviders.signInWithApple = { clientId: 'com.example.signin', teamId: 'team1', keyId: 'KEY1234567', admission: { invitedOnly: true } }),
    'identityProviders.signInWithApple.teamId', 'team1'],
  ['Apple without an admission rule', (r) => (r.identityProviders.signInWithApple = { clientId: 'com.example.signin', teamId: 'ABCDE12345', keyId: 'KEY1234567' }),
    'identityProviders.signInWithApple.admission', undefined],
  ['Amazon client id of the wrong form', (r) => (r.identityProviders.loginWithAmazon = { clientId: 'client-1', admission: { invitedOnly: true } }),
    'identityProviders.loginWithAmazon.clientId', 'client-1'],
  ['Amazon admission address that is not one', (r) => (r.identityProviders.loginWithAmazon = { clientId: 'amzn1.application-oa2-client.0abc', admission: { allowedEmails: ['guest'] } }),
    'identityProviders.loginWithAmazon.admission.allowedEmails[0]', 'guest'],
  ['direct federation through an IdP that is not configured', (r) => (r.identityPool = { directFederation: [{ idp: 'Facebook', unmatched: 'AuthenticatedRole' }] }),
    'identityPool.directFederation[0].idp', 'Facebook'],
  ['direct federation through SAML', (r) => (r.identityPool = { directFederation: [{ idp: 'CorpSAML', unmatched: 'AuthenticatedRole' }] }),
    'identityPool.directFederation[0].idp', 'CorpSAML'],
  ['direct federation rule to an unknown group', (r) => (r.identityPool = { directFederation: [{ idp: 'PartnerOIDC', rules: { claim: 'groups', groupMapping: { x: 'root' } } }] }),
    'identityPool.directFederation[0].rules.groupMapping["x"]', 'root'],
  ['direct federation without rules that would deny everyone', (r) => (r.identityPool = { directFederation: [{ idp: 'Google' }] }),
    'identityPool.directFederation[0].rules', undefined],
  ['direct federation match type the mapping cannot use', (r) => (r.identityPool = { directFederation: [{ idp: 'Google', rules: { claim: 'hd', matchType: 'StartsWith', groupMapping: { 'example.com': 'subscribers' } } }] }),
    'identityPool.directFederation[0].rules.matchType', 'StartsWith'],
  ['existing user pool id of another region', (r) => (r.environments.dev.existing = { ...EXISTING, userPoolId: 'us-east-1_AbC123' }),
    'environments.dev.existing.userPoolId', 'us-east-1_AbC123'],
  ['existing identity pool id that is not one', (r) => (r.environments.dev.existing = { ...EXISTING, identityPoolId: 'eu-west-1_AbC123' }),
    'environments.dev.existing.identityPoolId', 'eu-west-1_AbC123'],
  ['existing web client id with a slash', (r) => (r.environments.dev.existing = { ...EXISTING, clientIds: { web: 'a/b' } }),
    'environments.dev.existing.clientIds.web', 'a/b'],
  ['existing pool group that is not configured', (r) => (r.environments.dev.existing = { ...EXISTING, groups: ['admins', 'staff'] }),
    'environments.dev.existing.groups[1]', 'staff'],
  ['existing pool without its immutable settings', (r) => (r.environments.dev.existing = { userPoolId: 'eu-west-1_AbC123' }),
    'environments.dev.existing.immutable', undefined],
  ['existing pool username attribute Cognito does not have', (r) => (r.environments.dev.existing = { ...EXISTING, immutable: { ...EXISTING.immutable, usernameAttributes: ['username'] } }),
    'environments.dev.existing.immutable.usernameAttributes', ['username']],
  ['existing pool custom attribute of an unknown type', (r) => (r.environments.dev.existing = { ...EXISTING, immutable: { ...EXISTING.immutable, customAttributes: [{ name: 'tier', type: 'Text' }] } }),
    'environments.dev.existing.immutable.customAttributes[0].type', 'Text'],
];

test('the project config itself is valid', () => {
  expect(() => resolveConfig(projectCopy())).not.toThrow();
});

test('http://localhost is allowed for development', () => {
  const raw: any = projectCopy();
  raw.environments.prod.webClient.callbackUrls = ['http://localhost:5173/callback'];
  expect(() => resolveConfig(raw)).not.toThrow();
});

test('an open pool (self sign-up) may offer Google without an admission rule', () => {
  const raw: any = projectCopy();
  raw.userPool = { adminCreateUserOnly: false };
  delete raw.identityProviders.google.admission;
  expect(() => resolveConfig(raw)).not.toThrow();
});

test.each(cases)('rejects: %s', (_rule, edit, key, value) => {
  const raw = projectCopy();
  edit(raw);
  let error: unknown;
  try {
    resolveConfig(raw);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigError);
  const configError = error as ConfigError;
  expect(configError.source).toBe('config/project.ts');
  expect(configError.key).toBe(key);
  expect(configError.value).toEqual(value);
  expect(configError.message).toContain(`config/project.ts: ${key} = ${JSON.stringify(value)}: expected `);
  expect(configError.expected.length).toBeGreaterThan(5);
});

describe('a bad config stops the app before synth', () => {
  const dist = join(repoRoot(), 'dist');
  let workDir: string;

  beforeAll(() => {
    workDir = mkdtempSync(join(tmpdir(), 'config-validation-'));
  });
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  /** Every file under dir with its content, to compare before and after. */
  function snapshot(dir: string): Record<string, string> {
    const files: Record<string, string> = {};
    const walk = (d: string) => {
      for (const name of readdirSync(d)) {
        const p = join(d, name);
        if (statSync(p).isDirectory()) walk(p);
        else files[p] = `${statSync(p).mtimeMs}:${readFileSync(p, 'utf8')}`;
      }
    };
    walk(dir);
    return files;
  }

  test('an existing cdktf.out stays untouched and the error names the key', () => {
    const outdir = join(workDir, 'cdktf.out');
    mkdirSync(join(outdir, 'stacks', 'dev'), { recursive: true });
    writeFileSync(join(outdir, 'stacks', 'dev', 'cdk.tf.json'), '{"previous":"synth"}');
    writeFileSync(join(outdir, 'manifest.json'), '{"version":"previous"}');
    const before = snapshot(outdir);

    // Run the built app with one bad value patched into its config module.
    const result = runBuiltApp(
      outdir,
      `const { project } = require(${JSON.stringify(join(dist, 'config', 'project.js'))});
       project.storage.rules[1].read.groups[0] = 'subscriber';`,
    );
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('config/project.ts: storage.rules[1].read.groups[0] = "subscriber": expected one of the groups');
    expect(snapshot(outdir)).toEqual(before);
  });

  test('the same run with the valid config does write the outdir (the check above can fail)', () => {
    const outdir = join(workDir, 'cdktf.out.valid');
    const result = runBuiltApp(outdir);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(existsSync(join(outdir, 'stacks', 'dev', 'cdk.tf.json'))).toBe(true);
  });
});
