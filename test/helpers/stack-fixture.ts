import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { temporaryDir } from './temp-dirs';

/**
 * A small synthesized-stack document in the shape cdktf writes (resource blocks keyed by type
 * and logical id, `${...}` references, nested blocks as lists, code in `file("assets/...")`),
 * for reader tests that need cases the real stack does not have. Tests of the real stack
 * synthesize it (see local-stack.ts).
 */
export function fixtureStack(): Record<string, any> {
  const pool = 'aws_cognito_user_pool.directory_pool_AAAA';
  const api = 'aws_appsync_graphql_api.api_graphql_BBBB';
  return {
    provider: { aws: [{ region: 'eu-west-1' }] },
    resource: {
      aws_cognito_user_pool: { directory_pool_AAAA: { name: 'content-dev', username_attributes: ['email'] } },
      aws_cognito_user_pool_client: {
        clients_web_CCCC: {
          name: 'content-dev-web',
          user_pool_id: `\${${pool}.id}`,
          generate_secret: false,
          explicit_auth_flows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
          access_token_validity: 60,
          token_validity_units: [{ access_token: 'minutes', id_token: 'minutes', refresh_token: 'days' }],
        },
        clients_server_DDDD: { name: 'content-dev-server', user_pool_id: `\${${pool}.id}`, generate_secret: true, explicit_auth_flows: [] },
      },
      aws_cognito_user_group: {
        g_admins: { name: 'admins', description: 'Admins', precedence: 1, user_pool_id: `\${${pool}.id}` },
        g_editors: { name: 'editors', description: 'Editors', precedence: 2, user_pool_id: `\${${pool}.id}` },
      },
      aws_dynamodb_table: {
        table_EEEE: {
          name: 'content-dev-articles',
          hash_key: 'id',
          attribute: [
            { name: 'id', type: 'S' },
            { name: 'status', type: 'S' },
            { name: 'createdAt', type: 'S' },
          ],
          global_secondary_index: [{ name: 'byStatus', hash_key: 'status', range_key: 'createdAt', projection_type: 'ALL' }],
        },
      },
      aws_appsync_graphql_api: {
        api_graphql_BBBB: {
          name: 'content-dev-api',
          authentication_type: 'AMAZON_COGNITO_USER_POOLS',
          user_pool_config: [
            {
              user_pool_id: `\${${pool}.id}`,
              default_action: 'ALLOW',
              app_id_client_regex:
                '^(${aws_cognito_user_pool_client.clients_web_CCCC.id}|${aws_cognito_user_pool_client.clients_server_DDDD.id})$',
            },
          ],
          additional_authentication_provider: [{ authentication_type: 'AWS_IAM' }],
          schema: 'type Query { me: String @aws_cognito_user_pools }',
        },
      },
      terraform_data: {
        api_env_FFFF: {
          input: {
            api_id: `\${${api}.id}`,
            region: 'eu-west-1',
            variables: { USER_POOL_ID: `\${${pool}.id}`, CONFIGURED_GROUPS: 'admins,editors' },
          },
        },
      },
      aws_appsync_datasource: {
        ds_articles: {
          api_id: `\${${api}.id}`,
          name: 'articles',
          type: 'AMAZON_DYNAMODB',
          dynamodb_config: [{ table_name: '${aws_dynamodb_table.table_EEEE.name}' }],
        },
        ds_cognito: {
          api_id: `\${${api}.id}`,
          name: 'cognito',
          type: 'HTTP',
          http_config: [{ endpoint: 'https://cognito-idp.eu-west-1.amazonaws.com' }],
        },
        ds_none: { api_id: `\${${api}.id}`, name: 'none', type: 'NONE' },
      },
      aws_appsync_function: {
        fn_check: {
          api_id: `\${${api}.id}`,
          name: 'Mutation_addUserToGroup_1_check',
          data_source: '${aws_appsync_datasource.ds_none.name}',
          code: '${file("assets/fn/check.js")}',
          runtime: [{ name: 'APPSYNC_JS', runtime_version: '1.0.0' }],
        },
      },
      aws_appsync_resolver: {
        r_me: {
          api_id: `\${${api}.id}`,
          type: 'Query',
          field: 'me',
          kind: 'UNIT',
          data_source: '${aws_appsync_datasource.ds_none.name}',
          code: '${file("assets/r/me.js")}',
          runtime: [{ name: 'APPSYNC_JS', runtime_version: '1.0.0' }],
        },
        r_add: {
          api_id: `\${${api}.id}`,
          type: 'Mutation',
          field: 'addUserToGroup',
          kind: 'PIPELINE',
          code: '${file("assets/r/add.js")}',
          pipeline_config: [{ functions: ['${aws_appsync_function.fn_check.function_id}'] }],
          runtime: [{ name: 'APPSYNC_JS', runtime_version: '1.0.0' }],
        },
      },
    },
    output: {
      client_config: { value: { Auth: { Cognito: { userPoolClientId: '${aws_cognito_user_pool_client.clients_web_CCCC.id}' } } } },
    },
  };
}

/** The asset files `fixtureStack()` refers to, by path relative to the stack directory. */
export const FIXTURE_ASSETS: Readonly<Record<string, string>> = {
  'assets/fn/check.js': 'export function request() { return {}; }\nexport function response(ctx) { return ctx.prev.result; }\n',
  'assets/r/me.js':
    'export function request() { return { payload: null }; }\nexport function response(ctx) { return `${ctx.identity.sub}`; }\n',
  'assets/r/add.js': 'export function request() { return {}; }\nexport function response(ctx) { return ctx.prev.result; }\n',
};

/** Writes a stack document (and the fixture assets) as `<tmp>/stacks/<env>/cdk.tf.json`; returns its path. */
export function writeFixtureStack(doc: Record<string, unknown>, env = 'dev'): string {
  const dir = path.join(temporaryDir('local-stack-'), 'stacks', env);
  for (const [file, text] of Object.entries(FIXTURE_ASSETS)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  const stackFile = path.join(dir, 'cdk.tf.json');
  writeFileSync(stackFile, JSON.stringify(doc, null, 2));
  return stackFile;
}
