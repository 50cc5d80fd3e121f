import * as path from 'node:path';
import { loadAppSyncSchema, SCHEMA_FILE } from '../access/appsync-schema';
import { loadConfig } from '../config';
import { repoRoot } from '../config/paths';
import { loadResolverCatalog } from '../constructs/resolver-catalog';
import { localClientId, localPoolId, readLocalStack, StackReadError } from '../local/stack-reader';
import { synthesizeLocalStack } from './helpers/local-stack';
import { FIXTURE_ASSETS, fixtureStack, writeFixtureStack } from './helpers/stack-fixture';
import { removeTemporaryDirs } from './helpers/temp-dirs';

describe('readLocalStack on a cdktf-shaped document', () => {
  const file = writeFixtureStack(fixtureStack());
  const stack = readLocalStack(file);
  const poolId = localPoolId('eu-west-1', 'dev');

  test('region, environment and an AWS-shaped local pool id', () => {
    expect(stack.region).toBe('eu-west-1');
    expect(stack.env).toBe('dev');
    expect(stack.userPool.poolId).toBe(poolId);
    expect(poolId).toMatch(/^eu-west-1_[A-Za-z0-9]+$/);
  });

  test('client references in app_id_client_regex become the local client ids', () => {
    const web = localClientId(poolId, 'clients_web_CCCC');
    const server = localClientId(poolId, 'clients_server_DDDD');
    expect(stack.api.appIdClientRegex).toBe(`^(${web}|${server})$`);
    expect(new RegExp(stack.api.appIdClientRegex as string).test(web)).toBe(true);
    expect(web).toMatch(/^[a-z0-9]{26}$/);
    expect(web).not.toBe(server);
  });

  test('environment variables come from the terraform_data of the API, references resolved', () => {
    expect(stack.api.environmentVariables).toEqual({ USER_POOL_ID: poolId, CONFIGURED_GROUPS: 'admins,editors' });
    expect(stack.api.additionalModes).toEqual(['AWS_IAM']);
  });

  test('resolver code is read from file() assets; pipelines list their functions in order', () => {
    const me = stack.resolvers.find((r) => r.fieldName === 'me');
    expect(me).toMatchObject({ typeName: 'Query', kind: 'UNIT', dataSource: 'none', code: FIXTURE_ASSETS['assets/r/me.js'] });
    const add = stack.resolvers.find((r) => r.fieldName === 'addUserToGroup');
    expect(add?.kind).toBe('PIPELINE');
    expect(add?.functions).toEqual([
      { name: 'Mutation_addUserToGroup_1_check', dataSource: 'none', code: FIXTURE_ASSETS['assets/fn/check.js'] },
    ]);
  });

  test('data sources resolve the table reference to the table name', () => {
    expect(stack.dataSources).toEqual([
      { name: 'articles', type: 'AMAZON_DYNAMODB', tableName: 'content-dev-articles' },
      { name: 'cognito', type: 'HTTP', endpoint: 'https://cognito-idp.eu-west-1.amazonaws.com' },
      { name: 'none', type: 'NONE' },
    ]);
    expect(stack.tables[0]).toMatchObject({
      name: 'content-dev-articles',
      hashKey: 'id',
      globalSecondaryIndexes: [{ name: 'byStatus', hashKey: 'status', rangeKey: 'createdAt', projectionType: 'ALL' }],
    });
  });

  test('groups, clients and the web client named by the client_config output', () => {
    expect(stack.userPool.groups.map((g) => g.name)).toEqual(['admins', 'editors']);
    expect(stack.userPool.webClient.logicalName).toBe('clients_web_CCCC');
    expect(stack.userPool.clients.find((c) => c.logicalName === 'clients_server_DDDD')?.generateSecret).toBe(true);
    expect(stack.userPool.webClient).toMatchObject({ accessTokenValidity: 60, tokenValidityUnits: { accessToken: 'minutes' } });
  });
});

describe('readLocalStack refuses what it cannot run, naming the key', () => {
  function readWith(change: (doc: Record<string, any>) => void): () => unknown {
    const doc = fixtureStack();
    change(doc);
    const file = writeFixtureStack(doc);
    return () => readLocalStack(file);
  }

  test('an MFA setting Cognito does not have, or a password length out of range', () => {
    const mfa = readWith((d) => (d.resource.aws_cognito_user_pool.directory_pool_AAAA.mfa_configuration = 'SOMETIMES'));
    expect(mfa).toThrow('resource.aws_cognito_user_pool.directory_pool_AAAA.mfa_configuration = "SOMETIMES": expected OFF, ON or OPTIONAL');
    const length = readWith((d) => (d.resource.aws_cognito_user_pool.directory_pool_AAAA.password_policy = [{ minimum_length: 3 }]));
    expect(length).toThrow('password_policy.minimum_length = 3: expected an integer from 6 to 99');
  });

  test('a missing stack file says to synthesize', () => {
    expect(() => readLocalStack('/nonexistent/stacks/dev/cdk.tf.json')).toThrow(/npm run synth/);
  });

  test('a VTL resolver', () => {
    const read = readWith((d) => {
      d.resource.aws_appsync_resolver.r_me.runtime = undefined;
    });
    expect(read).toThrow(StackReadError);
    expect(read).toThrow(/aws_appsync_resolver\.r_me\.runtime\.name.*APPSYNC_JS/);
  });

  test('a reference to something the local mode cannot know', () => {
    const read = readWith((d) => {
      d.resource.terraform_data.api_env_FFFF.input.variables.ACCOUNT = '${data.aws_caller_identity.me.account_id}';
    });
    expect(read).toThrow(/input\.variables\.ACCOUNT = .*aws_caller_identity/);
  });

  test('a missing asset file names the path', () => {
    const read = readWith((d) => {
      d.resource.aws_appsync_resolver.r_me.code = '${file("assets/r/gone.js")}';
    });
    expect(read).toThrow(/aws_appsync_resolver\.r_me\.code = "assets\/r\/gone\.js"/);
  });

  test('two APIs in one stack', () => {
    const read = readWith((d) => {
      d.resource.aws_appsync_graphql_api.other = d.resource.aws_appsync_graphql_api.api_graphql_BBBB;
    });
    expect(read).toThrow(/exactly one aws_appsync_graphql_api/);
  });

  test('a pipeline naming a function that is not in the stack', () => {
    const read = readWith((d) => {
      d.resource.aws_appsync_resolver.r_add.pipeline_config[0].functions = ['${aws_appsync_function.gone.function_id}'];
    });
    expect(read).toThrow(/r_add\.pipeline_config\.functions\[0\]/);
  });
});

describe('readLocalStack on the synthesized dev stack', () => {
  const config = loadConfig();
  const stack = readLocalStack(synthesizeLocalStack());
  const { sdl, schema } = loadAppSyncSchema(path.join(repoRoot(), SCHEMA_FILE));

  test('the schema is schema.graphql', () => {
    expect(stack.schemaSdl.trim()).toBe(sdl.trim());
  });

  test("the pool's password policy, temporary-password validity and MFA setting are the config's", () => {
    const dev = config.environments[config.local.environment];
    expect(stack.userPool.passwordPolicy).toEqual({
      minimumLength: config.userPool.passwordMinLength,
      requireLowercase: true,
      requireUppercase: true,
      requireNumbers: true,
      requireSymbols: true,
      temporaryPasswordValidityDays: config.userPool.temporaryPasswordValidityDays,
    });
    expect(stack.userPool.mfaConfiguration).toBe(dev.mfa);
    expect(stack.userPool.softwareTokenMfa).toBe(true);
  });

  test('groups are the config groups, in precedence order', () => {
    expect(stack.userPool.groups).toEqual(
      config.groups.map((g) => ({ name: g.name, description: g.description, precedence: g.precedence }))
    );
  });

  test('app_id_client_regex admits the web client and not the client-credentials server client; the web client has no secret', () => {
    const regex = new RegExp(stack.api.appIdClientRegex as string);
    const admitted = stack.userPool.clients.filter((c) => regex.test(c.clientId)).map((c) => c.logicalName);
    expect(admitted).toEqual([stack.userPool.webClient.logicalName]);
    expect(stack.userPool.clients.map((c) => c.name)).toContain('content-dev-server');
    expect(regex.test(localClientId(stack.userPool.poolId, 'not-a-client'))).toBe(false);
    expect(stack.userPool.webClient.generateSecret).toBe(false);
  });

  test('resolvers are the resolver catalog: same fields, kinds, data sources and bundled code', () => {
    const catalog = loadResolverCatalog({
      dir: path.join(repoRoot(), 'resolvers'),
      schema,
      dataSourceNames: stack.dataSources.map((d) => d.name),
    });
    const key = (r: { typeName: string; fieldName: string }) => `${r.typeName}.${r.fieldName}`;
    const read = [...stack.resolvers].sort((a, b) => key(a).localeCompare(key(b)));
    expect(read.length).toBeGreaterThan(0);
    expect(read.map(key)).toEqual(catalog.resolvers.map(key));
    read.forEach((r, i) => {
      const c = catalog.resolvers[i];
      expect({ kind: r.kind, dataSource: r.dataSource, code: r.code }).toEqual({ kind: c.kind, dataSource: c.dataSource, code: c.code });
      expect(r.functions?.map((f) => [f.name, f.dataSource, f.code])).toEqual(c.functions?.map((f) => [f.name, f.dataSource, f.code]));
    });
  });

  test('every DynamoDB data source names a table of the stack; tables have keys', () => {
    const tables = new Set(stack.tables.map((t) => t.name));
    const dynamo = stack.dataSources.filter((d) => d.type === 'AMAZON_DYNAMODB');
    expect(dynamo.length).toBeGreaterThan(0);
    for (const d of dynamo) expect(tables.has(d.tableName as string)).toBe(true);
    for (const t of stack.tables) expect(t.attributes.map((a) => a.name)).toContain(t.hashKey);
  });

  test('ctx.env carries the local pool id and the configured groups', () => {
    expect(stack.api.environmentVariables.USER_POOL_ID).toBe(stack.userPool.poolId);
    expect(stack.api.environmentVariables.CONFIGURED_GROUPS?.split(',')).toEqual(config.groups.map((g) => g.name));
  });
});

// The temporary folders of the stacks and data above (after every server of the file has closed).
afterAll(removeTemporaryDirs);
