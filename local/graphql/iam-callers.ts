import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import * as path from 'node:path';
import type { AuthModel } from '../../access/auth-model';
import { packageManifest, writeFileAtomic } from '../../constructs/build-cache';
import { SigV4Error, type SigV4Problem, type SigV4Verifier } from '../credentials/sigv4';
import type { StackAuthorizer } from '../iam/stack-authorizer';
import type { AppSyncIdentity, RequestCaller } from './request-executor';

/**
 * SigV4 (IAM) callers of the local endpoint: the signature is verified like AppSync's
 * (service `appsync`, the stack's region) before any field runs; the caller's role is then
 * authorized per top-level field by evaluating its synthesized `appsync:GraphQL` policy on the
 * field's ARN, and per field by the auth model's `@aws_iam` decision.
 *
 * The policy evaluation runs at start for every role of the stack and every top-level field
 * (the grants are fixed for a running stack) and is handed to the auth model as `iamGrants`,
 * keyed by role ARN: a request costs a signature check and map lookups. The grants are kept in
 * the data directory's cache (`iam-grants.json`) under a digest of everything they follow from
 * (the stack's IAM, the API ARN, the fields, the simulator's and its @cloud-copilot
 * dependencies' versions, this evaluation's own code), so a later start of an unchanged stack
 * reads them instead of running the simulator. The file decides authorization and anyone can
 * edit it: it is used only when its shape is what this module writes (the stack's role ARNs, each
 * with a list of the evaluated fields) and its digest matches its grants; else it is evaluated
 * and written again.
 */

export interface IamCallerSupport {
  readonly sigv4: SigV4Verifier;
  readonly authorizer: StackAuthorizer;
  readonly region: string;
  /** `arn:aws:appsync:<region>:<account>:apis/<id>` */
  readonly apiArn: string;
}

/** The kept grants' file below the cache directory. */
const GRANTS_FILE = 'iam-grants.json';

/** A digest of everything the grants follow from: a change to any of it makes the kept file stale. */
function grantsKey(support: IamCallerSupport, topLevelFields: readonly string[]): string {
  const hash = createHash('sha256').update(JSON.stringify({ iam: support.authorizer.iam, apiArn: support.apiArn, topLevelFields }));
  // The evaluation's code: this module, the authorizer and evaluator, the simulator and the
  // @cloud-copilot packages it evaluates with (its policy parser, its action and condition data).
  for (const file of [__filename, require.resolve('../iam/stack-authorizer'), require.resolve('../iam/evaluator')]) hash.update(readFileSync(file));
  const simulator = '@cloud-copilot/iam-simulate';
  const from = path.dirname(require.resolve(simulator));
  const manifest = packageManifest(simulator);
  const own = Object.keys(manifest.dependencies ?? {}).filter((d) => d.startsWith('@cloud-copilot/')).sort();
  hash.update(JSON.stringify([`${simulator}@${manifest.version}`, ...own.map((d) => `${d}@${packageManifest(d, from).version}`)]));
  return hash.digest('hex');
}

/** The digest a kept file carries over its key and grants: a hand edit of the grants breaks it. */
function grantsDigest(key: string, grants: unknown): string {
  return createHash('sha256').update(key).update('\0').update(JSON.stringify(grants)).digest('hex');
}

/**
 * The kept grants, when the file is one this module wrote for these inputs: every key a role ARN
 * of the stack, every value a list of the evaluated top-level fields, and its digest intact.
 */
function keptGrants(text: string, key: string, support: IamCallerSupport, topLevelFields: readonly string[]): Record<string, string[]> | undefined {
  const kept = JSON.parse(text) as unknown;
  if (typeof kept !== 'object' || kept === null) return undefined;
  const { key: keptKey, grants, digest } = kept as { key?: unknown; grants?: unknown; digest?: unknown };
  if (keptKey !== key || typeof grants !== 'object' || grants === null || Array.isArray(grants)) return undefined;
  const roles = new Set(support.authorizer.iam.roles.map((r) => r.arn));
  const fields = new Set(topLevelFields);
  for (const [role, allowed] of Object.entries(grants)) {
    if (!roles.has(role) || !Array.isArray(allowed) || !allowed.every((f) => typeof f === 'string' && fields.has(f))) return undefined;
  }
  if (digest !== grantsDigest(key, grants)) return undefined;
  return grants as Record<string, string[]>;
}

/**
 * Role ARN -> the top-level `Type.field`s its policies allow `appsync:GraphQL` on: read from
 * `cacheDir` when kept there for the same inputs (keptGrants), else evaluated (and kept there).
 */
export async function evaluateIamGrants(support: IamCallerSupport, topLevelFields: readonly string[], cacheDir?: string): Promise<Record<string, string[]>> {
  if (!cacheDir) return evaluateGrants(support, topLevelFields);
  const file = path.join(cacheDir, GRANTS_FILE);
  const key = grantsKey(support, topLevelFields);
  try {
    const kept = keptGrants(readFileSync(file, 'utf8'), key, support, topLevelFields);
    if (kept) return kept;
  } catch {
    // missing or unreadable: evaluated below
  }
  const grants = await evaluateGrants(support, topLevelFields);
  // Atomic: a start never reads half a file.
  writeFileAtomic(file, JSON.stringify({ key, grants, digest: grantsDigest(key, grants) }));
  return grants;
}

async function evaluateGrants(support: IamCallerSupport, topLevelFields: readonly string[]): Promise<Record<string, string[]>> {
  const grants: Record<string, string[]> = {};
  for (const role of support.authorizer.iam.roles) {
    const allowed: string[] = [];
    for (const key of topLevelFields) {
      const [type, field] = key.split('.');
      const d = await support.authorizer.authorize({
        roleArn: role.arn,
        principalTags: {},
        action: 'appsync:GraphQL',
        resource: `${support.apiArn}/types/${type}/fields/${field}`,
        secureTransport: true,
      });
      if (d.decision === 'Allowed') allowed.push(key);
    }
    if (allowed.length) grants[role.arn] = allowed;
  }
  return grants;
}

/** AppSync's answer to a request whose signature or credentials fail (403, before any field). */
export class IamRefusal extends Error {
  constructor(readonly errorType: string, message: string, readonly status = 403) {
    super(message);
  }
}

function refusal(problem: SigV4Problem, message: string): IamRefusal {
  switch (problem) {
    case 'SignatureMismatch':
    case 'ContentHashMismatch':
      return new IamRefusal('InvalidSignatureException', message);
    case 'UnknownKey':
    case 'BadToken':
    case 'MissingToken':
      return new IamRefusal('UnrecognizedClientException', 'The security token included in the request is invalid.');
    case 'Expired':
      return new IamRefusal('ExpiredTokenException', 'The security token included in the request is expired');
    default:
      return new IamRefusal('IncompleteSignatureException', message);
  }
}

/**
 * Verifies a SigV4-signed GraphQL request and builds its caller. Throws `IamRefusal`.
 * A role with no `appsync:GraphQL` grant on any field is refused as a whole (401), as AppSync does.
 */
export async function iamCallerOf(
  support: IamCallerSupport,
  authModel: AuthModel,
  req: IncomingMessage,
  body: Buffer,
  sourceIp: string,
  headers: Readonly<Record<string, string>>,
): Promise<RequestCaller> {
  let session;
  try {
    session = (await support.sigv4.verify({ method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body }, { region: support.region, service: 'appsync' })).session;
  } catch (e) {
    if (e instanceof SigV4Error) throw refusal(e.problem, e.message);
    throw e;
  }
  if (!(authModel.api.iamGrants?.[session.roleArn]?.length)) {
    throw new IamRefusal('UnauthorizedException', 'You are not authorized to make this call.', 401);
  }
  const account = session.roleArn.split(':')[4];
  const roleName = session.roleArn.split('/').pop();
  // ctx.identity of an IAM caller (AppSync's shape); the user pool fields stay empty for it.
  const identity = {
    accountId: account,
    cognitoIdentityPoolId: null,
    cognitoIdentityId: session.identityId ?? null,
    sourceIp: [sourceIp],
    username: `${session.accessKeyId}:${session.sessionName}`,
    userArn: `arn:aws:sts::${account}:assumed-role/${roleName}/${session.sessionName}`,
    cognitoIdentityAuthType: session.identityId ? 'authenticated' : null,
    cognitoIdentityAuthProvider: null,
  } as unknown as AppSyncIdentity;
  return { caller: { mode: 'AWS_IAM', caller: session.roleArn }, identity, headers };
}
