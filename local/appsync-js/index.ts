/**
 * The project's local APPSYNC_JS runtime: runs the exact resolver bundles synth uploads (from
 * `constructs/resolver-catalog.ts`) against local data sources. No package provides this
 * (`@aws-appsync/utils` ships types only). It knows nothing about auth: the endpoint decides
 * field access before calling `resolveField`, as AppSync does.
 *
 * Public API (used by the local GraphQL endpoint):
 *   const runtime = createAppSyncJsRuntime({ dataSources, dynamodb: { endpoint, region, transport? }, env, httpEndpointOverrides? });
 *   runtime.prepare(resolvers)            // optional: refuse bad code at start-up
 *   await runtime.resolveField(resolver, { arguments, source, identity, request, info })
 *     -> { data, errors: [{ message, errorType, data, errorInfo }], extensions? }
 *   runtime.close()
 * `resolveField` rejects only with AppSyncJsCodeError (code AppSync would refuse to deploy) or
 * for a resolver naming an unknown data source; everything else is a field error.
 */
import * as path from 'node:path';
import { DynamoDbDataSource } from './data-sources/dynamodb';
import { createSdkTransport } from './data-sources/dynamodb-sdk-transport';
import type { DynamoDbTransport } from './data-sources/dynamodb-transport';
import { HttpDataSource, signingFromEndpoint } from './data-sources/http';
import { NoneDataSource } from './data-sources/none';
import type { DataSourceInvoker } from './data-sources/types';
import { executeResolver } from './resolver-runner';
import { ModuleLoader } from './module-loader';
import type { AppSyncJsRuntimeOptions, DataSourceConfig, FieldContext, FieldResult, ResolverCode } from './types';
import { createUtilsModule } from './utils-module';
import { LOCAL_AWS_CREDENTIALS, type AwsCredentials } from '../aws-credentials';

export * from './types';
export { AppSyncJsCodeError } from './code-checks';

export interface AppSyncJsRuntime {
  /** Runs one field's resolver. */
  resolveField(resolver: ResolverCode, ctx: FieldContext): Promise<FieldResult>;
  /** Loads and checks every bundle now; throws AppSyncJsCodeError naming the first bad one. */
  prepare(resolvers: readonly ResolverCode[]): void;
  /** Releases the sockets of the DynamoDB client it created (a given `dynamodb.transport` is the caller's). */
  close(): void;
}

/** Deadline of one HTTP data-source call, like AppSync's 30 s resolver limit. */
const HTTP_TIMEOUT_MS = 30_000;

export function createAppSyncJsRuntime(options: AppSyncJsRuntimeOptions): AppSyncJsRuntime {
  const credentials = LOCAL_AWS_CREDENTIALS;
  // The caller's transport when given (the local mode's in-process dynalite); else an SDK client it owns.
  const owned = options.dynamodb.transport
    ? undefined
    : createSdkTransport({ endpoint: options.dynamodb.endpoint, region: options.dynamodb.region, credentials });
  const dynamodb: DynamoDbTransport = options.dynamodb.transport ?? owned!;
  const dataSources = new Map<string, DataSourceInvoker>();
  for (const config of options.dataSources) {
    if (dataSources.has(config.name)) throw new Error(`Data source "${config.name}" is defined twice`);
    dataSources.set(config.name, createDataSource(config, options, credentials, dynamodb));
  }
  const loader = new ModuleLoader(createUtilsModule(options.clock ?? Date.now), options.log ?? defaultLog, options.cacheDir && path.join(options.cacheDir, 'resolvers'));
  const env = Object.freeze({ ...options.env });

  const dataSource = (name: string, resolverName: string): DataSourceInvoker => {
    const found = dataSources.get(name);
    if (!found) {
      throw new Error(`${resolverName} uses data source "${name}", which is not one of: ${[...dataSources.keys()].join(', ')}`);
    }
    return found;
  };

  return {
    resolveField: (resolver, ctx) => executeResolver({ loader, dataSource, env }, resolver, ctx),
    prepare(resolvers) {
      for (const r of resolvers) {
        const name = `${r.typeName}.${r.fieldName}`;
        loader.load(name, r.code);
        if (r.dataSource) dataSource(r.dataSource, name);
        for (const fn of r.functions ?? []) {
          loader.load(`${name} function ${fn.name}`, fn.code);
          dataSource(fn.dataSource, `${name} function ${fn.name}`);
        }
      }
    },
    close: () => owned?.close(),
  };
}

function createDataSource(
  config: DataSourceConfig,
  options: AppSyncJsRuntimeOptions,
  credentials: AwsCredentials,
  transport: DynamoDbTransport,
): DataSourceInvoker {
  switch (config.type) {
    case 'AMAZON_DYNAMODB':
      if (!config.tableName) throw new Error(`Data source "${config.name}" (AMAZON_DYNAMODB) needs a tableName`);
      return new DynamoDbDataSource({ name: config.name, tableName: config.tableName, transport });
    case 'HTTP': {
      const endpoint = options.httpEndpointOverrides?.[config.name] ?? config.endpoint;
      if (!endpoint) throw new Error(`Data source "${config.name}" (HTTP) needs an endpoint`);
      // Sign for the deployed endpoint's service/region even when the request goes elsewhere.
      const signing = config.signing ?? (config.endpoint ? signingFromEndpoint(config.endpoint) : undefined);
      return new HttpDataSource({
        name: config.name,
        endpoint,
        signing,
        credentials,
        timeoutMs: HTTP_TIMEOUT_MS,
      });
    }
    case 'NONE':
      return new NoneDataSource(config.name);
    default:
      throw new Error(`Data source "${config.name}" has type ${String((config as { type: unknown }).type)}; expected AMAZON_DYNAMODB, HTTP or NONE`);
  }
}

function defaultLog(level: string, resolverName: string, args: unknown[]): void {
  const method = level === 'error' || level === 'warn' ? level : 'log';
  console[method](`[appsync-js ${resolverName}]`, ...args);
}
