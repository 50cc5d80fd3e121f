import { createPrivateKey, randomUUID, sign, type KeyObject } from 'node:crypto';
import type { ClaimsAndScopeOverrideDetails, GroupOverrideDetailsV2 } from 'aws-lambda';
import { COGNITO_LOCAL_PRIVATE_KEY as privateKey } from './cognito-local-adapter';
import type { LocalClient } from '../stack-reader';

/**
 * The one place the local pool signs Cognito-shaped tokens: ID, access and refresh tokens for a
 * user (JSON API sign-in, the managed login's code exchange and refresh) and access tokens for
 * `client_credentials`. The key is the one cognito-local's JWKS publishes (kid `CognitoLocal`),
 * parsed once: cognito-local re-parsed its PEM for every token (jsonwebtoken), which was most
 * of an SRP sign-in's server CPU.
 *
 * Claims are those cognito-local's generator wrote (the local tests assert them), and a
 * pre-token-generation hook is applied as Cognito applies a V2 trigger's answer.
 */

export type TokenGenerationSource =
  | 'TokenGeneration_Authentication'
  | 'TokenGeneration_HostedAuth'
  | 'TokenGeneration_NewPasswordChallenge'
  | 'TokenGeneration_RefreshTokens';

/**
 * What the pre-token-generation trigger gets (the `request` of a V2 event, with its envelope
 * fields); local/federation/pre-token-hook.ts turns it into the event the stack's Lambda runs on.
 */
export interface PreTokenGenerationV2Input {
  readonly triggerSource: TokenGenerationSource;
  readonly userName: string;
  readonly userAttributes: Readonly<Record<string, string>>;
  readonly groupConfiguration: {
    readonly groupsToOverride: readonly string[];
    readonly iamRolesToOverride: readonly string[];
    readonly preferredRole?: string;
  };
  readonly clientId: string;
  readonly scopes: readonly string[];
}

export type { ClaimsAndScopeOverrideDetails };

export interface PreTokenHook {
  /** Called before every user token issuance (not client_credentials), as Cognito calls the
   *  pre-token-generation trigger. Returns the V2 claimsAndScopeOverrideDetails (or undefined). */
  (event: PreTokenGenerationV2Input): Promise<ClaimsAndScopeOverrideDetails | undefined>;
}

/** Claims a trigger cannot add, override or suppress (Cognito ignores them, as cognito-local does). */
const RESERVED = new Set([
  'acr', 'amr', 'aud', 'at_hash', 'auth_time', 'azp', 'cognito:username', 'exp', 'iat', 'identities', 'iss', 'jti', 'nbf',
  'nonce', 'origin_jti', 'sub', 'token_use',
]);
/** Access-token claims that are only changed through scopes or the group override. */
const ACCESS_RESERVED = new Set([...RESERVED, 'client_id', 'scope', 'username', 'event_id']);
const GROUP_CLAIMS = new Set(['cognito:groups', 'cognito:roles', 'cognito:preferred_role']);

export interface TokenUser {
  readonly username: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly groups: readonly string[];
}

export interface UserTokens {
  readonly AccessToken: string;
  readonly IdToken: string;
  readonly RefreshToken: string;
  readonly ExpiresIn: number;
  readonly TokenType: 'Bearer';
}

export type ClientTokenSettings = Pick<LocalClient, 'clientId' | 'accessTokenValidity' | 'idTokenValidity' | 'refreshTokenValidity' | 'tokenValidityUnits'>;

const UNIT_SECONDS: Record<string, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86_400 };

/** Seconds a token lives from the client's validity and unit (cognito-local's defaults when unset). */
function lifetime(value: number | undefined, unit: string | undefined, fallbackUnit: string, fallbackSeconds: number): number {
  if (value === undefined) return fallbackSeconds;
  const seconds = UNIT_SECONDS[unit ?? fallbackUnit];
  if (seconds === undefined) throw new Error(`token validity unit ${JSON.stringify(unit)}: expected seconds, minutes, hours or days`);
  return value * seconds;
}

export class TokenIssuer {
  private readonly key: KeyObject = createPrivateKey(privateKey.pem);
  private readonly header = b64json({ alg: 'RS256', typ: 'JWT', kid: privateKey.jwk.kid });

  /**
   * @param issuer the `iss` of JSON-API tokens (the AWS form)
   * @param now the pool's clock
   */
  constructor(
    readonly issuer: string,
    private readonly now: () => Date,
    private readonly hook?: PreTokenHook,
  ) {}

  /** ID, access and refresh tokens for a signed-in user; the hook decides groups and claims. */
  async userTokens(req: {
    user: TokenUser;
    client: ClientTokenSettings;
    source: TokenGenerationSource;
    /** Access-token scopes before the hook (JSON API: aws.cognito.signin.user.admin; OAuth: the granted ones). */
    scopes: readonly string[];
    /** `iss` of these tokens. @default the issuer */
    issuer?: string;
    /** Seconds since the epoch the user authenticated (kept across refresh). @default now */
    authTime?: number;
    /** OIDC `nonce` for the ID token (authorization code flow). */
    nonce?: string;
    /** Issue no refresh token (a refresh grant keeps the one the client has). */
    withoutRefreshToken?: boolean;
    /** The sign-in these tokens belong to (a refresh grant passes its refresh token's). @default a new one */
    originJti?: string;
  }): Promise<UserTokens> {
    const { user, client } = req;
    const iat = Math.floor(this.now().getTime() / 1000);
    const authTime = req.authTime ?? iat;
    const iss = req.issuer ?? this.issuer;
    const sub = user.attributes.sub;
    const groupConfiguration = { groupsToOverride: [...user.groups], iamRolesToOverride: [] as string[] };
    const overrides = this.hook
      ? await this.hook({
          triggerSource: req.source,
          userName: user.username,
          userAttributes: { ...user.attributes },
          groupConfiguration,
          clientId: client.clientId,
          scopes: [...req.scopes],
        })
      : undefined;
    const eventId = randomUUID();
    // One per sign-in, in every token of it (refresh token included): what revocation names.
    const originJti = req.originJti ?? randomUUID();
    const groupClaims = groupClaimsOf(overrides?.groupOverrideDetails ?? groupConfiguration);
    let access: Record<string, unknown> = {
      auth_time: authTime,
      client_id: client.clientId,
      event_id: eventId,
      iat,
      jti: randomUUID(),
      origin_jti: originJti,
      scope: applyScopes(req.scopes, overrides).join(' '),
      sub,
      token_use: 'access',
      username: user.username,
      ...groupClaims,
    };
    let id: Record<string, unknown> = {
      'cognito:username': user.username,
      auth_time: authTime,
      email: user.attributes.email,
      email_verified: user.attributes.email_verified === 'true',
      event_id: eventId,
      iat,
      jti: randomUUID(),
      origin_jti: originJti,
      sub,
      token_use: 'id',
      ...Object.fromEntries(Object.entries(user.attributes).filter(([k]) => k.startsWith('custom:'))),
      ...(user.attributes.identities !== undefined ? { identities: parseIdentities(user.attributes.identities) } : {}),
      ...(req.nonce !== undefined ? { nonce: req.nonce } : {}),
      ...groupClaims,
    };
    id = applyClaims(id, overrides?.idTokenGeneration, RESERVED);
    access = applyClaims(access, overrides?.accessTokenGeneration, ACCESS_RESERVED);
    const accessSeconds = lifetime(client.accessTokenValidity, client.tokenValidityUnits?.accessToken, 'hours', 86_400);
    const idSeconds = lifetime(client.idTokenValidity, client.tokenValidityUnits?.idToken, 'hours', 86_400);
    const refreshSeconds = lifetime(client.refreshTokenValidity, client.tokenValidityUnits?.refreshToken, 'days', 7 * 86_400);
    return {
      AccessToken: this.sign({ ...access, exp: iat + accessSeconds, iss }),
      IdToken: this.sign({ ...id, exp: iat + idSeconds, aud: client.clientId, iss }),
      // cognito-local's shape (Cognito's is an opaque encrypted blob), plus the sign-in and the client
      // it was issued to, which the pool's refresh and revocation (revocation-targets.ts) read.
      RefreshToken: req.withoutRefreshToken
        ? ''
        : this.sign({
            'cognito:username': user.username,
            email: user.attributes.email,
            iat,
            jti: randomUUID(),
            origin_jti: originJti,
            client_id: client.clientId,
            exp: iat + refreshSeconds,
            iss,
          }),
      ExpiresIn: accessSeconds,
      TokenType: 'Bearer',
    };
  }

  /** A `client_credentials` access token: the client is the subject; `scope`, no groups, no hook. */
  clientToken(req: { client: ClientTokenSettings; scopes: readonly string[]; issuer?: string }): { access_token: string; expires_in: number; token_type: 'Bearer' } {
    const iat = Math.floor(this.now().getTime() / 1000);
    const seconds = lifetime(req.client.accessTokenValidity, req.client.tokenValidityUnits?.accessToken, 'hours', 3600);
    const token = this.sign({
      sub: req.client.clientId,
      token_use: 'access',
      scope: req.scopes.join(' '),
      auth_time: iat,
      iss: req.issuer ?? this.issuer,
      exp: iat + seconds,
      iat,
      version: 2,
      jti: randomUUID(),
      client_id: req.client.clientId,
    });
    return { access_token: token, expires_in: seconds, token_type: 'Bearer' };
  }

  private sign(payload: Record<string, unknown>): string {
    const input = `${this.header}.${b64json(payload)}`;
    return `${input}.${sign('sha256', Buffer.from(input), this.key).toString('base64url')}`;
  }
}

function b64json(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** The group claims of both tokens: absent when empty, as Cognito omits them. */
function groupClaimsOf(g: GroupOverrideDetailsV2): Record<string, unknown> {
  return {
    ...(g.groupsToOverride && g.groupsToOverride.length > 0 ? { 'cognito:groups': [...g.groupsToOverride] } : {}),
    ...(g.iamRolesToOverride && g.iamRolesToOverride.length > 0 ? { 'cognito:roles': [...g.iamRolesToOverride] } : {}),
    ...(g.preferredRole ? { 'cognito:preferred_role': g.preferredRole } : {}),
  };
}

/** claimsToAddOrOverride, then claimsToSuppress; reserved claims stay; group claims only through groupOverrideDetails. */
function applyClaims(
  token: Record<string, unknown>,
  details: { claimsToAddOrOverride?: Record<string, unknown>; claimsToSuppress?: string[] } | undefined,
  reserved: ReadonlySet<string>,
): Record<string, unknown> {
  if (!details) return token;
  const out = { ...token };
  for (const [k, v] of Object.entries(details.claimsToAddOrOverride ?? {})) {
    if (!reserved.has(k) && !GROUP_CLAIMS.has(k)) out[k] = v;
  }
  for (const k of details.claimsToSuppress ?? []) if (!reserved.has(k)) delete out[k];
  return out;
}

/** scopesToAdd, then scopesToSuppress, on the access token's `scope`. */
function applyScopes(scopes: readonly string[], overrides: ClaimsAndScopeOverrideDetails | undefined): string[] {
  const a = overrides?.accessTokenGeneration;
  const out = [...scopes];
  for (const s of a?.scopesToAdd ?? []) if (!out.includes(s)) out.push(s);
  const suppressed = new Set(a?.scopesToSuppress ?? []);
  return out.filter((s) => !suppressed.has(s));
}

/** `identities` is kept as a JSON string attribute; the ID token carries it as an array. */
function parseIdentities(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}
