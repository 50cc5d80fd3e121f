import { loadConfig, resolveConfig, stackConfig, type ProjectConfig } from '../config';
import { matrixOf } from '../access/matrix-files';
import { renderMatrixMarkdown } from '../access/matrix-markdown';
import { checkStack } from '../access/checks';
import { projectAuthModel } from '../access/project-access';
import { repoPath } from '../config/paths';
import { readFileSync } from 'node:fs';
import { projectCopy, refTo, resolveRef, resourcesOf, resourceWhere, onlyResource, synthStack, type SynthJson } from './helpers/identity-stack';

/**
 * Every IdP kind from the config: OIDC (the example config's PartnerOIDC, and any number),
 * Facebook, Sign in with Apple, Login with Amazon, and direct (federated-only) identity-pool
 * providers with their own role mapping. Synthesized JSON, the stack checks, and the access
 * matrix's identity-pool rows.
 */

const config = loadConfig();
const partner = config.identityProviders.oidc[0];

/** Facebook, Apple and Amazon added; a second OIDC IdP without groups. */
function withSocialAndSecondOidc(raw: ProjectConfig): void {
  const idps = raw.identityProviders as any;
  idps.facebook = { clientId: '1234567890123', apiVersion: 'v19.0', admission: { allowedEmailDomains: ['example.com'] } };
  idps.signInWithApple = { clientId: 'com.example.content.signin', teamId: 'ABCDE12345', keyId: 'KEY1234567', admission: { invitedOnly: true } };
  idps.loginWithAmazon = { clientId: 'amzn1.application-oa2-client.0123456789abcdef', admission: { allowedEmails: ['guest@amazon.example'] } };
  idps.oidc.push({ name: 'AuditOIDC', issuer: 'https://audit.example.com/oauth2', clientId: 'audit-client', attributesRequestMethod: 'POST', scopes: 'openid email' });
}

/** Direct federation: Google (every account the default role, a named weaker option) and PartnerOIDC with rules. */
function withDirect(raw: ProjectConfig): void {
  (raw as { identityPool: ProjectConfig['identityPool'] }).identityPool = {
    directFederation: [
      { idp: 'PartnerOIDC', rules: { claim: 'groups', matchType: 'Contains', groupMapping: { 'partner-readers': 'subscribers', 'partner-writers': 'editors' } } },
      { idp: 'Google', unmatched: 'AuthenticatedRole' },
    ],
  };
}

let dev: SynthJson;
let social: SynthJson;
let direct: SynthJson;

beforeAll(() => {
  dev = synthStack({ env: 'dev' });
  social = synthStack({ env: 'dev', edit: withSocialAndSecondOidc });
  direct = synthStack({ env: 'dev', edit: withDirect });
});

const idp = (json: SynthJson, name: string) => resourceWhere(json, 'aws_cognito_identity_provider', 'provider_name', name);

describe('OIDC providers', () => {
  test('the example config enables PartnerOIDC in dev: issuer, client id, secret variable, scopes, request method, mapping with the groups claim', () => {
    const p = idp(dev, 'PartnerOIDC');
    expect(p.provider_type).toBe('OIDC');
    expect(p.provider_details).toEqual({
      client_id: partner.clientId,
      client_secret: '${var.oidc_partneroidc_client_secret}',
      authorize_scopes: 'openid email profile',
      attributes_request_method: 'GET',
      oidc_issuer: partner.issuer,
    });
    expect(p.attribute_mapping).toEqual({ email: 'email', name: 'name', username: 'sub', 'custom:idp_groups': 'groups' });
    expect(p.idp_identifiers).toEqual(['partner.example.net']);
    expect(dev.variable?.oidc_partneroidc_client_secret).toMatchObject({ type: 'string', sensitive: true, nullable: false });
    expect(JSON.stringify(dev.output)).not.toContain('oidc_partneroidc');
  });

  test('the discovered endpoints are ignored (no perpetual diff), the configured details are not', () => {
    const ignored: string[] = idp(dev, 'PartnerOIDC').lifecycle.ignore_changes;
    expect(ignored).toContain('provider_details["authorize_url"]');
    expect(ignored.join(' ')).not.toMatch(/oidc_issuer|client_id|authorize_scopes|attributes_request_method/);
  });

  test('its allow-listed groups go to the pre-token trigger, and it is an enterprise IdP for the pre-sign-up trigger', () => {
    const vars = (name: string) =>
      Object.values(resourcesOf(dev, 'aws_lambda_function')).find((f) => f.function_name === `content-dev-${name}`).environment.variables;
    expect(JSON.parse(vars('pre-token-generation').GROUP_MAPPINGS).PartnerOIDC).toEqual({ 'partner-writers': 'editors' });
    expect(JSON.parse(vars('pre-sign-up').ENTERPRISE_PROVIDERS)).toContain('PartnerOIDC');
  });

  test('any number: a second one without groups claim has its own secret and POST, and no group mapping', () => {
    const p = idp(social, 'AuditOIDC');
    expect(p.provider_details).toMatchObject({ attributes_request_method: 'POST', authorize_scopes: 'openid email', client_secret: '${var.oidc_auditoidc_client_secret}' });
    expect(p.attribute_mapping['custom:idp_groups']).toBeUndefined();
    expect(social.variable?.oidc_auditoidc_client_secret).toMatchObject({ sensitive: true });
    const fn = Object.values(resourcesOf(social, 'aws_lambda_function')).find((f) => f.function_name === 'content-dev-pre-token-generation');
    expect(Object.keys(JSON.parse(fn.environment.variables.GROUP_MAPPINGS))).not.toContain('AuditOIDC');
  });
});

describe('Facebook, Sign in with Apple, Login with Amazon', () => {
  test('each provider with its details, its secret as a sensitive variable, and offered by the clients', () => {
    expect(idp(social, 'Facebook').provider_details).toEqual({
      client_id: '1234567890123',
      client_secret: '${var.facebook_app_secret}',
      authorize_scopes: 'public_profile,email',
      api_version: 'v19.0',
    });
    expect(idp(social, 'SignInWithApple').provider_details).toEqual({
      client_id: 'com.example.content.signin',
      team_id: 'ABCDE12345',
      key_id: 'KEY1234567',
      private_key: '${var.apple_private_key}',
      authorize_scopes: 'email name',
    });
    expect(idp(social, 'LoginWithAmazon').provider_details).toEqual({
      client_id: 'amzn1.application-oa2-client.0123456789abcdef',
      client_secret: '${var.amazon_client_secret}',
      authorize_scopes: 'profile',
    });
    for (const v of ['facebook_app_secret', 'apple_private_key', 'amazon_client_secret']) expect(social.variable?.[v]).toMatchObject({ sensitive: true, nullable: false });
    const web = resourceWhere(social, 'aws_cognito_user_pool_client', 'name', 'content-dev-web');
    for (const name of ['Facebook', 'SignInWithApple', 'LoginWithAmazon']) {
      expect(web.supported_identity_providers).toContain(refTo(social, 'aws_cognito_identity_provider', idp(social, name), 'provider_name'));
    }
  });

  test('admitted by the pre-sign-up rule: each rule is in the trigger, and Apple (invited only) may link on this pool only', () => {
    const fn = Object.values(resourcesOf(social, 'aws_lambda_function')).find((f) => f.function_name === 'content-dev-pre-sign-up');
    const rules = JSON.parse(fn.environment.variables.SOCIAL_ADMISSION);
    expect(rules).toEqual({
      Google: { mode: 'allowList', allowedEmailDomains: ['example.com'], allowedEmails: [] },
      Facebook: { mode: 'allowList', allowedEmailDomains: ['example.com'], allowedEmails: [] },
      SignInWithApple: { mode: 'invitedOnly' },
      LoginWithAmazon: { mode: 'allowList', allowedEmailDomains: [], allowedEmails: ['guest@amazon.example'] },
    });
    // Linking an invited person: the trigger's own role may list and link users of this pool, and of no other.
    const links = Object.values(resourcesOf(social, 'aws_iam_role_policy')).filter((p) => String(p.policy).includes('AdminLinkProviderForUser'));
    expect(links).toHaveLength(1);
    const role = resolveRef(social, fn.role);
    expect(links[0].role).toBe(refTo(social, 'aws_iam_role', role, 'id'));
    const pool = refTo(social, 'aws_cognito_user_pool', onlyResource(social, 'aws_cognito_user_pool'), 'arn');
    expect(JSON.parse(links[0].policy).Statement).toEqual([
      { Sid: 'LinkInvitedUsers', Effect: 'Allow', Action: ['cognito-idp:ListUsers', 'cognito-idp:AdminLinkProviderForUser'], Resource: [pool] },
    ]);
    // The dev stack admits no one by invitation: no link permission at all.
    expect(Object.values(resourcesOf(dev, 'aws_iam_role_policy')).filter((p) => String(p.policy).includes('AdminLinkProviderForUser'))).toEqual([]);
  });
});

describe('federated-only identity pool (direct IdPs)', () => {
  test('PartnerOIDC through an IAM OIDC provider, Google as a supported login provider, both beside the user pool', () => {
    const oidc = onlyResource(direct, 'aws_iam_openid_connect_provider');
    expect(oidc).toMatchObject({ url: partner.issuer, client_id_list: [partner.clientId] });
    const pool = onlyResource(direct, 'aws_cognito_identity_pool');
    expect(pool.openid_connect_provider_arns).toEqual([refTo(direct, 'aws_iam_openid_connect_provider', oidc, 'arn')]);
    expect(pool.supported_login_providers).toEqual({ 'accounts.google.com': config.identityProviders.google!.clientId });
    expect(pool.cognito_identity_providers).toHaveLength(1);
    expect(pool.allow_unauthenticated_identities).toBe(false);
    expect(pool.allow_classic_flow).toBe(false);
  });

  test('PartnerOIDC gets its own Rules mapping (group precedence order, Deny when no rule matches); Google, without rules, none', () => {
    const mappings: any[] = onlyResource(direct, 'aws_cognito_identity_pool_roles_attachment').role_mapping;
    expect(mappings).toHaveLength(2);
    const own = mappings.find((m) => m.identity_provider === 'login.partner.example.net');
    expect(own).toMatchObject({ type: 'Rules', ambiguous_role_resolution: 'Deny' });
    expect(own.mapping_rule.map((r: any) => [r.claim, r.match_type, r.value, resolveRef(direct, r.role_arn).name])).toEqual([
      ['groups', 'Contains', 'partner-writers', 'content-dev-group-editors'],
      ['groups', 'Contains', 'partner-readers', 'content-dev-group-subscribers'],
    ]);
  });

  test('the roles keep the aud and amr trust conditions, and the stack checks pass (they hold direct mappings to the config)', () => {
    for (const role of Object.values(resourcesOf(direct, 'aws_iam_role')).filter((r) => String(r.assume_role_policy).includes('cognito-identity'))) {
      const statement = JSON.parse(role.assume_role_policy).Statement[0];
      expect(Object.keys(statement.Condition.StringEquals)).toEqual(['cognito-identity.amazonaws.com:aud']);
      expect(statement.Condition['ForAnyValue:StringLike']).toEqual({ 'cognito-identity.amazonaws.com:amr': 'authenticated' });
    }
    const raw = projectCopy();
    withDirect(raw);
    const resolved = resolveConfig(raw, 'test');
    const model = projectAuthModel(resolved, repoPath('schema.graphql'));
    expect(() => checkStack('dev', direct as any, resolved, model)).not.toThrow();
  });

  test('a direct mapping that grants another role than the config says is a finding', () => {
    const raw = projectCopy();
    withDirect(raw);
    const resolved = resolveConfig(raw, 'test');
    const tampered = structuredClone(direct) as any;
    const att = Object.values(tampered.resource.aws_cognito_identity_pool_roles_attachment)[0] as any;
    const own = att.role_mapping.find((m: any) => m.identity_provider === 'login.partner.example.net');
    own.mapping_rule[1].role_arn = own.mapping_rule[0].role_arn; // partner-readers -> editors role
    expect(() => checkStack('dev', tampered, resolved, projectAuthModel(resolved, repoPath('schema.graphql')))).toThrow(
      /role_mapping\[1\]\.mapping_rule\[1\]: groups Contains "partner-readers" .* is not rule 2 of config identityPool.directFederation PartnerOIDC/,
    );
  });
});

describe("the access matrix's identity-pool section has a row per IdP kind", () => {
  const sdl = readFileSync(repoPath('schema.graphql'), 'utf8');
  const rowsOf = (edit: (raw: ProjectConfig) => void) => {
    const raw = projectCopy();
    edit(raw);
    return matrixOf(stackConfig(resolveConfig(raw, 'test'), 'dev'), sdl).identityPool.providers;
  };

  test('OIDC and SAML through the user pool: each allow-listed IdP group -> its group role, otherwise the default role', () => {
    const rows = matrixOf(config, sdl).identityPool.providers;
    const oidc = rows.find((r) => r.provider === 'PartnerOIDC')!;
    expect(oidc).toMatchObject({ kind: 'OIDC', path: 'user pool', admission: 'enterprise IdP: admitted (membership is its decision)' });
    expect(oidc.outcomes.map((o) => [o.when, o.role])).toEqual([
      ['groups has "partner-writers" -> editors', 'editors role'],
      ['no listed IdP group in groups', 'default authenticated role'],
    ]);
    expect(rows.map((r) => r.kind)).toEqual(['Google', 'SAML', 'OIDC']);
  });

  test('Facebook, Apple and Amazon: their admission rule, no group at first sign-in, the default role', () => {
    const rows = rowsOf(withSocialAndSecondOidc);
    expect(rows.filter((r) => ['Facebook', 'SignInWithApple', 'LoginWithAmazon'].includes(r.kind)).map((r) => [r.provider, r.admission, r.outcomes[0].role])).toEqual([
      ['Facebook', 'pre-sign-up rule: @example.com', 'default authenticated role'],
      ['SignInWithApple', 'pre-sign-up rule: invited only (linked to an admin-created user)', 'default authenticated role'],
      ['LoginWithAmazon', 'pre-sign-up rule: guest@amazon.example', 'default authenticated role'],
    ]);
  });

  test('direct IdPs: their rules, no {owner} prefix (no principal tag), and what unmatched users get', () => {
    const rows = rowsOf(withDirect).filter((r) => r.path === 'direct');
    expect(rows.map((r) => r.provider)).toEqual(['PartnerOIDC (direct)', 'Google (direct)']);
    expect(rows[0].outcomes.map((o) => [o.when, o.role])).toEqual([
      ['groups Contains "partner-writers"', 'editors role'],
      ['groups Contains "partner-readers"', 'subscribers role'],
      ['no rule matches (unmatched: Deny)', 'no credentials'],
    ]);
    expect(rows[0].outcomes[0].storage).toEqual({ read: ['public/', 'premium/'], write: ['premium/'] });
    expect(rows[1].outcomes).toEqual([{ when: 'no rules (unmatched: AuthenticatedRole)', role: 'default authenticated role', storage: { read: ['public/'], write: [] } }]);
    expect(renderMatrixMarkdown(matrixOf(config, sdl))).toContain('| PartnerOIDC | OIDC | user pool | enterprise IdP: admitted (membership is its decision) | groups has "partner-writers" -> editors | editors role |');
  });
});
