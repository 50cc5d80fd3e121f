import { CognitoJwtVerifier } from 'aws-jwt-verify';
import {
  attributesFromRecord,
  attributesToRecord,
  COGNITO_LOCAL_PUBLIC_KEY,
  CognitoError,
  type Context,
  type Route,
  type Router,
  type Services,
  type User,
} from './cognito-local-adapter';
import { randomBytes, randomUUID } from 'node:crypto';
import { type FederatedIdentity, type FederatedUserStore, parseIdentities } from './federated-users';
import { UserPoolError } from './protocol/errors';
import type { IssueOptions, IssuedTokens, MfaMethod, StoredClient, StoredUser, UserChanges, UserStore } from './protocol/user-store';
import { type TokenGenerationSource, TokenIssuer } from './token-issuer';
import type { TokenRevocations } from './revocations';

/**
 * The one place the sign-in protocol (protocol/) touches cognito-local: its user and client
 * records (StormDB files) and its token signer, behind the `UserStore` contract
 * (test/local-user-pool-store.test.ts fails loudly when an upgrade changes them). What is
 * reached and why:
 * - `cognito.getUserPool` / `getAppClient`, `UserPoolService.getUserByUsername` / `saveUser` /
 *   `listUserGroupMembership` / `storeRefreshToken` / `getUserByRefreshToken`: the records the other cognito-local targets
 *   (AdminCreateUser, groups, GetUser) read and write, so both sides see one user;
 * - `tokenGenerator.generate`: tokens signed with the key its JWKS serves, so the GraphQL
 *   endpoint and aws-amplify verify them like the other tokens;
 * - `CognitoError`: the only error type its HTTP server turns into `{ __type, message }`.
 * Owning storage and signing too would mean a second JWKS and user file for no gain measured.
 */
export class CognitoLocalStore implements UserStore, FederatedUserStore {
  private readonly verifier;
  /** Signs every user token (refresh included: revocation-targets.ts; cognito-local's own generator is left to the targets it still answers, e.g. AdminInitiateAuth). */
  readonly issuer: TokenIssuer;

  /**
   * @param revocations the pool's revocation record: `accessTokenUser` refuses a revoked token. @default none (no token is revoked)
   */
  constructor(
    private readonly services: Services,
    private readonly ctx: Context,
    private readonly poolId: string,
    issuer?: TokenIssuer,
    private readonly revocations?: TokenRevocations,
  ) {
    this.issuer = issuer ?? new TokenIssuer(`${services.config.TokenConfig.IssuerDomain}/${poolId}`, () => services.clock.get());
    this.verifier = CognitoJwtVerifier.create({ userPoolId: poolId, tokenUse: 'access', clientId: null });
    this.verifier.cacheJwks({ keys: [COGNITO_LOCAL_PUBLIC_KEY.jwk as never] });
  }

  async client(clientId: string): Promise<StoredClient | undefined> {
    const c = await this.services.cognito.getAppClient(this.ctx, clientId);
    if (!c || c.UserPoolId !== this.poolId) return undefined;
    return { clientId: c.ClientId, secret: c.ClientSecret ?? undefined, explicitAuthFlows: c.ExplicitAuthFlows ?? [] };
  }

  async user(username: string): Promise<StoredUser | undefined> {
    const raw = await this.raw(username);
    return raw && toStoredUser(raw);
  }

  async updateUser(username: string, changes: UserChanges): Promise<StoredUser> {
    const pool = await this.pool();
    const raw = await pool.getUserByUsername(this.ctx, username);
    if (!raw) throw new UserPoolError('UserNotFoundException', 'User does not exist.');
    const next: User = { ...raw, UserLastModifiedDate: this.services.clock.get() };
    if (changes.password !== undefined) {
      next.Password = changes.password;
      next.UserStatus = 'CONFIRMED';
    }
    if (changes.attributes && Object.keys(changes.attributes).length > 0) {
      next.Attributes = attributesFromRecord({ ...attributesToRecord(raw.Attributes), ...changes.attributes });
    }
    if (changes.totp === null) delete next.SoftwareTokenMfaConfiguration;
    else if (changes.totp) {
      next.SoftwareTokenMfaConfiguration = {
        Secret: changes.totp.secret,
        Verified: changes.totp.verified,
        ...(changes.totp.friendlyDeviceName ? { FriendlyDeviceName: changes.totp.friendlyDeviceName } : {}),
      };
    }
    if (changes.mfaMethods) next.UserMFASettingList = [...changes.mfaMethods];
    if (changes.preferredMfa === null) delete next.PreferredMfaSetting;
    else if (changes.preferredMfa) next.PreferredMfaSetting = changes.preferredMfa;
    await pool.saveUser(this.ctx, next);
    return toStoredUser(next);
  }

  async issueTokens(username: string, clientId: string, options: IssueOptions = {}): Promise<IssuedTokens> {
    const pool = await this.pool();
    const user = await pool.getUserByUsername(this.ctx, username);
    const client = await this.services.cognito.getAppClient(this.ctx, clientId);
    if (!user || !client) throw new UserPoolError('NotAuthorizedException', 'Incorrect username or password.');
    const groups = await pool.listUserGroupMembership(this.ctx, user);
    const units = client.TokenValidityUnits;
    const t = await this.issuer.userTokens({
      user: { username: user.Username, attributes: attributesToRecord(user.Attributes), groups },
      client: {
        clientId: client.ClientId,
        accessTokenValidity: client.AccessTokenValidity,
        idTokenValidity: client.IdTokenValidity,
        refreshTokenValidity: client.RefreshTokenValidity,
        tokenValidityUnits: units && { accessToken: units.AccessToken, idToken: units.IdToken, refreshToken: units.RefreshToken },
      },
      source: options.source ?? ('TokenGeneration_Authentication' satisfies TokenGenerationSource),
      scopes: options.scopes ?? ['aws.cognito.signin.user.admin'],
      issuer: options.issuer,
      authTime: options.authTime,
      nonce: options.nonce,
      withoutRefreshToken: options.withoutRefreshToken,
      originJti: options.originJti,
    });
    // Kept in the user's record, where the refresh flows and revocation (revocation-targets.ts) look it up.
    if (t.RefreshToken) await pool.storeRefreshToken(this.ctx, t.RefreshToken, user);
    return t;
  }

  async accessTokenUser(accessToken: string): Promise<string | undefined> {
    let claims;
    try {
      claims = await this.verifier.verify(accessToken);
    } catch {
      return undefined;
    }
    if (this.revocations?.isRevoked(claims)) throw new UserPoolError('NotAuthorizedException', 'Access Token has been revoked');
    return typeof claims.username === 'string' ? claims.username : undefined;
  }

  /** The username whose record holds this refresh token (cognito-local keeps them there); undefined when none does. */
  async refreshTokenOwner(refreshToken: string): Promise<string | undefined> {
    return (await (await this.pool()).getUserByRefreshToken(this.ctx, refreshToken))?.Username;
  }

  /** Removes refresh tokens from a user's record (`only` them, or all) and returns the removed ones. */
  async dropRefreshTokens(username: string, only?: string): Promise<string[]> {
    const pool = await this.pool();
    const user = await pool.getUserByUsername(this.ctx, username);
    const tokens = Array.isArray(user?.RefreshTokens) ? user.RefreshTokens : [];
    const dropped = tokens.filter((t) => only === undefined || t === only);
    if (!user || dropped.length === 0) return [];
    await pool.saveUser(this.ctx, { ...user, RefreshTokens: tokens.filter((t) => !dropped.includes(t)) });
    return dropped;
  }

  async saveFederatedUser(input: Parameters<FederatedUserStore['saveFederatedUser']>[0]): Promise<{ user: StoredUser; created: boolean }> {
    const pool = await this.pool();
    const existing = await pool.getUserByUsername(this.ctx, input.username);
    const now = this.services.clock.get();
    if (existing) {
      // Cognito rewrites the mapped attributes at every federated sign-in; sub and identities stay.
      const next: User = {
        ...existing,
        Attributes: attributesFromRecord({ ...attributesToRecord(existing.Attributes), ...input.attributes }),
        UserLastModifiedDate: now,
      };
      await pool.saveUser(this.ctx, next);
      return { user: toStoredUser(next), created: false };
    }
    const identity: FederatedIdentity = { ...input.identity, primary: true, dateCreated: now.getTime() };
    const user: User = {
      Username: input.username,
      // Federated users have no password: a random one nobody knows, so no password or SRP sign-in can match.
      Password: randomBytes(32).toString('base64'),
      Attributes: attributesFromRecord({ ...input.attributes, sub: randomUUID(), identities: JSON.stringify([identity]) }),
      Enabled: true,
      UserStatus: 'EXTERNAL_PROVIDER',
      UserCreateDate: now,
      UserLastModifiedDate: now,
      RefreshTokens: [],
    };
    await pool.saveUser(this.ctx, user);
    return { user: toStoredUser(user), created: true };
  }

  async linkedUser(providerName: string, providerUserId: string): Promise<StoredUser | undefined> {
    const users = await (await this.pool()).listUsers(this.ctx);
    const linked = users.find(
      (u) =>
        u.UserStatus !== 'EXTERNAL_PROVIDER' &&
        parseIdentities(attributesToRecord(u.Attributes).identities).some((i) => i.providerName === providerName && i.userId === providerUserId),
    );
    return linked && toStoredUser(linked);
  }

  async usersWithEmail(email: string): Promise<StoredUser[]> {
    // cognito-local's ListUsers filter: `email = "..."` (the caller passes a checked address).
    const users = await (await this.pool()).listUsers(this.ctx, `email = ${JSON.stringify(email)}`);
    return users.map(toStoredUser);
  }

  async linkProvider(nativeUsername: string, identity: Omit<FederatedIdentity, 'dateCreated' | 'primary'>): Promise<void> {
    const pool = await this.pool();
    const user = await pool.getUserByUsername(this.ctx, nativeUsername);
    if (!user) throw new UserPoolError('UserNotFoundException', 'User does not exist.');
    const attributes = attributesToRecord(user.Attributes);
    const identities = parseIdentities(attributes.identities).filter((i) => !(i.providerName === identity.providerName && i.userId === identity.userId));
    identities.push({ ...identity, primary: false, dateCreated: this.services.clock.get().getTime() });
    await pool.saveUser(this.ctx, {
      ...user,
      Attributes: attributesFromRecord({ ...attributes, identities: JSON.stringify(identities) }),
      UserLastModifiedDate: this.services.clock.get(),
    });
  }

  private pool() {
    return this.services.cognito.getUserPool(this.ctx, this.poolId);
  }

  private async raw(username: string): Promise<User | undefined> {
    return (await (await this.pool()).getUserByUsername(this.ctx, username)) ?? undefined;
  }
}

function toStoredUser(u: User): StoredUser {
  const attributes = attributesToRecord(u.Attributes);
  const totp = u.SoftwareTokenMfaConfiguration;
  return {
    username: u.Username,
    sub: attributes.sub ?? '',
    status: u.UserStatus ?? 'CONFIRMED',
    enabled: u.Enabled !== false,
    password: u.Password,
    passwordSetAt: new Date(u.UserLastModifiedDate),
    attributes,
    totp: totp && { secret: totp.Secret, verified: totp.Verified, friendlyDeviceName: totp.FriendlyDeviceName },
    mfaMethods: (u.UserMFASettingList ?? []).filter((m: string): m is MfaMethod => m === 'SOFTWARE_TOKEN_MFA' || m === 'SMS_MFA'),
    preferredMfa: u.PreferredMfaSetting === 'SOFTWARE_TOKEN_MFA' || u.PreferredMfaSetting === 'SMS_MFA' ? u.PreferredMfaSetting : undefined,
  };
}

/** Answers a target the protocol owns, or undefined to let cognito-local's router answer it. */
export type OwnedTargets = (target: string, req: Record<string, unknown>) => Promise<unknown> | undefined;

/**
 * cognito-local's router with the protocol's targets answered first. The protocol's
 * `UserPoolError`s become `CognitoError`s, which cognito-local's server sends as Cognito does.
 */
export function withOwnedTargets(router: Router, owned: OwnedTargets): Router {
  return (target: string): Route => {
    return (ctx, req) => {
      const answer = owned(target, req as Record<string, unknown>);
      // Looked up only when needed: cognito-local's own MFA targets load ESM-only otplib (see lazy-router.ts).
      if (!answer) return router(target)(ctx, req);
      return answer.catch((e: unknown) => {
        throw e instanceof UserPoolError ? new CognitoError(e.code, e.message) : e;
      }) as ReturnType<Route>;
    };
  };
}
