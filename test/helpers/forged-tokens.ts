import { createSign, generateKeyPairSync } from 'node:crypto';
import { COGNITO_LOCAL_PRIVATE_KEY } from '../../local/user-pool/cognito-local-adapter';

/**
 * Tokens a real local sign-in never produces, made from a real one by changing a claim and
 * re-signing: with the local pool's own key (cognito-local publishes it inside its package),
 * with another key, or not at all (`alg: none`). The endpoint must refuse each of them.
 */

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeJwt(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [h, p] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString('utf8')),
    payload: JSON.parse(Buffer.from(p, 'base64url').toString('utf8')),
  };
}

function signRs256(header: Record<string, unknown>, payload: Record<string, unknown>, pem: string): string {
  const input = `${b64url(header)}.${b64url(payload)}`;
  const signature = createSign('RSA-SHA256').update(input).sign(pem).toString('base64url');
  return `${input}.${signature}`;
}

/** The local pool's signing key (cognito-local's published key; local use only). */
function localPoolKey(): string {
  return COGNITO_LOCAL_PRIVATE_KEY.pem;
}

/** The same token re-signed by the pool's key with claims changed. */
function resignedWith(token: string, change: Record<string, unknown>): string {
  const { header, payload } = decodeJwt(token);
  return signRs256(header, { ...payload, ...change }, localPoolKey());
}

/** Otherwise valid, but expired an hour ago (signed by the pool's real key). */
export function expiredToken(token: string): string {
  const now = Math.floor(Date.now() / 1000);
  return resignedWith(token, { iat: now - 7200, auth_time: now - 7200, exp: now - 3600 });
}

/** Same header (same `kid`) and claims, signed by a key the pool never had. */
export function foreignKeyToken(token: string): string {
  const { header, payload } = decodeJwt(token);
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return signRs256(header, payload, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
}

/** `alg: none`, no signature. */
export function unsignedToken(token: string): string {
  const { header, payload } = decodeJwt(token);
  return `${b64url({ ...header, alg: 'none' })}.${b64url(payload)}.`;
}

/** Signed by the pool's key but issued to another app client (`client_id` / `aud`). */
export function otherClientToken(token: string, clientId = 'otherclient0000000000000000'): string {
  const { payload } = decodeJwt(token);
  return resignedWith(token, payload.token_use === 'id' ? { aud: clientId } : { client_id: clientId });
}

/**
 * An access token shaped like one from the client-credentials grant (`sub` = `client_id`, no
 * `username`, no groups, resource-server scopes), made from a user's access token and signed
 * by the pool's key. Its client id stays one the API admits, so only the missing user can
 * refuse it.
 */
export function clientCredentialsToken(accessToken: string, scope = 'content/read content/write'): string {
  const { header, payload } = decodeJwt(accessToken);
  const { username: _username, 'cognito:groups': _groups, origin_jti: _origin, event_id: _event, device_key: _device, ...rest } = payload;
  return signRs256(header, { ...rest, sub: payload.client_id, token_use: 'access', scope }, localPoolKey());
}
