import { Construct } from 'constructs';
import type { AppsyncDatasource } from '@cdktf/provider-aws/lib/appsync-datasource';
import { AppsyncFunction } from '@cdktf/provider-aws/lib/appsync-function';
import { AppsyncGraphqlApi } from '@cdktf/provider-aws/lib/appsync-graphql-api';
import { AppsyncResolver } from '@cdktf/provider-aws/lib/appsync-resolver';
import type { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import type { GraphQLSchema } from 'graphql';
import { loadAppSyncSchema, SCHEMA_FILE } from '../access/appsync-schema';
import { apiAuthFromConfig } from '../access/project-access';
import type { ResolvedConfig, ResolvedEnvironment } from '../config';
import { UserFacingError } from '../config/errors';
import { repoPath } from '../config/paths';
import { ApiDataSources, DATA_SOURCE_NAMES } from './api-data-sources';
import { ApiEnvironment } from './api-environment';
import { ApiIamCallers } from './api-iam-callers';
import { ApiLogRole } from './api-logging';
import type { AccountRef } from './arn-parts';
import type { LogKey } from './log-key';
import { ApiWaf } from './api-waf';
import { ArticleTable } from './article-table';
import { codeFile } from './code-asset';
import { resourceName } from './naming';
import { loadResolverCatalog, type ResolverCatalog, type ResolverCode, type ResolverFunctionCode } from './resolver-catalog';

/** Every resolver and function runs this runtime; the local mode runs nothing else. */
const APPSYNC_JS_RUNTIME = { name: 'APPSYNC_JS', runtimeVersion: '1.0.0' } as const;

/** What every GraphqlApi of the app deploys: the text of `schema.graphql` and the bundled resolvers. */
export interface ApiSource {
  readonly sdl: string;
  readonly catalog: ResolverCatalog;
}

/**
 * Reads `schema.graphql` (unless given already parsed) and bundles `resolvers/`. The app loads
 * it once and hands it to every environment's stack.
 */
export function loadApiSource(parsed: { sdl: string; schema: GraphQLSchema } = loadAppSyncSchema(repoPath(SCHEMA_FILE))): ApiSource {
  refuseTemplateSyntax(parsed.sdl);
  return {
    sdl: parsed.sdl,
    catalog: loadResolverCatalog({ dir: 'resolvers', schema: parsed.schema, dataSourceNames: DATA_SOURCE_NAMES }),
  };
}

export interface GraphqlApiProps {
  /** `<project>-<environment>`: names the API, its table, roles and WAF ACL. */
  readonly namePrefix: string;
  /** The API's region (the log role's trust and the environment-variables call name it). */
  readonly region: string;
  /** API name suffix, query limits and IAM callers (`config.api`, defaults filled in). */
  readonly api: Pick<ResolvedConfig['api'], 'name' | 'queryDepthLimit' | 'resolverCountLimit' | 'iamCallers'>;
  /** GraphQL introspection on or off. */
  readonly introspection: boolean;
  /** The rate-based WAF rule: on or off, and requests per 5 minutes per IP. */
  readonly waf: ResolvedEnvironment['waf'];
  /** Deletion protection of the articles table. */
  readonly deletionProtection: boolean;
  /** The API environment variables the resolvers read as `ctx.env` (`apiEnvironmentVariables`). */
  readonly environmentVariables: Readonly<Record<string, string>>;
  /** The user pool that signs the API's tokens (default auth mode). */
  readonly userPoolId: string;
  /** That pool's ARN: the `cognito` data source's role may act on this pool only. */
  readonly userPoolArn: string;
  /** The app clients whose users' tokens the API admits (`app_id_client_regex`); never a client-credentials client. */
  readonly appClientIds: readonly string[];
  /** Each group's identity-pool role, by group name (IAM callers of kind `group` are granted on these). */
  readonly groupRoles: Readonly<Record<string, IamRole>>;
  /** The schema and resolvers (`loadApiSource()`), loaded once for all stacks of the app. */
  readonly source: ApiSource;
  /** The stack's key for log groups (the API's log group). */
  readonly logKey: LogKey;
  /** The stack's account and partition (the log role's trust names them). */
  readonly account: AccountRef;
}

/**
 * The AppSync API: schema, auth (user pools by default, IAM additionally), data sources,
 * APPSYNC_JS resolvers from the resolver catalog, logging, limits, WAF, IAM callers.
 */
export class GraphqlApi extends Construct {
  /** The GraphQL endpoint URL. */
  readonly graphqlUrl: string;
  /** The role of every IAM caller in `config.api.iamCallers`, by caller name. */
  readonly iamCallerRoles: Readonly<Record<string, IamRole>>;
  readonly api: AppsyncGraphqlApi;
  readonly table: DynamodbTable;
  /** What was deployed: every resolver with its bundled code. */
  readonly catalog: ResolverCatalog;

  constructor(scope: Construct, id: string, props: GraphqlApiProps) {
    super(scope, id);
    const { namePrefix, region, api } = props;
    const { sdl, catalog } = props.source;
    this.catalog = catalog;
    // Before any resource: an empty list would admit the tokens of no client.
    const appIdClientRegex = clientIdRegex(props.appClientIds);

    // The same modes the access model assumes: IAM only when some caller is granted fields.
    const auth = apiAuthFromConfig({ api });
    const logRole = new ApiLogRole(this, 'logging', {
      roleName: resourceName(namePrefix, 'api-logs'),
      account: props.account,
      region,
    });
    this.api = new AppsyncGraphqlApi(this, 'api', {
      name: resourceName(namePrefix, api.name),
      schema: sdl,
      authenticationType: auth.defaultMode,
      userPoolConfig: {
        userPoolId: props.userPoolId,
        awsRegion: region,
        // ALLOW is the only value AppSync accepts with additional auth providers; the schema's
        // directives decide per field.
        defaultAction: 'ALLOW',
        appIdClientRegex,
      },
      additionalAuthenticationProvider: auth.additionalModes.map((mode) => ({ authenticationType: mode })),
      logConfig: { cloudwatchLogsRoleArn: logRole.role.arn, fieldLogLevel: 'ERROR', excludeVerboseContent: true },
      xrayEnabled: true,
      introspectionConfig: props.introspection ? 'ENABLED' : 'DISABLED',
      queryDepthLimit: api.queryDepthLimit,
      resolverCountLimit: api.resolverCountLimit,
    });
    this.graphqlUrl = this.api.uris.lookup('GRAPHQL');
    logRole.writeTo(this.api.id, props.logKey);

    this.table = new ArticleTable(this, 'articles', { namePrefix, deletionProtection: props.deletionProtection }).table;
    const dataSources = new ApiDataSources(this, 'data-sources', {
      apiId: this.api.id,
      apiArn: this.api.arn,
      region,
      table: this.table,
      userPoolArn: props.userPoolArn,
      roleNamePrefix: resourceName(namePrefix, 'api'),
    });
    for (const resolver of this.catalog.resolvers) this.addResolver(resolver, dataSources.byName);

    new ApiEnvironment(this, 'environment', {
      apiId: this.api.id,
      region,
      variables: props.environmentVariables,
    });

    if (props.waf.enabled) {
      new ApiWaf(this, 'waf', { name: resourceName(namePrefix, 'api'), apiArn: this.api.arn, requestsPer5Minutes: props.waf.requestsPer5Minutes });
    }
    this.iamCallerRoles = new ApiIamCallers(this, 'iam-callers', {
      callers: api.iamCallers,
      apiArn: this.api.arn,
      groupRoles: props.groupRoles,
      roleName: (caller) => resourceName(namePrefix, `caller-${caller}`),
    }).roles;
  }

  /** AppSync functions by name: a shared function (resolvers/functions/) is deployed once for every pipeline that runs it. */
  private readonly functionsByName = new Map<string, AppsyncFunction>();

  private appsyncFunction(fn: ResolverFunctionCode, dataSources: Readonly<Record<string, AppsyncDatasource>>): AppsyncFunction {
    const existing = this.functionsByName.get(fn.name);
    if (existing) return existing;
    const created = new AppsyncFunction(this, `function-${fn.name}`, {
      apiId: this.api.id,
      name: fn.name,
      description: fn.file,
      dataSource: dataSources[fn.dataSource].name,
      runtime: APPSYNC_JS_RUNTIME,
      code: codeFile(this, `code-${fn.name}`, `${fn.name}.js`, fn.code),
    });
    this.functionsByName.set(fn.name, created);
    return created;
  }

  private addResolver(resolver: ResolverCode, dataSources: Readonly<Record<string, AppsyncDatasource>>): void {
    const field = `${resolver.typeName}.${resolver.fieldName}`;
    const functions = (resolver.functions ?? []).map((fn) => this.appsyncFunction(fn, dataSources));
    new AppsyncResolver(this, `resolver-${resolver.typeName}-${resolver.fieldName}`, {
      apiId: this.api.id,
      type: resolver.typeName,
      field: resolver.fieldName,
      kind: resolver.kind,
      dataSource: resolver.dataSource === undefined ? undefined : dataSources[resolver.dataSource].name,
      pipelineConfig: resolver.kind === 'PIPELINE' ? { functions: functions.map((f) => f.functionId) } : undefined,
      runtime: APPSYNC_JS_RUNTIME,
      code: codeFile(this, `code-${field}`, `${field}.js`, resolver.code),
    });
  }
}

/**
 * `^(id1|id2)$` over the client ids (Terraform references until apply). Anchored: AppSync
 * matches the regex against the token's client id, and an unanchored id would admit any
 * client id that contains it.
 */
function clientIdRegex(clientIds: readonly string[]): string {
  if (clientIds.length === 0) throw new Error('GraphqlApi: appClientIds is empty; the API would admit tokens of no client');
  return `^(${clientIds.join('|')})$`;
}

/** Refuses schema text that Terraform would read in part as template syntax. */
function refuseTemplateSyntax(sdl: string): void {
  const template = /[$%]\{/.exec(sdl);
  if (template) {
    throw new UserFacingError({
      location: SCHEMA_FILE,
      problem: `contains "${template[0]}", which Terraform reads as template syntax; the schema cannot carry it`,
      fix: `remove "${template[0]}" from the schema (descriptions and default values included)`,
    });
  }
}
