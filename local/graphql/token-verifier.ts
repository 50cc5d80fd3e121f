import * as http from 'node:http';
import { CognitoJwtVerifier, JwtRsaVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { Fetcher } from 'aws-jwt-verify/https';
import { JwtExpiredError, JwtParseError } from 'aws-jwt-verify/error';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { LRUCache } from 'lru-cache';
import { admitUserPoolToken, type Caller } from '../../access/auth-model';
import { RequestUnauthorizedError } from './errors';

/**
 * Verifies the `Authorization` header the way AppSync's user pool mode does: the raw JWT
 * (no `Bearer ` prefix), an ID or access token of this pool, signed by its key, unexpired,
 * issued for one of the API's app clients. It is aws-jwt-verify's `CognitoJwtVerifier` with
 * the production settings; only the JWKS comes from the local pool over http. A verified
 * token must then name a user (`admitUserPoolToken`, the auth model's rule): a
 * client-credentials token is refused with a 401 like any other unusable token.
 */

export interface UserPoolTrust {
  /** AWS-shaped pool id (`<region>_<id>`): the verifier derives the expected `iss` from it. */
  readonly poolId: string;
  /** The local pool's JWKS over http (the verifier's own fetcher only speaks https). */
  readonly jwksUri: string;
  /** App client ids the API admits (its `app_id_client_regex`). */
  readonly clientIds: readonly string[];
  /**
   * The local managed login's issuer (`https://127.0.0.1:<port>/<poolId>`): tokens from its
   * OAuth endpoints carry it, so that an OIDC client finds discovery, ID token and `iss` agree.
   * They are this pool's tokens (same key, same clients, same checks); only `iss` differs.
   * @default only the AWS issuer is accepted
   */
  readonly managedLoginIssuer?: string;
}

/** A caller whose token verified. */
export interface VerifiedToken {
  readonly claims: Readonly<Record<string, unknown>>;
  /** `cognito:groups`, or [] when the user is in none. */
  readonly groups: readonly string[];
  /** The caller the auth model admitted the token as. */
  readonly caller: Caller;
}

export const MISSING_HEADER = 'Valid authorization header not provided.';
/** AppSync's answer to anything that is not a raw JWT, a `Bearer ` prefix included. */
export const UNPARSABLE_TOKEN = 'Unable to parse JWT token.';
const IAM_NOT_EMULATED =
  'IAM (SigV4) authorization is not emulated on the local real-time socket: connections signed with AWS credentials are refused. ' +
  'Subscribe with a user pool token (the API default mode); IAM callers use POST /graphql.';

/** GETs a JSON document over plain http (the local pool's JWKS). */
function httpGet(uri: string): Promise<ArrayBuffer> {
  return new Promise((resolve, reject) => {
    // A fresh connection: a pooled keep-alive socket to an earlier pool on a reused port would be reset.
    http
      .get(uri, { agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          if (res.statusCode !== 200) {
            reject(new Error(`GET ${uri}: HTTP ${res.statusCode}`));
            return;
          }
          const body = Buffer.concat(chunks);
          resolve(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength));
        });
      })
      .on('error', (e) => reject(new Error(`GET ${uri}: ${e.message}`)));
  });
}

/**
 * A fetcher that answers every JWKS request of the verifier (it asks for the AWS URL,
 * `https://cognito-idp.<region>.amazonaws.com/<pool>/.well-known/jwks.json`) from the local pool.
 */
function localJwksFetcher(jwksUri: string): Fetcher {
  return { fetch: () => httpGet(jwksUri) };
}

/** True for a header that carries an AWS SigV4 signature rather than a JWT. */
function isSigV4(header: string): boolean {
  return header.startsWith('AWS4-HMAC-SHA256');
}

function refusalFor(error: unknown): RequestUnauthorizedError {
  if (error instanceof JwtExpiredError) return new RequestUnauthorizedError('Token has expired.');
  if (error instanceof JwtParseError) return new RequestUnauthorizedError(UNPARSABLE_TOKEN);
  const why = error instanceof Error ? error.message : String(error);
  return new RequestUnauthorizedError(`Unable to verify JWT token: ${why}`);
}

/** The `iss` of an unverified JWT (only to choose the verifier; the chosen one checks it). */
function issuerOf(jwt: string): unknown {
  try {
    return (JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as { iss?: unknown }).iss;
  } catch {
    return undefined;
  }
}

/**
 * What CognitoJwtVerifier checks, for the managed login's issuer: signature by the pool's key,
 * `iss`, expiry, `token_use` id or access, and the client (`aud` of an ID token, `client_id` of
 * an access token) one the API admits.
 */
function managedLoginVerifier(issuer: string, clientIds: readonly string[], jwks: unknown) {
  const admitted = new Set(clientIds);
  const v = JwtRsaVerifier.create({
    issuer,
    audience: null,
    customJwtCheck: ({ payload }) => {
      const use = payload.token_use;
      const client = use === 'id' ? payload.aud : use === 'access' ? payload.client_id : undefined;
      if (use !== 'id' && use !== 'access') throw new Error(`Token use not allowed: ${String(use)}. Expected one of: id, access`);
      if (typeof client !== 'string' || !admitted.has(client)) throw new Error(`Client id not allowed: ${String(client)}`);
    },
  });
  v.cacheJwks(jwks as never, issuer);
  return v;
}

export interface TokenVerifier {
  /** Verifies a raw `Authorization` header value; throws `RequestUnauthorizedError` in AppSync's words. */
  verify(header: string | undefined): Promise<VerifiedToken>;
}

/** Builds the verifier and loads the pool's JWKS once (it is cached for the process). */
export async function createTokenVerifier(trust: UserPoolTrust): Promise<TokenVerifier> {
  if (!trust.clientIds.length) {
    throw new Error(`local/graphql: userPool.clientIds is empty; the API must admit at least one app client (pool ${trust.poolId})`);
  }
  const verifier = CognitoJwtVerifier.create(
    { userPoolId: trust.poolId, tokenUse: null, clientId: [...trust.clientIds] },
    { jwksCache: new SimpleJwksCache({ fetcher: localJwksFetcher(trust.jwksUri) }) },
  );
  const jwks = JSON.parse(Buffer.from(await httpGet(trust.jwksUri)).toString('utf8'));
  verifier.cacheJwks(jwks);
  const managedLogin = trust.managedLoginIssuer === undefined ? undefined : managedLoginVerifier(trust.managedLoginIssuer, trust.clientIds, jwks);
  // A token's bytes that verified once verify again until they expire: clients resend the same
  // token on every request, so the RSA check runs once per token, and `exp` on every request.
  const verified = new LRUCache<string, VerifiedToken>({ max: 10_000 });
  const unexpired = (t: VerifiedToken) => typeof t.claims.exp === 'number' && t.claims.exp * 1000 > Date.now();
  return {
    async verify(header) {
      if (!header) throw new RequestUnauthorizedError(MISSING_HEADER);
      if (isSigV4(header)) throw new RequestUnauthorizedError(IAM_NOT_EMULATED);
      if (header.startsWith('Bearer ')) throw new RequestUnauthorizedError(UNPARSABLE_TOKEN);
      const known = verified.get(header);
      if (known && unexpired(known)) return known;
      let claims: JwtPayload;
      try {
        claims = managedLogin && issuerOf(header) === trust.managedLoginIssuer ? await managedLogin.verify(header) : await verifier.verify(header);
      } catch (error) {
        throw refusalFor(error);
      }
      const admission = admitUserPoolToken(claims);
      if (!admission.admitted) throw new RequestUnauthorizedError(`Unable to verify JWT token: ${admission.reason}`);
      const { caller } = admission;
      const token: VerifiedToken = { claims, caller, groups: caller.mode === 'AMAZON_COGNITO_USER_POOLS' ? caller.groups : [] };
      verified.set(header, token);
      return token;
    },
  };
}
