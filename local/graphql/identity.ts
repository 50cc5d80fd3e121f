import type { AppSyncIdentity, RequestCaller } from './request-executor';
import type { VerifiedToken } from './token-verifier';

/**
 * `ctx.identity` of a verified user pool caller, built as AppSync builds it: only from the
 * verified token (never from anything else the request carries) plus the source address.
 */
export function requestCallerOf(token: VerifiedToken, sourceIp: string, headers: Readonly<Record<string, string>>): RequestCaller {
  const c = token.claims;
  const identity: AppSyncIdentity = {
    sub: String(c.sub),
    issuer: String(c.iss),
    username: String(c['cognito:username'] ?? c.username ?? ''),
    claims: c,
    sourceIp: [sourceIp],
    defaultAuthStrategy: 'ALLOW',
    groups: Array.isArray(c['cognito:groups']) ? token.groups : null,
  };
  return { caller: token.caller, identity, headers };
}

/** `::ffff:127.0.0.1` -> `127.0.0.1` (AppSync reports plain IPv4). */
export function plainIp(address: string | undefined): string {
  return (address ?? '').replace(/^::ffff:/, '');
}
