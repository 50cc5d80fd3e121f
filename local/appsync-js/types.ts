/** Public types of the local APPSYNC_JS runtime (see index.ts). */
import type { DynamoDbTransport } from './data-sources/dynamodb-transport';

// The code the runtime runs is the resolver catalog's (constructs/resolver-catalog.ts), read back from the stack.
export type { ResolverCode } from '../../constructs/resolver-catalog';

export type DataSourceType = 'AMAZON_DYNAMODB' | 'HTTP' | 'NONE';

/** One data source of the API, as the synthesized stack describes it. */
export interface DataSourceConfig {
  /** The logical name resolvers refer to (`articles`, `cognito`, `none`). */
  name: string;
  type: DataSourceType;
  /** AMAZON_DYNAMODB: the table name. */
  tableName?: string;
  /** HTTP: the base URL (e.g. `https://cognito-idp.eu-west-1.amazonaws.com`). */
  endpoint?: string;
  /**
   * HTTP: SigV4 signing (AppSync's `awsIamConfig`).
   * @default derived from an `<service>.<region>.amazonaws.com` endpoint host; otherwise unsigned
   */
  signing?: { region: string; service: string };
}

export interface AppSyncJsRuntimeOptions {
  dataSources: readonly DataSourceConfig[];
  /** Where AMAZON_DYNAMODB data sources send their calls (dynalite, DynamoDB Local, AWS). */
  dynamodb: {
    /** The DynamoDB endpoint the AWS SDK calls when no `transport` is given. */
    endpoint: string;
    region: string;
    /**
     * Carries the calls instead of an AWS SDK client for `endpoint`: the local mode passes its
     * in-process dynalite (`DynamoDbEmulator.transport`), which skips HTTP and the SDK. The
     * runtime does not close it.
     * @default an AWS SDK v3 client for `endpoint` (signed with `credentials`), closed by `close()`
     */
    transport?: DynamoDbTransport;
  };
  /** HTTP data sources' endpoints replaced by local ones, by data source name. @default none */
  httpEndpointOverrides?: Record<string, string>;
  /** The API's environment variables (`ctx.env`). */
  env: Record<string, string>;
  /** The clock behind `util.time` (epoch milliseconds); tests pin it. @default Date.now */
  clock?: () => number;
  /** Receives resolver `console.*` output. @default host console, prefixed with the resolver name */
  log?: (level: string, resolverName: string, args: unknown[]) => void;
  /** The local mode's cache folder: checked resolver code is kept in its `resolvers/` (cjs-cache.ts). @default none kept */
  cacheDir?: string;
}

/** Caller identity as AppSync builds it (user pool: sub, issuer, username, claims, groups...). */
export type ResolverIdentity = Record<string, unknown> | null;

/** What the endpoint knows about the field being resolved. */
export interface FieldContext {
  arguments: Record<string, unknown>;
  source?: Record<string, unknown> | null;
  identity: ResolverIdentity;
  request?: { headers: Record<string, string>; domainName?: string | null };
  info: {
    fieldName: string;
    parentTypeName: string;
    variables: Record<string, unknown>;
    selectionSetList: string[];
    selectionSetGraphQL?: string;
  };
}

/** A field error as AppSync reports it (the endpoint adds `path` and `locations`). */
export interface AppSyncFieldError {
  message: string;
  errorType: string;
  data?: unknown;
  errorInfo?: unknown;
}

/** What a subscription resolver asked for through `extensions` (local stub, see README). */
export interface ResolverExtensions {
  subscriptionFilter?: unknown;
  subscriptionInvalidationFilter?: unknown;
  invalidateSubscriptions?: unknown[];
}

export interface FieldResult {
  /** null when util.error (or another aborting error) fired. */
  data: unknown;
  errors: AppSyncFieldError[];
  /** Present only when the resolver called a subscription `extensions` method. */
  extensions?: ResolverExtensions;
}
