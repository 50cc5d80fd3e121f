import { createHash, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { SigV4Error, type SigV4Verifier } from '../credentials/sigv4';
import { assumedRoleArn } from '../iam/evaluator';
import { xmlEscape } from '../s3/errors';

/**
 * STS `GetCallerIdentity` (the query protocol: a form-encoded POST signed for service `sts`),
 * answered on the identity pool's port: who a set of local credentials is, i.e. the assumed-role
 * ARN of the role the identity pool picked. The local page shows it; an STS client pointed at the
 * identity pool's endpoint gets the same answer. Nothing else of STS is emulated.
 */

export interface CallerIdentityRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface StsAnswer {
  readonly status: number;
  readonly xml: string;
}

const NS = 'https://sts.amazonaws.com/doc/2011-06-15/';

function stsError(status: number, code: string, message: string, requestId: string): StsAnswer {
  return {
    status,
    xml: `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  };
}

/** STS's error code for a failed signature check. */
function codeOf(e: SigV4Error): [number, string] {
  switch (e.problem) {
    case 'Missing':
      return [403, 'MissingAuthenticationToken'];
    case 'Malformed':
    case 'WrongRegion':
    case 'WrongService':
      return [400, 'IncompleteSignature'];
    case 'UnknownKey':
    case 'MissingToken':
    case 'BadToken':
      return [403, 'InvalidClientTokenId'];
    case 'Expired':
      return [403, 'ExpiredToken'];
    case 'RequestExpired':
    case 'Skewed':
      return [403, 'RequestExpired'];
    case 'SignatureMismatch':
    case 'ContentHashMismatch':
      return [403, 'SignatureDoesNotMatch'];
  }
}

/** A role id (`AROA…`) for a role ARN: stable, since the local stack has no ids of its own. */
function roleId(roleArn: string): string {
  return `AROA${createHash('sha256').update(roleArn).digest('hex').slice(0, 17).toUpperCase()}`;
}

export async function getCallerIdentity(sigv4: SigV4Verifier, region: string, r: CallerIdentityRequest): Promise<StsAnswer> {
  const requestId = randomUUID();
  const form = new URLSearchParams(r.body.toString('utf8'));
  if (r.method !== 'POST' || form.get('Action') !== 'GetCallerIdentity') {
    return stsError(400, 'InvalidAction', `Action = ${JSON.stringify(form.get('Action'))}: only GetCallerIdentity of STS is emulated locally`, requestId);
  }
  let session;
  try {
    session = (await sigv4.verify({ method: r.method, url: r.url, headers: r.headers, body: r.body }, { region, service: 'sts' })).session;
  } catch (e) {
    if (!(e instanceof SigV4Error)) throw e;
    const [status, code] = codeOf(e);
    return stsError(status, code, e.message, requestId);
  }
  const arn = assumedRoleArn(session.roleArn, session.sessionName);
  const account = session.roleArn.split(':')[4];
  return {
    status: 200,
    xml:
      `<GetCallerIdentityResponse xmlns="${NS}"><GetCallerIdentityResult><Arn>${xmlEscape(arn)}</Arn>` +
      `<UserId>${roleId(session.roleArn)}:${xmlEscape(session.sessionName)}</UserId><Account>${account}</Account></GetCallerIdentityResult>` +
      `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
  };
}
