import type { AuthMode } from '../access/auth-model';
import { UserFacingError } from '../config/errors';
import type { ResolverCode, ResolverFunctionCode } from '../constructs/resolver-catalog';
import {
  allResources,
  blockList,
  resourceKey,
  resourceReference,
  singleBlock,
  type TerraformBlock,
  type TerraformJson,
  type TerraformResource,
} from '../access/terraform-json';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Reads a synthesized stack (`cdktf.out/stacks/<env>/cdk.tf.json`) into what the local mode
 * runs: schema, auth settings, resolvers with their bundled code, data sources, tables and
 * the user pool's groups and clients. The local mode never re-describes the API; everything
 * here comes from the Terraform JSON.
 *
 * Terraform references are resolved to local values: `${aws_dynamodb_table.t.name}` to the
 * table's `name`, `${aws_cognito_user_pool.p.id}` to the local pool id and
 * `${aws_cognito_user_pool_client.c.id}` to the local client id. Local ids are derived from
 * the region, environment and logical names (see `localPoolId` / `localClientId`) so they stay
 * the same across restarts and the user-pool emulator creates exactly these ids.
 */


export interface LocalDataSource {
  readonly name: string;
  readonly type: 'AMAZON_DYNAMODB' | 'HTTP' | 'NONE';
  /** DynamoDB table name (same as `LocalTable.name`). */
  readonly tableName?: string;
  /** HTTP endpoint as deployed (e.g. `https://cognito-idp.<region>.amazonaws.com`). */
  readonly endpoint?: string;
}

export interface LocalAttribute {
  readonly name: string;
  /** `S`, `N` or `B`. */
  readonly type: string;
}

export interface LocalIndex {
  readonly name: string;
  readonly hashKey: string;
  readonly rangeKey?: string;
  readonly projectionType: string;
  readonly nonKeyAttributes?: readonly string[];
}

export interface LocalTable {
  readonly name: string;
  readonly hashKey: string;
  readonly rangeKey?: string;
  readonly attributes: readonly LocalAttribute[];
  readonly globalSecondaryIndexes: readonly LocalIndex[];
}

export interface LocalGroup {
  readonly name: string;
  readonly description: string;
  readonly precedence: number;
}

export interface LocalClient {
  /** Terraform resource name (`aws_cognito_user_pool_client.<logicalName>`). */
  readonly logicalName: string;
  /** The deployed client's `name`. */
  readonly name: string;
  /** The local client id (deterministic, see `localClientId`). */
  readonly clientId: string;
  readonly generateSecret: boolean;
  readonly explicitAuthFlows: readonly string[];
  /** `callback_urls` and `logout_urls` as deployed (the local mode admits their loopback origins). */
  readonly callbackUrls: readonly string[];
  readonly logoutUrls: readonly string[];
  /** Token lifetimes as deployed (units in `tokenValidityUnits`, Cognito's defaults when unset). */
  readonly accessTokenValidity?: number;
  readonly idTokenValidity?: number;
  readonly refreshTokenValidity?: number;
  readonly tokenValidityUnits?: { readonly accessToken?: string; readonly idToken?: string; readonly refreshToken?: string };
  /** `allowed_oauth_flows` (`code`, `implicit`, `client_credentials`); empty when OAuth is off for the client. */
  readonly allowedOauthFlows: readonly string[];
  /** `allowed_oauth_scopes`, a resource server's `scope_identifiers` expanded to `<identifier>/<scope>`. */
  readonly allowedOauthScopes: readonly string[];
  /** `supported_identity_providers` (`COGNITO` and provider names). */
  readonly supportedIdentityProviders: readonly string[];
}

/** The pool's `password_policy`, Cognito's defaults where the stack leaves a field unset. */
export interface LocalPasswordPolicy {
  /** @default 8 */
  readonly minimumLength: number;
  /** @default true */
  readonly requireLowercase: boolean;
  /** @default true */
  readonly requireUppercase: boolean;
  /** @default true */
  readonly requireNumbers: boolean;
  /** @default true */
  readonly requireSymbols: boolean;
  /** Days an admin-set temporary password stays usable. @default 7 */
  readonly temporaryPasswordValidityDays: number;
}

export interface LocalStack {
  /** AWS region of the stack (provider block). */
  readonly region: string;
  /** Environment name (the stack's directory name). */
  readonly env: string;
  /** The stack file that was read. */
  readonly source: string;
  /** `aws_appsync_graphql_api.schema`: AppSync SDL without the prelude. */
  readonly schemaSdl: string;
  readonly api: {
    readonly name: string;
    readonly defaultMode: 'AMAZON_COGNITO_USER_POOLS';
    readonly additionalModes: readonly AuthMode[];
    /** `introspection_config` is not DISABLED (AppSync's default is ENABLED). */
    readonly introspection: boolean;
    /** With local client ids in place of Terraform references. */
    readonly appIdClientRegex?: string;
    /**
     * AppSync environment variables (`ctx.env`), references resolved. Read from the API's
     * `environment_variables`, or (provider 5.x has no such argument, see
     * constructs/api-environment.ts) from the `terraform_data` whose `input.api_id` is this API.
     */
    readonly environmentVariables: Readonly<Record<string, string>>;
    /** `query_depth_limit`: nested levels a query may have; 0 (AppSync's unset) = no limit. */
    readonly queryDepthLimit: number;
    /** `resolver_count_limit`: resolver runs per request; AppSync's unset/0 means 10,000. */
    readonly resolverCountLimit: number;
  };
  readonly resolvers: readonly ResolverCode[];
  readonly dataSources: readonly LocalDataSource[];
  readonly tables: readonly LocalTable[];
  readonly userPool: {
    /** Terraform resource name of the pool. */
    readonly logicalName: string;
    /** The local, AWS-shaped pool id (`<region>_Local<Env>`). */
    readonly poolId: string;
    readonly groups: readonly LocalGroup[];
    readonly clients: readonly LocalClient[];
    readonly usernameAttributes: readonly string[];
    readonly passwordPolicy: LocalPasswordPolicy;
    /** `mfa_configuration` (Cognito's default `OFF`). */
    readonly mfaConfiguration: 'OFF' | 'ON' | 'OPTIONAL';
    /** `software_token_mfa_configuration.enabled`: TOTP is a factor users can set up. */
    readonly softwareTokenMfa: boolean;
    /**
     * The client the web app uses: the one the `client_config` output names
     * (`Auth.Cognito.userPoolClientId`), else the first client without a secret.
     */
    readonly webClient: LocalClient;
    /** Resource servers, with their scopes as `<identifier>/<scope>`. */
    readonly resourceServers: readonly { readonly identifier: string; readonly scopes: readonly string[] }[];
  };
}

/** A stack file that cannot be run locally; the message names the file, the key and what was expected. */
export class StackReadError extends UserFacingError {
  constructor(source: string, key: string, value: unknown, expected: string) {
    super({ location: `${source}: ${key} = ${truncate(JSON.stringify(value))}`, problem: `expected ${expected}` });
  }
}

function truncate(s: string | undefined): string {
  if (s === undefined) return 'undefined';
  return s.length > 200 ? `${s.slice(0, 200)}...` : s;
}

/** Where `cdktf synth` writes an environment's stack. */
export function defaultStackPath(env: string, outDir = 'cdktf.out'): string {
  return path.join(outDir, 'stacks', env, 'cdk.tf.json');
}

/** The local pool id: AWS-shaped (`<region>_<alphanumerics>`) and stable for an environment. */
export function localPoolId(region: string, env: string): string {
  const suffix = env.replace(/[^A-Za-z0-9]/g, '');
  return `${region}_Local${suffix.charAt(0).toUpperCase()}${suffix.slice(1)}`;
}

/** The local client id: 26 lowercase alphanumerics like AWS's, stable for a pool and client. */
export function localClientId(poolId: string, logicalName: string): string {
  const digest = createHash('sha256').update(`${poolId}/${logicalName}`).digest();
  return BigInt(`0x${digest.toString('hex')}`)
    .toString(36)
    .padStart(26, '0')
    .slice(0, 26);
}

const REF = /\$\{([^{}]*)\}/g;

/** Reads and checks a synthesized stack. Throws `StackReadError` for anything the local mode cannot run. */
export function readLocalStack(stackJsonPath: string = defaultStackPath('dev')): LocalStack {
  return new StackReader(stackJsonPath, readStackJson(stackJsonPath)).read();
}

/**
 * The synthesized stack's Terraform JSON, for every local reader of it (this one, the IAM plane's,
 * the federation's). A missing or unparsable file is a `StackReadError`.
 */
export function readStackJson(stackJsonPath: string): TerraformJson {
  if (!existsSync(stackJsonPath)) {
    throw new StackReadError(stackJsonPath, '(file)', 'missing', 'a synthesized stack: run `npm run synth` first');
  }
  try {
    return JSON.parse(readFileSync(stackJsonPath, 'utf8')) as TerraformJson;
  } catch (e) {
    throw new StackReadError(stackJsonPath, '(file)', (e as Error).message, 'Terraform JSON');
  }
}

/** The stack's AWS region, from its `aws` provider block. */
export function stackRegion(source: string, doc: TerraformJson): string {
  const region = singleBlock(doc.provider?.aws)?.region;
  if (typeof region !== 'string' || region === '') {
    throw new StackReadError(source, 'provider.aws.region', region, 'the stack region');
  }
  return region;
}

class StackReader {
  private readonly resources: TerraformResource[];
  private readonly stackDir: string;
  private poolId = '';

  constructor(private readonly source: string, private readonly doc: TerraformJson) {
    this.stackDir = path.dirname(source);
    this.resources = allResources(doc);
  }

  read(): LocalStack {
    const region = stackRegion(this.source, this.doc);
    const env = path.basename(this.stackDir);
    const pool = this.single('aws_cognito_user_pool');
    this.poolId = localPoolId(region, env);
    const api = this.single('aws_appsync_graphql_api');
    const clients = this.all('aws_cognito_user_pool_client').map((c) => this.client(c));
    return {
      region,
      env,
      source: this.source,
      schemaSdl: this.str(api, 'schema'),
      api: this.api(api),
      resolvers: this.all('aws_appsync_resolver').map((r) => this.resolver(r)),
      dataSources: this.all('aws_appsync_datasource').map((d) => this.dataSource(d)),
      tables: this.all('aws_dynamodb_table').map((t) => this.table(t)),
      userPool: {
        logicalName: pool.name,
        poolId: this.poolId,
        groups: this.all('aws_cognito_user_group').map((g) => ({
          name: this.str(g, 'name'),
          description: this.optStr(g, 'description') ?? '',
          precedence: this.num(g, 'precedence'),
        })),
        clients,
        usernameAttributes: this.strList(pool, 'username_attributes'),
        passwordPolicy: this.passwordPolicy(pool),
        mfaConfiguration: this.mfaConfiguration(pool),
        softwareTokenMfa: singleBlock(pool.body.software_token_mfa_configuration)?.enabled === true,
        webClient: this.webClient(clients),
        resourceServers: this.all('aws_cognito_resource_server').map((r) => ({
          identifier: this.str(r, 'identifier'),
          scopes: this.resourceServerScopes(r),
        })),
      },
    };
  }

  /** `<identifier>/<scope_name>` for each scope block, as `scope_identifiers` is after apply. */
  private resourceServerScopes(r: TerraformResource): string[] {
    const identifier = this.str(r, 'identifier');
    const blocks = (r.body.scope ?? []) as TerraformBlock[];
    if (!Array.isArray(blocks)) throw new StackReadError(this.source, resourceKey(r, 'scope'), blocks, 'a list of scope blocks');
    return blocks.map((b, i) => {
      if (typeof b.scope_name !== 'string' || b.scope_name === '') {
        throw new StackReadError(this.source, resourceKey(r, `scope[${i}].scope_name`), b.scope_name, 'a non-empty string');
      }
      return `${identifier}/${b.scope_name}`;
    });
  }

  /** `allowed_oauth_scopes`: a list, or one reference to a resource server's `scope_identifiers`. */
  private oauthScopes(c: TerraformResource): string[] {
    const v = c.body.allowed_oauth_scopes;
    const ref = typeof v === 'string' ? /^\$\{aws_cognito_resource_server\.([^.]+)\.scope_identifiers\}$/.exec(v) : null;
    if (ref) {
      const server = this.find('aws_cognito_resource_server', ref[1]);
      if (!server) throw new StackReadError(this.source, resourceKey(c, 'allowed_oauth_scopes'), v, 'a resource server of this stack');
      return this.resourceServerScopes(server);
    }
    return this.strList(c, 'allowed_oauth_scopes').map((s) => this.resolve(s, resourceKey(c, 'allowed_oauth_scopes')));
  }

  private passwordPolicy(pool: TerraformResource): LocalPasswordPolicy {
    const p = singleBlock(pool.body.password_policy) ?? {};
    const key = (field: string) => resourceKey(pool, `password_policy.${field}`);
    const int = (field: string, dflt: number, min: number, max: number): number => {
      const v = p[field] ?? dflt;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
        throw new StackReadError(this.source, key(field), v, `an integer from ${min} to ${max}`);
      }
      return v;
    };
    const flag = (field: string): boolean => {
      const v = p[field] ?? true;
      if (typeof v !== 'boolean') throw new StackReadError(this.source, key(field), v, 'a boolean');
      return v;
    };
    return {
      minimumLength: int('minimum_length', 8, 6, 99),
      requireLowercase: flag('require_lowercase'),
      requireUppercase: flag('require_uppercase'),
      requireNumbers: flag('require_numbers'),
      requireSymbols: flag('require_symbols'),
      temporaryPasswordValidityDays: int('temporary_password_validity_days', 7, 0, 365),
    };
  }

  private mfaConfiguration(pool: TerraformResource): 'OFF' | 'ON' | 'OPTIONAL' {
    const v = pool.body.mfa_configuration ?? 'OFF';
    if (v !== 'OFF' && v !== 'ON' && v !== 'OPTIONAL') {
      throw new StackReadError(this.source, resourceKey(pool, 'mfa_configuration'), v, 'OFF, ON or OPTIONAL');
    }
    return v;
  }

  private client(c: TerraformResource): LocalClient {
    return {
      logicalName: c.name,
      name: this.str(c, 'name'),
      clientId: localClientId(this.poolId, c.name),
      generateSecret: this.bool(c, 'generate_secret') ?? false,
      explicitAuthFlows: this.strList(c, 'explicit_auth_flows'),
      callbackUrls: this.strList(c, 'callback_urls'),
      logoutUrls: this.strList(c, 'logout_urls'),
      allowedOauthFlows: this.strList(c, 'allowed_oauth_flows'),
      allowedOauthScopes: this.oauthScopes(c),
      supportedIdentityProviders: this.strList(c, 'supported_identity_providers').map((p) => this.resolve(p, resourceKey(c, 'supported_identity_providers'))),
      ...this.tokenValidity(c),
    };
  }

  private webClient(clients: LocalClient[]): LocalClient {
    const output = this.doc.output?.client_config?.value as TerraformBlock | undefined;
    const ref = resourceReference(((output?.Auth as TerraformBlock | undefined)?.Cognito as TerraformBlock | undefined)?.userPoolClientId);
    const named = ref?.type === 'aws_cognito_user_pool_client' && ref.attribute === 'id' ? clients.find((c) => c.logicalName === ref.name) : undefined;
    const web = named ?? clients.find((c) => !c.generateSecret);
    if (!web) {
      throw new StackReadError(
        this.source,
        'resource.aws_cognito_user_pool_client',
        clients.map((c) => c.logicalName),
        'a client without a secret for the web app'
      );
    }
    return web;
  }

  private tokenValidity(c: TerraformResource): Partial<LocalClient> {
    const units = singleBlock(c.body.token_validity_units);
    const opt = (field: string): number | undefined => (c.body[field] === undefined ? undefined : this.num(c, field));
    return {
      accessTokenValidity: opt('access_token_validity'),
      idTokenValidity: opt('id_token_validity'),
      refreshTokenValidity: opt('refresh_token_validity'),
      tokenValidityUnits: units && {
        accessToken: units.access_token as string | undefined,
        idToken: units.id_token as string | undefined,
        refreshToken: units.refresh_token as string | undefined,
      },
    };
  }

  private api(api: TerraformResource): LocalStack['api'] {
    const mode = api.body.authentication_type;
    if (mode !== 'AMAZON_COGNITO_USER_POOLS') {
      throw new StackReadError(this.source, resourceKey(api, 'authentication_type'), mode, 'AMAZON_COGNITO_USER_POOLS');
    }
    const poolConfig = singleBlock(api.body.user_pool_config);
    const regex = poolConfig?.app_id_client_regex;
    const additional = blockList(api.body.additional_authentication_provider).map(
      (p) => p.authentication_type as AuthMode
    );
    const [varsKey, vars] = this.environmentVariables(api);
    return {
      name: this.str(api, 'name'),
      defaultMode: 'AMAZON_COGNITO_USER_POOLS',
      additionalModes: additional,
      introspection: api.body.introspection_config !== 'DISABLED',
      appIdClientRegex: typeof regex === 'string' ? this.resolve(regex, resourceKey(api, 'user_pool_config.app_id_client_regex')) : undefined,
      environmentVariables: Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, this.resolve(String(v), `${varsKey}.${k}`)])),
      queryDepthLimit: this.limit(api, 'query_depth_limit', 75, 0),
      resolverCountLimit: this.limit(api, 'resolver_count_limit', 10_000, 10_000) || 10_000,
    };
  }

  private environmentVariables(api: TerraformResource): [string, Record<string, unknown>] {
    if (api.body.environment_variables !== undefined) {
      return [resourceKey(api, 'environment_variables'), api.body.environment_variables as Record<string, unknown>];
    }
    const apiRef = `\${aws_appsync_graphql_api.${api.name}.id}`;
    const holder = this.all('terraform_data').find((d) => (d.body.input as TerraformBlock | undefined)?.api_id === apiRef);
    if (!holder) return ['', {}];
    return [resourceKey(holder, 'input.variables'), ((holder.body.input as TerraformBlock).variables ?? {}) as Record<string, unknown>];
  }

  private resolver(r: TerraformResource): ResolverCode {
    const kind = (r.body.kind ?? 'UNIT') as string;
    if (kind !== 'UNIT' && kind !== 'PIPELINE') {
      throw new StackReadError(this.source, resourceKey(r, 'kind'), kind, 'UNIT or PIPELINE');
    }
    this.checkRuntime(r);
    const base = { typeName: this.str(r, 'type'), fieldName: this.str(r, 'field'), kind, code: this.str(r, 'code') } as const;
    if (kind === 'UNIT') {
      return { ...base, dataSource: this.str(r, 'data_source') };
    }
    const refs = (singleBlock(r.body.pipeline_config)?.functions ?? []) as unknown[];
    const functions = refs.map((ref, i) => this.pipelineFunction(r, ref, i));
    return { ...base, functions };
  }

  private pipelineFunction(r: TerraformResource, ref: unknown, i: number): ResolverFunctionCode {
    const target = resourceReference(ref);
    const fn = target?.type === 'aws_appsync_function' && target.attribute === 'function_id' ? this.find('aws_appsync_function', target.name) : undefined;
    if (!fn) {
      throw new StackReadError(
        this.source,
        resourceKey(r, `pipeline_config.functions[${i}]`),
        ref,
        'a reference to an aws_appsync_function of this stack'
      );
    }
    this.checkRuntime(fn);
    return { name: this.str(fn, 'name'), code: this.str(fn, 'code'), dataSource: this.str(fn, 'data_source') };
  }

  /** The local runtime runs APPSYNC_JS only; a VTL resolver would silently behave differently. */
  private checkRuntime(r: TerraformResource): void {
    const runtime = singleBlock(r.body.runtime);
    if (runtime?.name !== 'APPSYNC_JS') {
      throw new StackReadError(this.source, resourceKey(r, 'runtime.name'), runtime?.name, 'APPSYNC_JS (the local mode runs no VTL)');
    }
  }

  private dataSource(d: TerraformResource): LocalDataSource {
    const type = d.body.type;
    const name = this.str(d, 'name');
    switch (type) {
      case 'AMAZON_DYNAMODB': {
        const table = singleBlock(d.body.dynamodb_config)?.table_name;
        return { name, type, tableName: this.resolve(String(table), resourceKey(d, 'dynamodb_config.table_name')) };
      }
      case 'HTTP': {
        const endpoint = singleBlock(d.body.http_config)?.endpoint;
        return { name, type, endpoint: this.resolve(String(endpoint), resourceKey(d, 'http_config.endpoint')) };
      }
      case 'NONE':
        return { name, type };
      default:
        throw new StackReadError(this.source, resourceKey(d, 'type'), type, 'AMAZON_DYNAMODB, HTTP or NONE (what the local mode emulates)');
    }
  }

  private table(t: TerraformResource): LocalTable {
    const gsis = blockList(t.body.global_secondary_index);
    return {
      name: this.str(t, 'name'),
      hashKey: this.str(t, 'hash_key'),
      rangeKey: this.optStr(t, 'range_key'),
      attributes: blockList(t.body.attribute).map((a) => ({ name: String(a.name), type: String(a.type) })),
      globalSecondaryIndexes: gsis.map((g) => ({
        name: String(g.name),
        hashKey: String(g.hash_key),
        rangeKey: typeof g.range_key === 'string' ? g.range_key : undefined,
        projectionType: String(g.projection_type ?? 'ALL'),
        nonKeyAttributes: Array.isArray(g.non_key_attributes) ? g.non_key_attributes.map(String) : undefined,
      })),
    };
  }

  // ---- references ------------------------------------------------------------------------

  /** Replaces every `${...}` in a value with its local value; throws naming `key` when one cannot be. */
  private resolve(value: string, key: string, depth = 0): string {
    if (depth > 5) throw new StackReadError(this.source, key, value, 'references that do not loop');
    return value.replace(REF, (whole, expr: string) => {
      const local = this.resolveExpression(expr.trim(), key, depth);
      if (local === undefined) {
        throw new StackReadError(
          this.source,
          key,
          whole,
          'a reference the local mode can resolve (a resource attribute set in this stack, a pool or client id, or file())'
        );
      }
      return local;
    });
  }

  private resolveExpression(expr: string, key: string, depth: number): string | undefined {
    const file = /^file\("?([^")]+)"?\)$/.exec(expr);
    if (file) return this.readAsset(file[1], key);
    const m = /^([a-z0-9_]+)\.([^.]+)\.([a-z_]+)$/.exec(expr);
    if (!m) return undefined;
    const [, type, name, attr] = m;
    const resource = this.find(type, name);
    if (!resource) return undefined;
    if (type === 'aws_cognito_user_pool' && attr === 'id') return this.poolId;
    if (type === 'aws_cognito_user_pool_client' && attr === 'id') return localClientId(this.poolId, name);
    // Attributes that are inputs (a table's name, a data source's name) are in the JSON itself.
    const v = resource.body[attr];
    if (typeof v === 'string') return this.resolve(v, key, depth + 1);
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    return undefined;
  }

  /** `file()` paths in cdktf output are relative to the stack directory (TerraformAsset). */
  private readAsset(file: string, key: string): string {
    const full = path.resolve(this.stackDir, file);
    if (!existsSync(full)) throw new StackReadError(this.source, key, file, `an asset file that exists (looked at ${full})`);
    return readFileSync(full, 'utf8');
  }

  // ---- access ------------------------------------------------------------------------------

  private all(type: string): TerraformResource[] {
    return this.resources.filter((r) => r.type === type);
  }

  private find(type: string, name: string): TerraformResource | undefined {
    return this.resources.find((r) => r.type === type && r.name === name);
  }

  private single(type: string): TerraformResource {
    const found = this.all(type);
    if (found.length !== 1) {
      throw new StackReadError(
        this.source,
        `resource.${type}`,
        found.map((r) => r.name),
        `exactly one ${type}`
      );
    }
    return found[0];
  }

  private str(r: TerraformResource, field: string): string {
    const v = r.body[field];
    if (typeof v !== 'string' || v === '') throw new StackReadError(this.source, resourceKey(r, field), v, 'a non-empty string');
    return this.resolve(v, resourceKey(r, field));
  }

  private optStr(r: TerraformResource, field: string): string | undefined {
    return r.body[field] === undefined ? undefined : this.str(r, field);
  }

  /** An AppSync limit (0..max); unset is `unset` (AppSync's default). */
  private limit(r: TerraformResource, field: string, max: number, unset: number): number {
    const v = r.body[field];
    if (v === undefined) return unset;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) {
      throw new StackReadError(this.source, resourceKey(r, field), v, `an integer from 0 to ${max}`);
    }
    return v;
  }

  private num(r: TerraformResource, field: string): number {
    const v = r.body[field];
    if (typeof v !== 'number') throw new StackReadError(this.source, resourceKey(r, field), v, 'a number');
    return v;
  }

  private bool(r: TerraformResource, field: string): boolean | undefined {
    const v = r.body[field];
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') throw new StackReadError(this.source, resourceKey(r, field), v, 'a boolean');
    return v;
  }

  private strList(r: TerraformResource, field: string): string[] {
    const v = r.body[field] ?? [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
      throw new StackReadError(this.source, resourceKey(r, field), v, 'a list of strings');
    }
    return v as string[];
  }
}

