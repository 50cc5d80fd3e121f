import { createHash } from 'node:crypto';
import * as path from 'node:path';
import {
  allResources,
  blockList,
  resourceKey,
  type TerraformBlock,
  type TerraformJson,
  type TerraformResource,
} from '../../access/terraform-json';
import { localClientId, localPoolId, readStackJson, StackReadError, stackRegion } from '../stack-reader';

/**
 * Reads the IAM side of a synthesized stack (`cdktf.out/stacks/<env>/cdk.tf.json`): roles with
 * their inline policies, the content bucket with its bucket policy, the identity pool with its
 * providers, role mapping and principal tags, and the AppSync API's ARN. Local mode decisions
 * are made by evaluating exactly these documents (local/iam/evaluator.ts), never the config.
 *
 * Terraform references resolve to local values: `${aws_iam_role.r.arn}` to
 * `arn:aws:iam::000000000000:role/<name>`, `${aws_s3_bucket.b.arn}` to `arn:aws:s3:::<bucket>`,
 * `${aws_appsync_graphql_api.a.arn}` to `arn:aws:appsync:<region>:000000000000:apis/<local id>`,
 * `${aws_cognito_identity_pool.p.id}` to a stable `<region>:<uuid>`, the user pool's `endpoint`
 * to `cognito-idp.<region>.amazonaws.com/<local pool id>`. Terraform's escape `$${` (how IAM
 * policy variables such as `$${aws:PrincipalTag/owner}` are written) becomes a literal `${`.
 */

/** The account every local ARN lives in (AWS's documented placeholder for "no account"). */
export const LOCAL_ACCOUNT_ID = '000000000000';

export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: readonly Record<string, unknown>[] | Record<string, unknown>;
}

export interface NamedPolicy {
  /** `<role name>/<policy name>` for inline policies, `bucket-policy` for the bucket's. */
  readonly name: string;
  readonly document: PolicyDocument;
}

export interface StackRole {
  readonly logicalName: string;
  readonly name: string;
  readonly arn: string;
  readonly trustPolicy: PolicyDocument;
  readonly policies: readonly NamedPolicy[];
  readonly maxSessionDuration: number;
}

export interface RoleMappingRule {
  readonly claim: string;
  readonly matchType: 'Equals' | 'Contains' | 'StartsWith' | 'NotEqual';
  readonly value: string;
  readonly roleArn: string;
}

export interface StackIdentityPool {
  readonly id: string;
  readonly name: string;
  readonly allowUnauthenticated: boolean;
  /** `cognito-idp.<region>.amazonaws.com/<pool id>` -> its client ids and server-side check. */
  readonly providers: readonly { readonly providerName: string; readonly clientId: string; readonly serverSideTokenCheck: boolean }[];
  readonly authenticatedRoleArn?: string;
  readonly roleMapping?: {
    readonly type: 'Rules' | 'Token';
    readonly ambiguousRoleResolution: 'AuthenticatedRole' | 'Deny';
    readonly rules: readonly RoleMappingRule[];
  };
  /** A group's `role_arn` (what Token mapping puts in `cognito:preferred_role`). */
  readonly groupRoleArns: Readonly<Record<string, string>>;
  /** Principal tag -> token claim, for the user pool provider. */
  readonly principalTags: Readonly<Record<string, string>>;
}

export interface StackIam {
  readonly region: string;
  readonly accountId: string;
  readonly roles: readonly StackRole[];
  readonly bucket?: { readonly name: string; readonly arn: string; readonly policy?: NamedPolicy };
  readonly identityPool?: StackIdentityPool;
  readonly api?: { readonly id: string; readonly arn: string };
  /** The API's IAM callers: a role policy named `graphql-<caller>` (constructs/api-iam-callers.ts) names one. */
  readonly iamCallers: readonly { readonly name: string; readonly roleArn: string }[];
  /** Origins the bucket's CORS rules allow. */
  readonly bucketCorsOrigins: readonly string[];
}

/** A stable id derived from the stack: the same on every start, different per environment. */
function stableHex(seed: string, length: number): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, length);
}

/** The local identity pool id: AWS-shaped (`<region>:<uuid>`), stable for an environment. */
function localIdentityPoolId(region: string, env: string, logicalName: string): string {
  const h = stableHex(`identity-pool/${region}/${env}/${logicalName}`, 32);
  return `${region}:${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** The local AppSync API id: 26 lowercase alphanumerics like AWS's, stable for an environment. */
function localApiId(region: string, env: string, logicalName: string): string {
  return BigInt(`0x${stableHex(`appsync/${region}/${env}/${logicalName}`, 40)}`).toString(36).padStart(26, '0').slice(0, 26);
}

export function readStackIam(stackJsonPath: string): StackIam {
  return new IamReader(stackJsonPath, readStackJson(stackJsonPath)).read();
}

class IamReader {
  private readonly resources: TerraformResource[];
  private readonly region: string;
  private readonly env: string;
  private readonly poolId: string;
  private readonly locals: Readonly<Record<string, unknown>>;

  constructor(private readonly source: string, doc: TerraformJson) {
    this.locals = doc.locals ?? {};
    this.resources = allResources(doc);
    this.region = stackRegion(source, doc);
    this.env = path.basename(path.dirname(source));
    this.poolId = localPoolId(this.region, this.env);
  }

  read(): StackIam {
    const policies = this.all('aws_iam_role_policy');
    const roles = this.all('aws_iam_role').map((r): StackRole => {
      const name = this.str(r, 'name');
      const ref = `\${aws_iam_role.${r.name}.id}`;
      return {
        logicalName: r.name,
        name,
        arn: this.roleArn(name),
        trustPolicy: this.policy(r, 'assume_role_policy'),
        maxSessionDuration: typeof r.body.max_session_duration === 'number' ? r.body.max_session_duration : 3600,
        policies: policies
          .filter((p) => p.body.role === ref || p.body.role === `\${aws_iam_role.${r.name}.name}`)
          .map((p) => ({ name: `${name}/${this.str(p, 'name')}`, document: this.policy(p, 'policy') })),
      };
    });
    return {
      region: this.region,
      accountId: LOCAL_ACCOUNT_ID,
      roles,
      bucket: this.bucket(),
      identityPool: this.identityPool(),
      api: this.api(),
      iamCallers: roles.flatMap((r) =>
        r.policies
          .map((p) => /\/graphql-(.+)$/.exec(p.name)?.[1])
          .filter((n): n is string => n !== undefined)
          .map((name) => ({ name, roleArn: r.arn })),
      ),
      bucketCorsOrigins: this.all('aws_s3_bucket_cors_configuration').flatMap((c) =>
        blockList(c.body.cors_rule).flatMap((rule) => blockList<unknown>(rule.allowed_origins).map(String)),
      ),
    };
  }

  private roleArn(name: string): string {
    return `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/${name}`;
  }

  private bucket(): StackIam['bucket'] {
    // Buckets that only receive another bucket's access logs are not content (S3 writes them).
    const logTargets = new Set(this.all('aws_s3_bucket_logging').map((l) => String(l.body.target_bucket)));
    const buckets = this.all('aws_s3_bucket').filter((b) => !logTargets.has(`\${aws_s3_bucket.${b.name}.id}`));
    if (buckets.length === 0) return undefined;
    if (buckets.length > 1) throw new StackReadError(this.source, 'resource.aws_s3_bucket', buckets.map((b) => b.name), 'one content bucket');
    const b = buckets[0];
    const name = this.bucketName(b);
    const policyResource = this.all('aws_s3_bucket_policy').find((p) => String(p.body.bucket).includes(`aws_s3_bucket.${b.name}.`));
    return {
      name,
      arn: `arn:aws:s3:::${name}`,
      policy: policyResource && { name: 'bucket-policy', document: this.policy(policyResource, 'policy') },
    };
  }

  /** `bucket` when set; with `bucket_prefix`, the prefix + `local` (AWS appends a random suffix). */
  private bucketName(b: TerraformResource): string {
    if (typeof b.body.bucket === 'string') return this.resolve(b.body.bucket, resourceKey(b, 'bucket'));
    if (typeof b.body.bucket_prefix === 'string') return `${b.body.bucket_prefix}local`;
    throw new StackReadError(this.source, resourceKey(b, 'bucket'), undefined, 'bucket or bucket_prefix');
  }

  private api(): StackIam['api'] {
    const apis = this.all('aws_appsync_graphql_api');
    if (apis.length !== 1) return undefined;
    const id = localApiId(this.region, this.env, apis[0].name);
    return { id, arn: `arn:aws:appsync:${this.region}:${LOCAL_ACCOUNT_ID}:apis/${id}` };
  }

  private identityPool(): StackIdentityPool | undefined {
    const pools = this.all('aws_cognito_identity_pool');
    if (pools.length === 0) return undefined;
    if (pools.length > 1) {
      throw new StackReadError(this.source, 'resource.aws_cognito_identity_pool', pools.map((p) => p.name), 'at most one identity pool');
    }
    const p = pools[0];
    const id = localIdentityPoolId(this.region, this.env, p.name);
    const belongs = (r: TerraformResource) => r.body.identity_pool_id === `\${aws_cognito_identity_pool.${p.name}.id}`;
    const attachment = this.all('aws_cognito_identity_pool_roles_attachment').find(belongs);
    const tags = this.all('aws_cognito_identity_pool_provider_principal_tag').find(belongs);
    const providers = blockList(p.body.cognito_identity_providers).map((v, i) => {
      const key = resourceKey(p, `cognito_identity_providers[${i}]`);
      return {
        providerName: this.resolve(String(v.provider_name), `${key}.provider_name`),
        clientId: this.resolve(String(v.client_id), `${key}.client_id`),
        serverSideTokenCheck: v.server_side_token_check === true,
      };
    });
    const mapping = blockList(attachment?.body.role_mapping).at(0);
    const roles = (attachment?.body.roles ?? {}) as TerraformBlock;
    return {
      id,
      name: this.str(p, 'identity_pool_name'),
      allowUnauthenticated: p.body.allow_unauthenticated_identities === true,
      groupRoleArns: Object.fromEntries(
        this.all('aws_cognito_user_group')
          .filter((g) => typeof g.body.role_arn === 'string')
          .map((g) => [this.str(g, 'name'), this.str(g, 'role_arn')]),
      ),
      providers,
      authenticatedRoleArn:
        typeof roles.authenticated === 'string' ? this.resolve(roles.authenticated, resourceKey(attachment!, 'roles.authenticated')) : undefined,
      roleMapping: mapping && {
        type: mapping.type as 'Rules' | 'Token',
        ambiguousRoleResolution: mapping.ambiguous_role_resolution as 'AuthenticatedRole' | 'Deny',
        rules: blockList(mapping.mapping_rule).map((r, i) => ({
          claim: String(r.claim),
          matchType: r.match_type as RoleMappingRule['matchType'],
          value: String(r.value),
          roleArn: this.resolve(String(r.role_arn), resourceKey(attachment!, `role_mapping[0].mapping_rule[${i}].role_arn`)),
        })),
      },
      // AWS's defaults for a user pool provider when use_defaults is on; none without the resource.
      principalTags: !tags ? {} : tags.body.use_defaults === true ? { username: 'sub', client: 'aud' } : ((tags.body.principal_tags ?? {}) as Record<string, string>),
    };
  }

  private policy(r: TerraformResource, field: string): PolicyDocument {
    const raw = this.str(r, field);
    try {
      return JSON.parse(raw) as PolicyDocument;
    } catch (e) {
      throw new StackReadError(this.source, resourceKey(r, field), raw, `a JSON policy document (${(e as Error).message})`);
    }
  }

  // ---- references ----------------------------------------------------------------------------

  /** Resolves `${...}` references; `$${` is Terraform's escape for a literal `${` (IAM policy variables). */
  private resolve(value: string, key: string): string {
    return value.replace(/\$(\$?)\{([^{}]*)\}/g, (whole, escaped: string, expr: string) => {
      if (escaped) return `\${${expr}}`;
      const local = this.attribute(expr.trim());
      if (local === undefined) {
        throw new StackReadError(this.source, key, whole, 'a reference the local IAM plane can resolve (an ARN, id, name or endpoint of this stack)');
      }
      return local;
    });
  }

  /**
   * A Terraform local: only the ARN parts the stack cuts from one of its own ARNs
   * (`element(split(":", <resource>.arn), N)`, constructs/arn-parts.ts), which are the same for
   * every local ARN: partition (1), region (3) and account (4).
   */
  private localValue(name: string): string | undefined {
    const expr = this.locals[name];
    const m = typeof expr === 'string' ? /^\$\{element\(split\(":", [a-z0-9_]+\.[^.]+\.arn\), (\d+)\)\}$/.exec(expr) : null;
    if (!m) return undefined;
    return ({ 1: 'aws', 3: this.region, 4: LOCAL_ACCOUNT_ID } as Record<string, string>)[m[1]];
  }

  private attribute(expr: string): string | undefined {
    const local = /^local\.([A-Za-z0-9_-]+)$/.exec(expr);
    if (local) return this.localValue(local[1]);
    const m = /^([a-z0-9_]+)\.([^.]+)\.([a-z_]+)$/.exec(expr);
    if (!m) return undefined;
    const [, type, name, attr] = m;
    const r = this.find(type, name);
    if (!r) return undefined;
    switch (`${type}.${attr}`) {
      case 'aws_iam_role.arn':
        return this.roleArn(this.str(r, 'name'));
      case 'aws_iam_role.id':
      case 'aws_iam_role.name':
        return this.str(r, 'name');
      case 'aws_s3_bucket.arn':
        return `arn:aws:s3:::${this.bucketName(r)}`;
      case 'aws_s3_bucket.id':
      case 'aws_s3_bucket.bucket':
        return this.bucketName(r);
      case 'aws_appsync_graphql_api.arn':
      case 'aws_appsync_graphql_api.id': {
        const id = localApiId(this.region, this.env, name);
        return attr === 'id' ? id : `arn:aws:appsync:${this.region}:${LOCAL_ACCOUNT_ID}:apis/${id}`;
      }
      case 'aws_cognito_identity_pool.id':
        return localIdentityPoolId(this.region, this.env, name);
      case 'aws_cognito_user_pool.id':
        return this.poolId;
      case 'aws_cognito_user_pool.endpoint':
        return `cognito-idp.${this.region}.amazonaws.com/${this.poolId}`;
      case 'aws_cognito_user_pool.arn':
        return `arn:aws:cognito-idp:${this.region}:${LOCAL_ACCOUNT_ID}:userpool/${this.poolId}`;
      case 'aws_cognito_user_pool_client.id':
        return localClientId(this.poolId, name);
      case 'aws_dynamodb_table.arn':
        return `arn:aws:dynamodb:${this.region}:${LOCAL_ACCOUNT_ID}:table/${this.str(r, 'name')}`;
      case 'aws_cloudwatch_log_group.arn':
        return `arn:aws:logs:${this.region}:${LOCAL_ACCOUNT_ID}:log-group:${this.str(r, 'name')}`;
      default: {
        const v = r.body[attr];
        return typeof v === 'string' ? this.resolve(v, `resource.${type}.${name}.${attr}`) : undefined;
      }
    }
  }

  private all(type: string): TerraformResource[] {
    return this.resources.filter((r) => r.type === type);
  }

  private find(type: string, name: string): TerraformResource | undefined {
    return this.resources.find((r) => r.type === type && r.name === name);
  }

  private str(r: TerraformResource, field: string): string {
    const v = r.body[field];
    if (typeof v !== 'string' || v === '') throw new StackReadError(this.source, resourceKey(r, field), v, 'a non-empty string');
    return this.resolve(v, resourceKey(r, field));
  }
}
