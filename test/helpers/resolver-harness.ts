/**
 * Runs the project's resolvers as deployed: bundled by constructs/resolver-catalog.ts (the same
 * code synth uploads) and executed by the local APPSYNC_JS runtime against dynalite and, for
 * the `cognito` HTTP data source, whatever endpoint the test gives.
 */
import { apiEnvironmentVariables } from '../../constructs/api-environment';
import { loadResolverCatalog } from '../../constructs/resolver-catalog';
import { DATA_SOURCE_NAMES } from '../../constructs/api-data-sources';
import { loadAppSyncSchema } from '../../access/appsync-schema';
import { loadConfig } from '../../config';
import { repoPath } from '../../config/paths';
import { createAppSyncJsRuntime } from '../../local/appsync-js';
import type { AppSyncJsRuntime, FieldResult, ResolverCode } from '../../local/appsync-js';
import { startTestDynamoDb } from './dynamodb';
import type { TestDynamoDb } from './dynamodb';

/** A user-pool caller as AppSync puts it in ctx.identity. */
export function userPoolCaller(username: string, groups: string[] | null) {
  return {
    sub: `sub-${username}`,
    username,
    groups,
    issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Test',
    claims: { sub: `sub-${username}`, email: `${username}@example.com`, 'cognito:username': username },
    sourceIp: ['127.0.0.1'],
    defaultAuthStrategy: 'ALLOW',
  };
}

/** A SigV4 (IAM) caller: no sub, no groups. */
export const IAM_CALLER = {
  accountId: '123456789012',
  userArn: 'arn:aws:sts::123456789012:assumed-role/content-indexer/session',
  username: 'AROAEXAMPLE:session',
  sourceIp: ['127.0.0.1'],
};

export type Identity = ReturnType<typeof userPoolCaller> | typeof IAM_CALLER | null;

export const USER_POOL_ID = 'eu-west-1_Test';

/** The API environment the resolvers read: the same values the construct deploys. */
function resolverEnv(): Record<string, string> {
  return apiEnvironmentVariables(loadConfig(), USER_POOL_ID);
}

export interface ResolverHarness {
  dynamo: TestDynamoDb;
  runtime: AppSyncJsRuntime;
  resolvers: Map<string, ResolverCode>;
  /** Resolves `Type.field` as `identity` with `args` (and `source` for nested fields). */
  call(field: string, identity: Identity, args?: Record<string, unknown>, source?: Record<string, unknown>): Promise<FieldResult>;
  /** Runs a given (e.g. deliberately altered) resolver the way `call` runs the catalog's. */
  callResolver(resolver: ResolverCode, identity: Identity, args?: Record<string, unknown>, source?: Record<string, unknown>): Promise<FieldResult>;
  close(): Promise<void>;
}

/** 2024-01-01T00:00:00Z, one second later on every reading: timestamps are distinct and ordered. */
function steppingClock(): () => number {
  let now = Date.parse('2024-01-01T00:00:00.000Z');
  return () => {
    now += 1000;
    return now;
  };
}

export async function startResolverHarness(options: { cognitoEndpoint?: string; tableName?: string } = {}): Promise<ResolverHarness> {
  const { schema } = loadAppSyncSchema(repoPath('schema.graphql'));
  const catalog = loadResolverCatalog({ dir: 'resolvers', schema, dataSourceNames: DATA_SOURCE_NAMES, root: repoPath('.') });
  const resolvers = new Map<string, ResolverCode>(catalog.resolvers.map((r) => [`${r.typeName}.${r.fieldName}`, r]));
  const dynamo = await startTestDynamoDb(options.tableName);
  const runtime = createAppSyncJsRuntime({
    dataSources: [
      { name: 'articles', type: 'AMAZON_DYNAMODB', tableName: dynamo.tableName },
      { name: 'cognito', type: 'HTTP', endpoint: 'https://cognito-idp.eu-west-1.amazonaws.com' },
      { name: 'none', type: 'NONE' },
    ],
    dynamodb: { endpoint: dynamo.endpoint, region: dynamo.region },
    httpEndpointOverrides: options.cognitoEndpoint ? { cognito: options.cognitoEndpoint } : {},
    env: resolverEnv(),
    clock: steppingClock(),
  });
  runtime.prepare([...resolvers.values()]);

  const callResolver: ResolverHarness['callResolver'] = (resolver, identity, args = {}, source) =>
    runtime.resolveField(resolver, {
      arguments: args,
      source: source ?? null,
      identity,
      request: { headers: {} },
      info: { fieldName: resolver.fieldName, parentTypeName: resolver.typeName, variables: {}, selectionSetList: [] },
    });
  const call: ResolverHarness['call'] = (field, identity, args, source) => {
    const resolver = resolvers.get(field);
    if (!resolver) throw new Error(`No resolver for ${field}; have ${[...resolvers.keys()].join(', ')}`);
    return callResolver(resolver, identity, args, source);
  };

  return {
    dynamo,
    runtime,
    resolvers,
    call,
    callResolver,
    close: async () => {
      runtime.close();
      await dynamo.close();
    },
  };
}
