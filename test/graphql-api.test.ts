import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing, TerraformOutput, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { CognitoUserPool } from '@cdktf/provider-aws/lib/cognito-user-pool';
import { CognitoUserPoolClient } from '@cdktf/provider-aws/lib/cognito-user-pool-client';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { loadConfig, resolveConfig, stackConfig, type StackConfig } from '../config';
import { repoPath } from '../config/paths';
import { project } from '../config/project';
import { ARTICLE_TABLE_ACTIONS } from '../constructs/api-data-sources';
import { graphqlApiSettings, OFFLINE_PROVIDER } from '../constructs/content-stack';
import { AccountOf } from '../constructs/arn-parts';
import { LogKey } from '../constructs/log-key';
import { GraphqlApi, loadApiSource, type GraphqlApiProps } from '../constructs/graphql-api';
import { serviceTrustPolicy } from '../constructs/iam-documents';
import { resourcesOfType } from '../access/terraform-json';
import { countResources, offlineTerraformEnv, planSummary, requireTerraform, terraform } from './helpers/terraform';

type Json = Record<string, any>;

/** A synthesized test stack: a user pool, two clients, group roles and the API under test. */
interface Synthesized {
  readonly dir: string;
  readonly json: Json;
  readonly config: StackConfig;
  readonly api: GraphqlApi;
}

/** The project config plus a caller whose principal is a group, so both caller kinds are exercised. */
function configWithGroupCaller(env: string): StackConfig {
  const raw = {
    ...project,
    api: {
      ...project.api,
      iamCallers: [
        ...(project.api?.iamCallers ?? []),
        { name: 'editor-tools', principal: { group: 'editors' }, fields: ['Query.articles', 'Query.article'] },
      ],
    },
  };
  return stackConfig(resolveConfig(raw), env);
}

/** The schema and resolver bundles: the same for every synth, so read and bundled once. */
const source = loadApiSource();

/** Output folders of this file's synths, removed after the tests. */
const outdirs: string[] = [];
afterAll(() => outdirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function synthesize(config: StackConfig, extra: Partial<GraphqlApiProps> = {}): Synthesized {
  const app = Testing.app({ outdir: mkdtempSync(join(tmpdir(), 'graphql-api-test-')) });
  outdirs.push(app.outdir);
  const stack = new TerraformStack(app, config.env.name);
  // Dummy credentials and skip flags: the stack is planned offline below.
  new AwsProvider(stack, 'aws', { region: config.region, ...OFFLINE_PROVIDER });
  const pool = new CognitoUserPool(stack, 'pool', { name: 'test-pool' });
  const web = new CognitoUserPoolClient(stack, 'web', { name: 'web', userPoolId: pool.id });
  const cli = new CognitoUserPoolClient(stack, 'cli', { name: 'cli', userPoolId: pool.id });
  const groupRoles = Object.fromEntries(
    config.groups.map((g) => [
      g.name,
      new IamRole(stack, `group-${g.name}`, { name: `test-group-${g.name}`, assumeRolePolicy: serviceTrustPolicy('cognito-identity.amazonaws.com') }),
    ]),
  );
  const account = new AccountOf(stack, 'account', pool.arn);
  const logKey = new LogKey(stack, 'log-key', { description: 'test log groups', region: config.region });
  logKey.useAccount(account);
  const api = new GraphqlApi(stack, 'graphql', {
    ...graphqlApiSettings(config, pool.id),
    logKey,
    account,
    userPoolId: pool.id,
    userPoolArn: pool.arn,
    appClientIds: [web.id, cli.id],
    groupRoles,
    source,
    ...extra,
  });
  new TerraformOutput(stack, 'graphql_url', { value: api.graphqlUrl });
  app.synth();
  const dir = join(app.outdir, 'stacks', config.env.name);
  return { dir, json: JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8')) as Json, config, api };
}

// ---- reading the synthesized JSON ------------------------------------------------------------

function resources(s: Synthesized, type: string): [name: string, body: Json][] {
  return resourcesOfType(s.json, type);
}

function only(s: Synthesized, type: string): [name: string, body: Json] {
  const found = resources(s, type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0];
}

/** The resource of `type` whose `key` equals `value`. */
function findBy(s: Synthesized, type: string, key: string, value: unknown): [name: string, body: Json] {
  const found = resources(s, type).filter(([, b]) => b[key] === value);
  if (found.length !== 1) throw new Error(`expected one ${type} with ${key}=${String(value)}, found ${found.length}`);
  return found[0];
}

const ref = (type: string, name: string, attr: string) => `\${${type}.${name}.${attr}}`;

/** The text a `${file("assets/...")}` code argument deploys. */
function codeOf(s: Synthesized, code: string): string {
  const m = /^\$\{file\("([^"]+)"\)\}$/.exec(code);
  if (!m) throw new Error(`code is not a file() of an asset: ${code.slice(0, 80)}`);
  return readFileSync(join(s.dir, m[1]), 'utf8');
}

/** The statements of the inline policy attached to a role (by role resource name). */
function policyOf(s: Synthesized, roleName: string): Json[] {
  const roleId = ref('aws_iam_role', roleName, 'id');
  const policies = resources(s, 'aws_iam_role_policy').filter(([, b]) => b.role === roleId);
  return policies.flatMap(([, b]) => JSON.parse(b.policy as string).Statement as Json[]);
}

const roleNamed = (s: Synthesized, name: string) => findBy(s, 'aws_iam_role', 'name', name)[0];

// ---- the tests -------------------------------------------------------------------------------

let dev: Synthesized;
let prod: Synthesized;
beforeAll(() => {
  dev = synthesize(stackConfig(loadConfig(), 'dev'));
  prod = synthesize(configWithGroupCaller('prod'));
});

describe('resolvers', () => {
  it('every resolver runs APPSYNC_JS 1.0.0 on this API', () => {
    for (const [, r] of resources(prod, 'aws_appsync_resolver')) {
      expect(r.runtime).toEqual({ name: 'APPSYNC_JS', runtime_version: '1.0.0' });
      expect(r.api_id).toBe(ref('aws_appsync_graphql_api', only(prod, 'aws_appsync_graphql_api')[0], 'id'));
    }
  });

  it('deploys exactly the catalog: each resolver with its bundled code and data source', () => {
    const deployed = resources(prod, 'aws_appsync_resolver');
    expect(deployed).toHaveLength(prod.api.catalog.resolvers.length);
    for (const c of prod.api.catalog.resolvers) {
      const [, r] = deployed.find(([, b]) => b.type === c.typeName && b.field === c.fieldName) ?? [];
      expect(r?.kind).toBe(c.kind);
      expect(codeOf(prod, r?.code)).toBe(c.code);
      if (c.kind === 'UNIT') {
        const [dsName] = findBy(prod, 'aws_appsync_datasource', 'name', c.dataSource);
        expect(r?.data_source).toBe(ref('aws_appsync_datasource', dsName, 'name'));
      }
    }
  });

  it('pipeline resolvers run their functions in catalog order, each APPSYNC_JS with its code', () => {
    const pipelines = prod.api.catalog.resolvers.filter((c) => c.kind === 'PIPELINE');
    expect(pipelines.length).toBeGreaterThan(0);
    for (const c of pipelines) {
      const [, r] = findBy(prod, 'aws_appsync_resolver', 'field', c.fieldName);
      expect(r.data_source).toBeUndefined();
      const names = (r.pipeline_config.functions as string[]).map((id) => {
        const fnName = /^\$\{aws_appsync_function\.([^.]+)\.function_id\}$/.exec(id)?.[1] ?? '';
        const fn = prod.json.resource.aws_appsync_function[fnName] as Json;
        expect(fn.runtime).toEqual({ name: 'APPSYNC_JS', runtime_version: '1.0.0' });
        return [fn.name, codeOf(prod, fn.code)];
      });
      expect(names).toEqual(c.functions?.map((f) => [f.name, f.code]));
    }
  });

  it('a shared pipeline function (resolvers/functions/) is one aws_appsync_function every pipeline that runs it references', () => {
    const runs = prod.api.catalog.resolvers.flatMap((c) => (c.functions ?? []).filter((f) => f.name.startsWith('functions_')).map((f) => [f.name, c.fieldName]));
    expect(runs).toEqual([
      ['functions_getMember', 'addUserToGroup'],
      ['functions_getMember', 'removeUserFromGroup'],
    ]);
    const deployed = resources(prod, 'aws_appsync_function').filter(([, fn]) => fn.name === 'functions_getMember');
    expect(deployed).toHaveLength(1);
    const reference = `\${aws_appsync_function.${deployed[0][0]}.function_id}`;
    for (const field of ['addUserToGroup', 'removeUserFromGroup']) {
      expect(findBy(prod, 'aws_appsync_resolver', 'field', field)[1].pipeline_config.functions).toContain(reference);
    }
  });

  it('code travels as file() of an asset, so Terraform never reads template literals as interpolation', () => {
    const withTemplates = prod.api.catalog.resolvers.filter((c) => c.code.includes('${'));
    expect(withTemplates.length).toBeGreaterThan(0);
    for (const [, r] of resources(prod, 'aws_appsync_resolver')) expect(r.code).toMatch(/^\$\{file\("assets\//);
  });
});

describe('auth', () => {
  it('user pools by default, admitting exactly the project client ids, IAM additionally', () => {
    const [, api] = only(prod, 'aws_appsync_graphql_api');
    expect(api.authentication_type).toBe('AMAZON_COGNITO_USER_POOLS');
    expect(api.user_pool_config).toEqual({
      user_pool_id: ref('aws_cognito_user_pool', 'pool', 'id'),
      aws_region: prod.config.region,
      default_action: 'ALLOW',
      app_id_client_regex: `^(${ref('aws_cognito_user_pool_client', 'web', 'id')}|${ref('aws_cognito_user_pool_client', 'cli', 'id')})$`,
    });
    expect(api.additional_authentication_provider).toEqual([{ authentication_type: 'AWS_IAM' }]);
  });

  it('the schema is schema.graphql verbatim', () => {
    expect(only(prod, 'aws_appsync_graphql_api')[1].schema).toBe(readFileSync(repoPath('schema.graphql'), 'utf8'));
  });

  it('refuses an empty client list', () => {
    expect(() => synthesize(stackConfig(loadConfig(), 'dev'), { appClientIds: [] })).toThrow(/appClientIds is empty/);
  });
});

describe('API settings', () => {
  it('limits and tracing from the config', () => {
    const [, api] = only(prod, 'aws_appsync_graphql_api');
    expect(api.query_depth_limit).toBe(prod.config.api.queryDepthLimit);
    expect(api.resolver_count_limit).toBe(prod.config.api.resolverCountLimit);
    expect(api.xray_enabled).toBe(true);
  });

  it('introspection follows env.introspection (disabled in prod, enabled in dev)', () => {
    expect(prod.config.env.introspection).toBe(false);
    expect(only(prod, 'aws_appsync_graphql_api')[1].introspection_config).toBe('DISABLED');
    expect(dev.config.env.introspection).toBe(true);
    expect(only(dev, 'aws_appsync_graphql_api')[1].introspection_config).toBe('ENABLED');
  });

  it('logs errors only, without verbose content, to a log group with retention', () => {
    const [apiName, api] = only(prod, 'aws_appsync_graphql_api');
    const [logGroupName, logGroup] = only(prod, 'aws_cloudwatch_log_group');
    expect(logGroup).toMatchObject({
      name: `/aws/appsync/apis/${ref('aws_appsync_graphql_api', apiName, 'id')}`,
      retention_in_days: 365,
      kms_key_id: ref('aws_kms_key', only(prod, 'aws_kms_key')[0], 'arn'),
    });
    const roleName = roleNamed(prod, 'content-prod-api-logs');
    expect(api.log_config).toEqual({
      cloudwatch_logs_role_arn: ref('aws_iam_role', roleName, 'arn'),
      field_log_level: 'ERROR',
      exclude_verbose_content: true,
    });
    expect(policyOf(prod, roleName)).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: [`${ref('aws_cloudwatch_log_group', logGroupName, 'arn')}:*`],
      },
    ]);
  });

  /** `${local.x}` of the local holding field `field` of the test pool's ARN (1 partition, 4 account). */
  const arnPartLocal = (s: Synthesized, field: number): string => {
    const locals = (s.json.locals ?? {}) as Record<string, string>;
    const name = Object.keys(locals).find((k) => locals[k] === `\${element(split(":", aws_cognito_user_pool.pool.arn), ${field})}`);
    if (!name) throw new Error(`no local reads field ${field} of the pool ARN: ${JSON.stringify(locals)}`);
    return `\${local.${name}}`;
  };

  it("the log role is assumable by AppSync only for this account's APIs in this region (no data source: plans offline)", () => {
    const [, role] = findBy(prod, 'aws_iam_role', 'name', 'content-prod-api-logs');
    const account = arnPartLocal(prod, 4);
    expect(JSON.parse(role.assume_role_policy as string).Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'appsync.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: { 'aws:SourceAccount': account },
          ArnLike: { 'aws:SourceArn': `arn:${arnPartLocal(prod, 1)}:appsync:${prod.config.region}:${account}:apis/*` },
        },
      },
    ]);
    expect(prod.json.data).toBeUndefined();
  });

  it("the log key rotates, and its policy lets CloudWatch Logs use it for the API's log group only", () => {
    const [, key] = only(prod, 'aws_kms_key');
    const [apiName] = only(prod, 'aws_appsync_graphql_api');
    expect(key.enable_key_rotation).toBe(true);
    const account = arnPartLocal(prod, 4);
    const partition = arnPartLocal(prod, 1);
    const statements = JSON.parse(key.policy as string).Statement;
    expect(statements[0]).toEqual({
      Sid: 'AccountAdministersKeyThroughIam',
      Effect: 'Allow',
      Principal: { AWS: `arn:${partition}:iam::${account}:root` },
      Action: 'kms:*',
      Resource: '*',
    });
    expect(statements[1]).toMatchObject({
      Principal: { Service: `logs.${prod.config.region}.amazonaws.com` },
      Condition: {
        ArnEquals: {
          'kms:EncryptionContext:aws:logs:arn': [
            `arn:${partition}:logs:${prod.config.region}:${account}:log-group:/aws/appsync/apis/${ref('aws_appsync_graphql_api', apiName, 'id')}`,
          ],
        },
      },
    });
    expect(statements).toHaveLength(2);
  });

  it('deploys no server-side cache: cached answers would outlive group changes', () => {
    expect(resources(dev, 'aws_appsync_api_cache')).toHaveLength(0);
    expect(resources(prod, 'aws_appsync_api_cache')).toHaveLength(0);
  });

  it('environment variables: the pool id, the configured groups and the row-rule group lists', () => {
    const [, env] = only(prod, 'terraform_data');
    const [apiName] = only(prod, 'aws_appsync_graphql_api');
    expect(env.input).toEqual({
      api_id: ref('aws_appsync_graphql_api', apiName, 'id'),
      region: prod.config.region,
      variables: {
        USER_POOL_ID: ref('aws_cognito_user_pool', 'pool', 'id'),
        CONFIGURED_GROUPS: prod.config.groups.map((g) => g.name).join(','),
        ...Object.fromEntries(Object.entries(prod.config.api.groupVariables).map(([n, groups]) => [n, groups.join(',')])),
      },
    });
    expect(env.triggers_replace).toEqual(env.input);
    expect(env.provisioner[0]['local-exec'].command).toMatch(/^aws appsync put-graphql-api-environment-variables /);
  });
});

describe('WAF', () => {
  it('prod: a regional web ACL with a per-IP rate rule from the config, on the API', () => {
    const [aclName, acl] = only(prod, 'aws_wafv2_web_acl');
    expect(acl.scope).toBe('REGIONAL');
    expect(acl.default_action).toEqual({ allow: {} });
    expect(acl.rule).toHaveLength(1);
    expect(acl.rule[0].action).toEqual({ block: {} });
    expect(acl.rule[0].statement).toEqual({
      rate_based_statement: { limit: prod.config.env.waf.requestsPer5Minutes, aggregate_key_type: 'IP' },
    });
    const [, assoc] = only(prod, 'aws_wafv2_web_acl_association');
    expect(assoc).toMatchObject({
      resource_arn: ref('aws_appsync_graphql_api', only(prod, 'aws_appsync_graphql_api')[0], 'arn'),
      web_acl_arn: ref('aws_wafv2_web_acl', aclName, 'arn'),
    });
  });

  it('dev (waf.enabled false): none', () => {
    expect(dev.config.env.waf.enabled).toBe(false);
    expect(resources(dev, 'aws_wafv2_web_acl')).toHaveLength(0);
    expect(resources(dev, 'aws_wafv2_web_acl_association')).toHaveLength(0);
  });
});

describe('articles table', () => {
  it('keys, index, on demand, PITR, encryption, deletion protection', () => {
    const [, table] = only(prod, 'aws_dynamodb_table');
    expect(table).toMatchObject({
      name: 'content-prod-articles',
      billing_mode: 'PAY_PER_REQUEST',
      hash_key: 'id',
      attribute: [
        { name: 'id', type: 'S' },
        { name: 'status', type: 'S' },
        { name: 'createdAt', type: 'S' },
      ],
      global_secondary_index: [{ name: 'byStatus', hash_key: 'status', range_key: 'createdAt', projection_type: 'ALL' }],
      point_in_time_recovery: { enabled: true },
      server_side_encryption: { enabled: true },
      deletion_protection_enabled: true,
      lifecycle: { prevent_destroy: true },
    });
    expect(table.range_key).toBeUndefined();
  });

  it('deletion protection follows env.deletionProtection', () => {
    const raw = { ...project, environments: { ...project.environments, dev: { ...project.environments.dev, deletionProtection: false } } };
    const unprotected = synthesize(stackConfig(resolveConfig(raw), 'dev'));
    expect(only(unprotected, 'aws_dynamodb_table')[1]).toMatchObject({ deletion_protection_enabled: false, lifecycle: { prevent_destroy: false } });
  });
});

describe('data sources and their roles (least privilege)', () => {
  it('articles: the table, a role allowing only the item and query actions on it and its indexes', () => {
    const [tableName] = only(prod, 'aws_dynamodb_table');
    const [, ds] = findBy(prod, 'aws_appsync_datasource', 'name', 'articles');
    expect(ds.type).toBe('AMAZON_DYNAMODB');
    expect(ds.dynamodb_config).toEqual({ table_name: ref('aws_dynamodb_table', tableName, 'name'), region: prod.config.region });
    const role = roleNamed(prod, 'content-prod-api-articles');
    expect(ds.service_role_arn).toBe(ref('aws_iam_role', role, 'arn'));
    expect(policyOf(prod, role)).toEqual([
      {
        Sid: 'ArticleItems',
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'],
        Resource: [ref('aws_dynamodb_table', tableName, 'arn')],
      },
      { Sid: 'ArticleIndexes', Effect: 'Allow', Action: ['dynamodb:Query'], Resource: [`${ref('aws_dynamodb_table', tableName, 'arn')}/index/*`] },
    ]);
  });

  it('the articles role covers every DynamoDB operation the article resolvers request', () => {
    const codes = prod.api.catalog.resolvers.flatMap((r) => [
      ...(r.dataSource === 'articles' ? [r.code] : []),
      ...(r.functions ?? []).filter((f) => f.dataSource === 'articles').map((f) => f.code),
    ]);
    const operations = new Set(codes.flatMap((code) => [...code.matchAll(/operation:\s*"(\w+)"/g)].map((m) => m[1])));
    expect(operations.size).toBeGreaterThan(0);
    for (const op of operations) expect(ARTICLE_TABLE_ACTIONS).toContain(`dynamodb:${op}`);
  });

  it('cognito: SigV4-signed HTTP to the regional user pool API, a role for group membership on this pool only', () => {
    const [, ds] = findBy(prod, 'aws_appsync_datasource', 'name', 'cognito');
    expect(ds.type).toBe('HTTP');
    expect(ds.http_config).toEqual({
      endpoint: `https://cognito-idp.${prod.config.region}.amazonaws.com`,
      authorization_config: {
        authorization_type: 'AWS_IAM',
        aws_iam_config: { signing_region: prod.config.region, signing_service_name: 'cognito-idp' },
      },
    });
    const role = roleNamed(prod, 'content-prod-api-cognito');
    expect(ds.service_role_arn).toBe(ref('aws_iam_role', role, 'arn'));
    expect(policyOf(prod, role)).toEqual([
      {
        Sid: 'GroupMembership',
        Effect: 'Allow',
        Action: [
          'cognito-idp:ListUsersInGroup',
          'cognito-idp:AdminAddUserToGroup',
          'cognito-idp:AdminRemoveUserFromGroup',
          'cognito-idp:AdminGetUser',
          'cognito-idp:AdminListGroupsForUser',
        ],
        Resource: [ref('aws_cognito_user_pool', 'pool', 'arn')],
      },
    ]);
  });

  it('none: a NONE data source without a role', () => {
    const [, ds] = findBy(prod, 'aws_appsync_datasource', 'name', 'none');
    expect(ds.type).toBe('NONE');
    expect(ds.service_role_arn).toBeUndefined();
    expect(resources(prod, 'aws_appsync_datasource').map(([, d]) => d.name).sort()).toEqual(['articles', 'cognito', 'none']);
  });

  it('data-source roles trust AppSync on behalf of this API only', () => {
    const [apiName] = only(prod, 'aws_appsync_graphql_api');
    for (const name of ['content-prod-api-articles', 'content-prod-api-cognito']) {
      const [, role] = findBy(prod, 'aws_iam_role', 'name', name);
      expect(JSON.parse(role.assume_role_policy as string).Statement).toEqual([
        {
          Effect: 'Allow',
          Principal: { Service: 'appsync.amazonaws.com' },
          Action: 'sts:AssumeRole',
          Condition: { ArnEquals: { 'aws:SourceArn': ref('aws_appsync_graphql_api', apiName, 'arn') } },
        },
      ]);
    }
  });
});

describe('IAM callers', () => {
  const fieldArns = (s: Synthesized, fields: string[]) => {
    const arn = ref('aws_appsync_graphql_api', only(s, 'aws_appsync_graphql_api')[0], 'arn');
    return fields.map((f) => `${arn}/types/${f.split('.')[0]}/fields/${f.split('.')[1]}`);
  };

  it('a service caller gets its own role, assumable by that service, allowed appsync:GraphQL on its fields only', () => {
    const caller = prod.config.api.iamCallers.find((c) => 'service' in c.principal);
    if (!caller || !('service' in caller.principal)) throw new Error('the config has no service caller');
    const [roleName, role] = findBy(prod, 'aws_iam_role', 'name', `content-prod-caller-${caller.name}`);
    expect(JSON.parse(role.assume_role_policy as string).Statement[0].Principal).toEqual({ Service: caller.principal.service });
    expect(policyOf(prod, roleName)).toEqual([
      { Sid: 'GraphqlFields', Effect: 'Allow', Action: ['appsync:GraphQL'], Resource: fieldArns(prod, [...caller.fields]) },
    ]);
    expect(prod.api.iamCallerRoles[caller.name]).toBeDefined();
  });

  it("a group caller's grant goes on that group's identity-pool role", () => {
    expect(policyOf(prod, 'group-editors')).toEqual([
      { Sid: 'GraphqlFields', Effect: 'Allow', Action: ['appsync:GraphQL'], Resource: fieldArns(prod, ['Query.articles', 'Query.article']) },
    ]);
    expect(policyOf(prod, 'group-admins')).toEqual([]);
    expect(resources(prod, 'aws_iam_role').map(([, r]) => r.name)).not.toContain('content-prod-caller-editor-tools');
  });

  it('a group caller naming a group without a role is refused with the config key', () => {
    const raw = { ...project, api: { ...project.api, iamCallers: [{ name: 'x', principal: { group: 'editors' }, fields: ['Query.articles'] }] } };
    expect(() => synthesize(stackConfig(resolveConfig(raw), 'dev'), { groupRoles: {} })).toThrow(
      /api\.iamCallers\[0\]\.principal\.group = "editors": expected a group with an identity-pool role/,
    );
  });
});

describe('terraform', () => {
  it('the prod stack plans offline with the real aws 5.100.0 provider, adding every synthesized resource', () => {
    requireTerraform();
    const workDir = mkdtempSync(join(tmpdir(), 'graphql-api-terraform-'));
    outdirs.push(workDir);
    const env = offlineTerraformEnv(workDir);
    terraform(['init', '-input=false'], prod.dir, env);
    const plan = terraform(['plan', '-input=false', '-lock=false', '-refresh=false'], prod.dir, env);
    expect(planSummary(plan.stdout)).toEqual({ add: countResources(prod.json), change: 0, destroy: 0 });
  });
});
