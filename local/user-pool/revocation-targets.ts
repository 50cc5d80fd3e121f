import type { CognitoLocalStore } from './cognito-local-store';
import { UserPoolError, invalidParameter } from './protocol/errors';
import { type TokenRevocations, unverifiedClaims } from './revocations';

/**
 * Revocation and refresh for the local pool, over its one revocation record (revocations.ts):
 * - `RevokeToken` (and the managed login's `/oauth2/revoke`): the refresh token leaves the
 *   user's record and its sign-in's `origin_jti` is revoked, so every access and ID token of
 *   that sign-in is refused too;
 * - `GlobalSignOut` / `AdminUserGlobalSignOut`: every refresh token of the user, likewise;
 * - the refresh flows (`InitiateAuth` REFRESH_TOKEN(_AUTH), `GetTokensFromRefreshToken`, aws-amplify
 *   v6's refresh): new tokens keep the refresh token's `origin_jti`, so a later revocation reaches
 *   them (cognito-local's own refresh signed tokens without it);
 * - any other target given a revoked `AccessToken` (GetUser, UpdateUserAttributes, ...) is refused
 *   with Cognito's `Access Token has been revoked` before it runs.
 */

type Json = Record<string, unknown>;

type RevokeOutcome = 'revoked' | 'unknown' | 'other-client';

const REFRESH_FLOWS = new Set(['REFRESH_TOKEN', 'REFRESH_TOKEN_AUTH']);

export class PoolRevocation {
  constructor(
    private readonly store: CognitoLocalStore,
    private readonly revocations: TokenRevocations,
    private readonly poolId: string,
  ) {}

  /** Whether a verified token's sign-in is revoked (the check every server-side token check makes). */
  isRevoked(claims: Readonly<Record<string, unknown>>): boolean {
    return this.revocations.isRevoked(claims);
  }

  /** Revokes a refresh token issued to `clientId` and its sign-in; an unknown token is no error (RFC 7009). */
  async revokeRefreshToken(refreshToken: string, clientId: string): Promise<RevokeOutcome> {
    const owner = await this.store.refreshTokenOwner(refreshToken);
    if (!owner) return 'unknown';
    const claims = unverifiedClaims(refreshToken);
    if (claims.client_id !== undefined && claims.client_id !== clientId) return 'other-client';
    this.revoke(await this.store.dropRefreshTokens(owner, refreshToken));
    return 'revoked';
  }

  /** Signs a user out everywhere: every refresh token and the tokens of their sign-ins. */
  async signOut(username: string): Promise<void> {
    this.revoke(await this.store.dropRefreshTokens(username));
  }

  /** Answers a target this module owns, or undefined for the next router. */
  target(target: string, req: Json): Promise<Json> | undefined {
    const accessToken = req.AccessToken;
    if (typeof accessToken === 'string' && this.revocations.isRevoked(unverifiedClaims(accessToken))) {
      return Promise.reject(new UserPoolError('NotAuthorizedException', 'Access Token has been revoked'));
    }
    switch (target) {
      case 'RevokeToken':
        return this.revokeToken(req);
      case 'GlobalSignOut':
        return this.globalSignOut(req);
      case 'AdminUserGlobalSignOut':
        return this.adminGlobalSignOut(req);
      case 'GetTokensFromRefreshToken':
        return this.getTokensFromRefreshToken(req);
      case 'InitiateAuth':
        return typeof req.AuthFlow === 'string' && REFRESH_FLOWS.has(req.AuthFlow) ? this.refreshAuth(req) : undefined;
      default:
        return undefined;
    }
  }

  private revoke(refreshTokens: readonly string[]): void {
    const entries = refreshTokens.flatMap((t) => {
      const c = unverifiedClaims(t);
      return typeof c.origin_jti === 'string' ? [{ originJti: c.origin_jti, until: typeof c.exp === 'number' ? c.exp : Number.MAX_SAFE_INTEGER }] : [];
    });
    if (entries.length > 0) this.revocations.revoke(entries);
  }

  private async revokeToken(req: Json): Promise<Json> {
    const clientId = str(req, 'ClientId');
    const client = await this.store.client(clientId);
    if (!client) throw new UserPoolError('ResourceNotFoundException', 'User pool client does not exist.');
    if (client.secret !== undefined && req.ClientSecret !== client.secret) {
      throw new UserPoolError('NotAuthorizedException', `Unable to verify secret hash for client ${clientId}`);
    }
    const outcome = await this.revokeRefreshToken(str(req, 'Token'), clientId);
    if (outcome === 'other-client') throw new UserPoolError('UnauthorizedException', 'The refresh token was issued to another client.');
    return {};
  }

  private async globalSignOut(req: Json): Promise<Json> {
    const username = await this.store.accessTokenUser(str(req, 'AccessToken'));
    if (!username) throw new UserPoolError('NotAuthorizedException', 'Invalid Access Token');
    await this.signOut(username);
    return {};
  }

  private async adminGlobalSignOut(req: Json): Promise<Json> {
    if (str(req, 'UserPoolId') !== this.poolId) throw new UserPoolError('ResourceNotFoundException', `User pool ${String(req.UserPoolId)} does not exist.`);
    const user = await this.store.user(str(req, 'Username'));
    if (!user) throw new UserPoolError('UserNotFoundException', 'User does not exist.');
    await this.signOut(user.username);
    return {};
  }

  private async getTokensFromRefreshToken(req: Json): Promise<Json> {
    return this.refresh(str(req, 'ClientId'), str(req, 'RefreshToken'));
  }

  private async refreshAuth(req: Json): Promise<Json> {
    const p = req.AuthParameters;
    const token = typeof p === 'object' && p !== null ? (p as Json).REFRESH_TOKEN : undefined;
    if (typeof token !== 'string') throw invalidParameter('AuthParameters REFRESH_TOKEN is required');
    return { ChallengeParameters: {}, ...(await this.refresh(str(req, 'ClientId'), token)) };
  }

  /** New ID and access tokens of the refresh token's sign-in (no new refresh token: no rotation in this stack). */
  private async refresh(clientId: string, refreshToken: string): Promise<Json> {
    const owner = await this.store.refreshTokenOwner(refreshToken);
    const claims = unverifiedClaims(refreshToken);
    if (!owner || this.revocations.isRevoked(claims) || (claims.client_id !== undefined && claims.client_id !== clientId)) {
      throw new UserPoolError('NotAuthorizedException', 'Invalid Refresh Token');
    }
    const user = await this.store.user(owner);
    if (!user?.enabled) throw new UserPoolError('NotAuthorizedException', 'User is disabled.');
    const t = await this.store.issueTokens(owner, clientId, {
      source: 'TokenGeneration_RefreshTokens',
      withoutRefreshToken: true,
      ...(typeof claims.origin_jti === 'string' ? { originJti: claims.origin_jti } : {}),
    });
    return { AuthenticationResult: { AccessToken: t.AccessToken, IdToken: t.IdToken, ExpiresIn: t.ExpiresIn, TokenType: 'Bearer' } };
  }
}

function str(req: Json, key: string): string {
  const v = req[key];
  if (typeof v !== 'string' || v === '') throw invalidParameter(`Missing required parameter ${key}`);
  return v;
}
