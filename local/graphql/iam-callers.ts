import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import * as path from 'node:path';
import type { AuthModel } from '../../access/auth-model';
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
 * (the stack's IAM, the API ARN, the fields, the simulator's version and this evaluation's own
 * code), so a later start of an unchanged stack reads them instead of running the simulator.
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
  // The evaluation's code: this module, the authorizer and evaluator, and the simulator's package.
  const evaluator = require.resolve('../iam/evaluator');
  const simulatorPackage = path.join(path.dirname(require.resolve('@cloud-copilot/iam-simulate')), '..', '..', 'package.json');
  for (const file of [__filename, require.resolve('../iam/stack-authorizer'), evaluator, simulatorPackage]) hash.update(readFileSync(file));
  return hash.digest('hex');
}

/**
 * Role ARN -> the top-level `Type.field`s its policies allow `appsync:GraphQL` on: read from
 * `cacheDir` when kept there for the same inputs, else evaluated (and kept there).
 */
export async function evaluateIamGrants(support: IamCallerSupport, topLevelFields: readonly string[], cacheDir?: string): Promise<Record<string, string[]>> {
  if (!cacheDir) return evaluateGrants(support, topLevelFields);
  const file = path.join(cacheDir, GRANTS_FILE);
  const key = grantsKey(support, topLevelFields);
  try {
    const kept = JSON.parse(readFileSync(file, 'utf8')) as { key?: string; grants?: Record<string, string[]> };
    if (kept.key === key && kept.grants) return kept.grants;
  } catch {
    // missing or unreadable: evaluated below
  }
  const grants = await evaluateGrants(support, topLevelFields);
  mkdirSync(cacheDir, { recursive: true });
  // Written beside, then renamed: a start never reads half a file.
  writeFileSync(`${file}.${process.pid}.tmp`, JSON.stringify({ key, grants }));
  renameSync(`${file}.${process.pid}.tmp`, file);
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
