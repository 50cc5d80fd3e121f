import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAppSyncSchema, loadAppSyncSchema } from '../access/appsync-schema';
import { AccessCheckError, checkProject, checkStack, Finding, formatFinding } from '../access/checks';
import { authModelFor } from '../access/project-access';
import { stackChecks } from '../access/stack-checks';
import type { TerraformJson } from '../access/terraform-json';
import { App } from 'cdktf';
import { ContentStack } from '../constructs/content-stack';
import { loadApiSource } from '../constructs/graphql-api';
import { ResolvedConfig, loadConfig, stackConfig } from '../config';
import { fixtureConfig, indexer } from './fixtures/access/fixture-config';

// Each check: a broken fixture proves it fires (and names the place and the fix), a clean one
// proves it stays quiet.
const FIXTURES = join(__dirname, 'fixtures', 'access');
const sdl = (name: string) => readFileSync(join(FIXTURES, `${name}.graphql`), 'utf8');
const stackFixture = (): { resource: Record<string, Record<string, Record<string, unknown>>> } =>
  JSON.parse(readFileSync(join(FIXTURES, 'stack-clean.json'), 'utf8'));

const base: ResolvedConfig = fixtureConfig({
  storage: { rules: [{ prefix: 'public/', read: 'authenticated' }] },
  identityProviders: {
    saml: [{ name: 'CorpSAML', metadataUrl: 'https://idp.example.com/metadata', groupsAttribute: 'urn:groups', groupMapping: { 'content-editors': 'editors' } }],
  },
  api: { iamCallers: [indexer('Query.posts')] },
});

/** The same config without IAM callers, for schemas without @aws_iam. */
const poolOnly: ResolvedConfig = { ...base, api: { ...base.api, iamCallers: [] } };

function projectFindings(schemaName: string, config: ResolvedConfig = base): Finding[] {
  try {
    checkProject(config, buildAppSyncSchema(sdl(schemaName)));
    return [];
  } catch (e) {
    if (e instanceof AccessCheckError) return [...e.findings];
    throw e;
  }
}
const text = (fs: Finding[]) => fs.map(formatFinding).join('\n');

describe('schema and config checks', () => {
  it('stay quiet on a clean schema', () => {
    expect(projectFindings('clean')).toEqual([]);
  });

  it('fire on a cognito_groups value that is not a configured group', () => {
    const fs = projectFindings('unknown-group', poolOnly);
    expect(fs).toHaveLength(1);
    expect(formatFinding(fs[0])).toMatch(/^schema\.graphql:2: Query\.secret: @aws_cognito_user_pools\(cognito_groups\) names "editor"/);
    expect(fs[0].fix).toContain('use one of admins, editors');
  });

  it('fire on an unknown group in a type directive added by `extend type` (the auth model honours those too)', () => {
    const fs = projectFindings('unknown-group-extension', poolOnly);
    expect(fs).toHaveLength(1);
    expect(formatFinding(fs[0])).toMatch(/^schema\.graphql:5: type Note: @aws_cognito_user_pools\(cognito_groups\) names "ghost"/);
  });

  it('fire in strict mode on fields covered by neither a field nor a type directive', () => {
    const fs = projectFindings('no-directive', poolOnly);
    expect(fs.map((f) => f.location)).toEqual(['schema.graphql:2', 'schema.graphql:8']);
    expect(text(fs)).toContain('Note.text has no auth directive and neither has type Note');
    expect(text(fs)).toContain('Query.open has no auth directive');
  });

  it('stay quiet on undirected fields when strictAuthDirectives is false', () => {
    const lax = { ...poolOnly, api: { ...poolOnly.api, strictAuthDirectives: false } };
    expect(projectFindings('no-directive', lax)).toEqual([]);
  });

  it('fire on @aws_auth', () => {
    const fs = projectFindings('aws-auth', poolOnly);
    expect(text(fs)).toContain('schema.graphql:2: Query.secret: @aws_auth is legacy');
    expect(fs[0].fix).toContain('@aws_cognito_user_pools(cognito_groups');
  });

  it('fire when a subscription payload field is gated tighter than the subscription', () => {
    const fs = projectFindings('subscription-leak', poolOnly);
    expect(fs).toHaveLength(1);
    expect(fs[0].location).toBe('schema.graphql:3');
    expect(fs[0].problem).toContain('Subscription.onPublish delivers Published.notes to admins, signed in, no group');
  });

  it('fire on @aws_iam fields no IAM caller is granted and on grants of fields not open to IAM', () => {
    const config = {
      ...base,
      api: {
        ...base.api,
        iamCallers: [indexer('Query.granted', 'Query.pooled', 'Query.nope')],
      },
    };
    const fs = projectFindings('iam-mismatch', config);
    expect(text(fs)).toContain('config/project.ts: api.iamCallers[0].fields[1] = "Query.pooled": IAM caller indexer is granted Query.pooled, but the schema does not open it to IAM');
    expect(text(fs)).toContain('config/project.ts: api.iamCallers[0].fields[2] = "Query.nope"');
    expect(text(fs)).toContain('schema.graphql:3: Query.ungranted allows @aws_iam but no IAM caller');
    expect(fs).toHaveLength(3);
  });

  it('fire on row rules naming a missing field', () => {
    const config = { ...base, api: { ...base.api, rowRules: [{ field: 'Query.gone', groups: ['editors'], rule: 'x' }] } };
    expect(projectFindings('clean', config).map((f) => f.location)).toEqual(['config/project.ts: api.rowRules[0].field = "Query.gone"']);
  });
});

describe('stack checks (synthesized Terraform JSON)', () => {
  const cleanSchema = buildAppSyncSchema(sdl('clean'));
  const run = (json: TerraformJson, config: ResolvedConfig = base) =>
    stackChecks('dev', json, config, authModelFor(config, cleanSchema));
  const attachment = (json: ReturnType<typeof stackFixture>) =>
    (json.resource.aws_cognito_identity_pool_roles_attachment.roles.role_mapping as Record<string, unknown>[])[0];
  const rules = (json: ReturnType<typeof stackFixture>) => attachment(json).mapping_rule as Record<string, unknown>[];

  it('stay quiet on a clean stack (inline JSON and data-source trust policies)', () => {
    expect(run(stackFixture())).toEqual([]);
  });

  it('fire when a group has no rule in the Rules mapping', () => {
    const json = stackFixture();
    rules(json).pop();
    expect(text(run(json))).toContain(
      'stack dev: resource.aws_cognito_identity_pool_roles_attachment.roles.role_mapping[0].mapping_rule: group editors has no rule',
    );
  });

  it('fire when the API admits a client-credentials client, or every client', () => {
    const json = stackFixture() as any;
    const poolConfig = json.resource.aws_appsync_graphql_api.api.user_pool_config;
    poolConfig.app_id_client_regex = '^(${aws_cognito_user_pool_client.web.id}|${aws_cognito_user_pool_client.server.id})$';
    expect(text(run(json))).toContain(
      'stack dev: resource.aws_appsync_graphql_api.api.user_pool_config.app_id_client_regex: admits aws_cognito_user_pool_client.server, ' +
        'whose client-credentials tokens name no user (the auth model refuses them: resource-server scopes open no field). ' +
        'Fix: leave client-credentials clients out of GraphqlApi appClientIds.',
    );
    delete poolConfig.app_id_client_regex;
    expect(text(run(json))).toContain('app_id_client_regex: is not set: the API admits every client of the pool, client-credentials clients included');
  });

  it('fire when the rules are not in precedence order', () => {
    const json = stackFixture();
    rules(json).reverse();
    expect(text(run(json))).toContain('rules are in the order editors, admins, not group precedence admins, editors');
  });

  it('fire when a rule reads a user-writable claim, naming how the user writes it', () => {
    const json = stackFixture();
    rules(json)[0] = { claim: 'custom:idp_groups', match_type: 'Contains', value: 'admins', role_arn: '${aws_iam_role.role_admins.arn}' };
    const t = text(run(json));
    expect(t).toContain('mapping_rule[0].claim: the rule reads claim "custom:idp_groups", which the user can write (write_attributes of aws_cognito_user_pool_client.web)');
    expect(t).toContain('group admins has no rule');
  });

  it('fire when a rule reads another claim, even one users cannot write', () => {
    const json = stackFixture();
    rules(json).push({ claim: 'email_verified', match_type: 'Equals', value: 'true', role_arn: '${aws_iam_role.role_admins.arn}' });
    expect(text(run(json))).toContain('mapping_rule[2].claim: the rule reads claim "email_verified"; roles must follow group membership only');
  });

  it("fire when a rule maps a group to another group's role", () => {
    const json = stackFixture();
    rules(json)[1].role_arn = '${aws_iam_role.role_admins.arn}';
    expect(text(run(json))).toContain('mapping_rule[1].role_arn: the rule for group editors grants ${aws_iam_role.role_admins.arn}');
  });

  it('fire under Token mapping when a group has no role_arn', () => {
    const json = stackFixture();
    Object.assign(attachment(json), { type: 'Token', mapping_rule: undefined });
    delete json.resource.aws_cognito_user_group.group_editors.role_arn;
    const token = { ...base, identityPool: { ...base.identityPool, roleMapping: 'token' as const } };
    const fs = run(json, token);
    expect(fs).toHaveLength(1);
    expect(formatFinding(fs[0])).toContain('stack dev: resource.aws_cognito_user_group.group_editors.role_arn: group editors has no role_arn');
  });

  it('fire when the mapping type or ambiguous resolution differ from the config', () => {
    const deny = { ...base, identityPool: { ...base.identityPool, roleMapping: 'token' as const, ambiguousRoleResolution: 'Deny' as const } };
    const t = text(run(stackFixture(), deny));
    expect(t).toContain('role_mapping[0].type: "Rules", but config identityPool.roleMapping is "token"');
    expect(t).toContain('role_mapping[0].ambiguous_role_resolution: "AuthenticatedRole"');
  });

  it('fire when an identity-pool role trusts cognito-identity without aud (inline JSON)', () => {
    const json = stackFixture();
    const role = json.resource.aws_iam_role.role_admins;
    const doc = JSON.parse(String(role.assume_role_policy));
    delete doc.Statement[0].Condition.StringEquals;
    role.assume_role_policy = JSON.stringify(doc);
    const fs = run(json);
    expect(fs).toHaveLength(1);
    expect(formatFinding(fs[0])).toContain(
      'stack dev: resource.aws_iam_role.role_admins.assume_role_policy: trusts cognito-identity.amazonaws.com without the StringEquals cognito-identity.amazonaws.com:aud condition',
    );
  });

  it('fire when an identity-pool role trusts cognito-identity without amr (data source)', () => {
    const json = stackFixture() as unknown as { data: { aws_iam_policy_document: { editors_trust: { statement: { condition: unknown[] }[] } } } };
    json.data.aws_iam_policy_document.editors_trust.statement[0].condition.pop();
    const fs = run(json);
    expect(fs).toHaveLength(1);
    expect(fs[0].location).toBe('stack dev: resource.aws_iam_role.role_editors.assume_role_policy');
    expect(fs[0].problem).toContain('without the ForAnyValue:StringLike cognito-identity.amazonaws.com:amr condition');
  });

  it('fire when the pre-token trigger maps to a group the stack does not create', () => {
    const json = stackFixture();
    const env = (json.resource.aws_lambda_function.pre_token.environment as { variables: Record<string, string> }[])[0];
    env.variables.GROUP_MAPPINGS = JSON.stringify({ CorpSAML: { 'content-editors': 'editor' } });
    expect(text(run(json))).toContain('IdP CorpSAML maps "content-editors" to group "editor", which the stack does not create');
  });

  it('fire when the API auth modes differ from what the access model assumes', () => {
    const fs = run(stackFixture(), poolOnly);
    const t = text(fs);
    expect(t).toContain(
      'stack dev: resource.aws_appsync_graphql_api.api: auth modes are AMAZON_COGNITO_USER_POOLS, AWS_IAM, but the access model (access/project-access.ts apiAuthFromConfig) expects AMAZON_COGNITO_USER_POOLS',
    );
  });

  it('fire when a role policy grants appsync:GraphQL on a field not open to IAM, or on a wildcard', () => {
    const json = stackFixture();
    const policy = json.resource.aws_iam_role_policy.indexer_policy;
    const doc = JSON.parse(String(policy.policy));
    doc.Statement[0].Resource.push('${aws_appsync_graphql_api.api.arn}/types/Query/fields/secret', '${aws_appsync_graphql_api.api.arn}/types/Query/fields/*');
    policy.policy = JSON.stringify(doc);
    const fs = run(json);
    expect(fs.map((f) => f.location)).toEqual([
      'stack dev: resource.aws_iam_role_policy.indexer_policy.policy',
      'stack dev: resource.aws_iam_role_policy.indexer_policy.policy',
    ]);
    expect(fs[0].problem).toBe('grants appsync:GraphQL on Query.secret, which the schema does not open to IAM as a top-level field');
    expect(fs[1].problem).toContain('/types/Query/fields/*, not on named fields');
  });

  it('fire when the identity pool admits guests or gives them a role', () => {
    const json = stackFixture();
    json.resource.aws_cognito_identity_pool.pool.allow_unauthenticated_identities = true;
    (json.resource.aws_cognito_identity_pool_roles_attachment.roles.roles as Record<string, string>).unauthenticated = '${aws_iam_role.lambda_role.arn}';
    expect(run(json).map((f) => f.location)).toEqual([
      'stack dev: resource.aws_cognito_identity_pool.pool.allow_unauthenticated_identities',
      'stack dev: resource.aws_cognito_identity_pool_roles_attachment.roles.roles.unauthenticated',
    ]);
  });

  it('fire when a role trusting cognito-identity has a policy the check cannot read', () => {
    const json = stackFixture();
    json.resource.aws_iam_role.role_admins.assume_role_policy = '${jsonencode({Principal = {Federated = "cognito-identity.amazonaws.com"}})}';
    expect(text(run(json))).toContain('role_admins.assume_role_policy: trusts cognito-identity.amazonaws.com in a form the check cannot read');
  });

  it('checkStack throws an AccessCheckError listing every finding', () => {
    const json = stackFixture();
    rules(json).reverse();
    rules(json).push({ claim: 'email_verified', match_type: 'Equals', value: 'true', role_arn: '${aws_iam_role.role_admins.arn}' });
    expect(() => checkStack('prod', json, base, authModelFor(base, cleanSchema))).toThrow(
      /access checks failed \(2\):\n {2}- stack prod: .*reads claim "email_verified".*\n {2}- stack prod: .*rules are in the order/s,
    );
  });
});

describe('the project', () => {
  it('passes every stack check on its synthesized dev and prod stacks', () => {
    const config = loadConfig();
    const parsed = loadAppSyncSchema();
    const model = checkProject(config, parsed.schema);
    const apiSource = loadApiSource(parsed);
    const outdir = mkdtempSync(join(tmpdir(), 'access-checks-'));
    const app = new App({ outdir });
    for (const env of Object.keys(config.environments)) {
      const stack = new ContentStack(app, env, { config: stackConfig(config, env), apiSource });
      const json = stack.toTerraform() as TerraformJson;
      // The checks read these resources; an empty stack would pass vacuously.
      expect(Object.keys(json.resource ?? {})).toEqual(
        expect.arrayContaining(['aws_cognito_identity_pool_roles_attachment', 'aws_iam_role', 'aws_appsync_graphql_api', 'aws_lambda_function']),
      );
      expect(() => checkStack(env, json, config, model)).not.toThrow();
    }
    rmSync(outdir, { recursive: true, force: true });
  });
});
