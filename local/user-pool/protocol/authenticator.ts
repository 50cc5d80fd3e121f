import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { LocalPasswordPolicy } from '../../stack-reader';
import { UserPoolError, codeMismatch, incorrectCredentials, invalidParameter, invalidSession } from './errors';
import { checkPasswordPolicy } from './password-policy';
import { type SrpChallenge, parseSrpA, parseSrpTimestamp, srpPoolName, startSrp, verifyPasswordClaim } from './srp';
import { checkTotp, newTotpSecret } from './totp';
import type { IssueOptions, IssuedTokens, StoredClient, StoredUser, UserStore } from './user-store';

/**
 * The user-pool sign-in protocol, owned here rather than taken from cognito-local: SRP
 * (`USER_SRP_AUTH` -> `PASSWORD_VERIFIER`), the local-only `USER_PASSWORD_AUTH`, first sign-in
 * (`NEW_PASSWORD_REQUIRED` with the stack's password policy and temporary-password validity),
 * and TOTP MFA as the stack configures it (`SOFTWARE_TOKEN_MFA`, `MFA_SETUP`,
 * Associate/VerifySoftwareToken, SetUserMFAPreference). Storage and token signing are the
 * store's (user-store.ts).
 *
 * Every method answers with an `AuthOutcome` or throws `UserPoolError`, so the JSON API
 * (api-targets.ts) and an in-process caller (a hosted-UI login page) share one implementation.
 */

export type ChallengeName = 'PASSWORD_VERIFIER' | 'NEW_PASSWORD_REQUIRED' | 'SOFTWARE_TOKEN_MFA' | 'MFA_SETUP';

export type AuthOutcome =
  | { readonly kind: 'tokens'; readonly username: string; readonly tokens: IssuedTokens }
  | {
      readonly kind: 'challenge';
      readonly username: string;
      readonly challengeName: ChallengeName;
      /** Absent for PASSWORD_VERIFIER, as Cognito: its state travels in SECRET_BLOCK. */
      readonly session?: string;
      readonly parameters: Readonly<Record<string, string>>;
    };

export interface AuthenticatorOptions {
  readonly store: UserStore;
  /** AWS-shaped pool id; the SRP pool name is the part after `_`. */
  readonly poolId: string;
  readonly passwordPolicy: LocalPasswordPolicy;
  readonly mfaConfiguration: 'OFF' | 'ON' | 'OPTIONAL';
  /** TOTP is a factor of the pool (`software_token_mfa_configuration.enabled`). */
  readonly softwareTokenMfa: boolean;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /**
   * How long a challenge session lives, in seconds (Cognito's `auth_session_validity`).
   * @default 180
   */
  readonly sessionSeconds?: number;
  /**
   * How far an SRP `TIMESTAMP` may be from the server clock, in seconds (Cognito refuses a
   * claim signed with a far-off clock).
   * @default 300
   */
  readonly timestampSkewSeconds?: number;
}

/** Cognito's NotAuthorizedException text for an expired temporary password. */
const TEMPORARY_PASSWORD_EXPIRED = 'Temporary password has expired and must be reset by an administrator.';

interface SessionState {
  readonly kind: ChallengeName;
  readonly username: string;
  readonly clientId: string;
  readonly expires: number;
  /** MFA_SETUP: the secret AssociateSoftwareToken handed out, and whether a code proved it. */
  readonly setupSecret?: string;
  readonly setupVerified?: boolean;
  readonly friendlyDeviceName?: string;
}

interface SrpState {
  readonly challenge: SrpChallenge;
  readonly username: string;
  readonly clientId: string;
  readonly expires: number;
}

export class Authenticator {
  private readonly store: UserStore;
  private readonly poolName: string;
  private readonly now: () => Date;
  private readonly sessionMs: number;
  private readonly skewMs: number;
  private readonly sessions = new Map<string, SessionState>();
  /** PASSWORD_VERIFIER state by SECRET_BLOCK (random, 64 bytes: the handle, as Cognito's encrypted block is). */
  private readonly srp = new Map<string, SrpState>();
  /** The password an unknown username is challenged for (see startSrpSignIn). */
  private readonly unknownUserPassword = randomBytes(32).toString('hex');

  constructor(private readonly options: AuthenticatorOptions) {
    this.store = options.store;
    this.poolName = srpPoolName(options.poolId);
    this.now = options.now ?? (() => new Date());
    this.sessionMs = (options.sessionSeconds ?? 180) * 1000;
    this.skewMs = (options.timestampSkewSeconds ?? 300) * 1000;
  }

  // ---- sign-in entry points -------------------------------------------------------------

  /**
   * `USER_PASSWORD_AUTH` (local-only for clients that do not list it), and what a hosted-UI
   * `/login` form calls in process: username + password -> tokens or the next challenge.
   * `trusted` callers (the local login page, on the server) skip the client-flow and
   * SECRET_HASH checks, as Cognito's own hosted UI does.
   */
  async signInWithPassword(req: {
    clientId: string;
    username: string;
    password: string;
    secretHash?: string;
    trusted?: boolean;
  }): Promise<AuthOutcome> {
    const client = await this.client(req.clientId);
    if (!req.trusted) {
      this.requireFlow(client, 'ALLOW_USER_PASSWORD_AUTH', 'USER_PASSWORD_AUTH');
      this.checkSecretHash(client, req.username, req.secretHash);
    }
    const user = await this.store.user(req.username);
    if (!user || !equalStrings(user.password, req.password)) throw incorrectCredentials();
    return this.afterPassword(user, client);
  }

  /** `USER_SRP_AUTH`: answers `PASSWORD_VERIFIER` with SALT, SRP_B and SECRET_BLOCK. */
  async startSrpSignIn(req: { clientId: string; username: string; srpA: string; secretHash?: string }): Promise<AuthOutcome> {
    const client = await this.client(req.clientId);
    this.requireFlow(client, 'ALLOW_USER_SRP_AUTH', 'USER_SRP_AUTH');
    this.checkSecretHash(client, req.username, req.secretHash);
    const A = parseSrpA(req.srpA);
    if (A === undefined) throw invalidParameter('Invalid SRP_A: expected a hex number that is not 0 mod N.');
    const user = await this.store.user(req.username);
    // An unknown user gets a challenge for a password nobody knows, so the answer does not tell
    // whether the username exists; the claim then fails as a wrong password does. One such
    // password per process: its verifier is kept like a real user's, so both answer alike fast.
    const userId = user?.username ?? req.username;
    const challenge = startSrp(this.poolName, userId, user?.password ?? this.unknownUserPassword, A);
    this.sweep();
    this.srp.set(challenge.secretBlock, { challenge, username: userId, clientId: client.clientId, expires: this.nowMs() + this.sessionMs });
    return {
      kind: 'challenge',
      username: userId,
      challengeName: 'PASSWORD_VERIFIER',
      parameters: { SALT: challenge.salt, SECRET_BLOCK: challenge.secretBlock, SRP_B: challenge.srpB, USERNAME: userId, USER_ID_FOR_SRP: userId },
    };
  }

  /** RespondToAuthChallenge, every challenge this pool issues. */
  async respondToChallenge(req: {
    clientId: string;
    challengeName: string;
    session?: string;
    responses: Readonly<Record<string, string | undefined>>;
    trusted?: boolean;
  }): Promise<AuthOutcome> {
    const client = await this.client(req.clientId);
    if (!req.trusted) this.checkSecretHash(client, req.responses.USERNAME ?? '', req.responses.SECRET_HASH);
    switch (req.challengeName) {
      case 'PASSWORD_VERIFIER':
        return this.passwordVerifier(client, req.responses);
      case 'NEW_PASSWORD_REQUIRED':
        return this.newPassword(client, req.session, req.responses);
      case 'SOFTWARE_TOKEN_MFA':
        return this.softwareTokenMfa(client, req.session, req.responses);
      case 'MFA_SETUP':
        return this.mfaSetup(client, this.takeSession(req.session, 'MFA_SETUP', client));
      default:
        throw invalidParameter(`Invalid challenge name ${JSON.stringify(req.challengeName)}: this pool issues PASSWORD_VERIFIER, NEW_PASSWORD_REQUIRED, SOFTWARE_TOKEN_MFA and MFA_SETUP.`);
    }
  }

  /**
   * Trusted, in process: tokens for a user who proved who they are elsewhere (the managed
   * login after its form and challenges, a federation result, a refresh grant). The caller
   * vouches for the user; the client must exist and the user must be enabled.
   */
  async issueTokensFor(req: { clientId: string; username: string; scopes: readonly string[]; authTime?: number } & Omit<IssueOptions, 'scopes' | 'authTime'>): Promise<IssuedTokens> {
    const client = await this.client(req.clientId);
    const user = await this.requireUser(req.username);
    if (!user.enabled) throw new UserPoolError('NotAuthorizedException', 'User is disabled.');
    const { clientId: _c, username: _u, ...options } = req;
    return this.store.issueTokens(user.username, client.clientId, { source: 'TokenGeneration_HostedAuth', ...options });
  }

  /** The stored user (the managed login's userInfo). */
  user(username: string): Promise<StoredUser | undefined> {
    return this.store.user(username);
  }

  // ---- TOTP enrollment ------------------------------------------------------------------

  /** AssociateSoftwareToken, signed in (access token) or during MFA_SETUP (session). */
  async associateSoftwareToken(req: { accessToken?: string; session?: string }): Promise<{ secretCode: string; session?: string }> {
    const secret = newTotpSecret();
    if (req.accessToken !== undefined) {
      const username = await this.accessTokenUser(req.accessToken);
      await this.store.updateUser(username, { totp: { secret, verified: false } });
      return { secretCode: secret };
    }
    const state = this.takeSession(req.session, 'MFA_SETUP');
    return { secretCode: secret, session: this.newSession({ ...state, setupSecret: secret, setupVerified: false }) };
  }

  /** VerifySoftwareToken: the first code for the associated secret; a wrong one is CodeMismatchException. */
  async verifySoftwareToken(req: {
    accessToken?: string;
    session?: string;
    userCode: string;
    friendlyDeviceName?: string;
  }): Promise<{ status: 'SUCCESS'; session?: string }> {
    if (req.accessToken !== undefined) {
      const username = await this.accessTokenUser(req.accessToken);
      const user = await this.requireUser(username);
      if (!user.totp) throw new UserPoolError('InvalidParameterException', 'User has not associated a software token; call AssociateSoftwareToken first.');
      if (!checkTotp(user.totp.secret, req.userCode, this.now())) throw codeMismatch();
      await this.store.updateUser(username, { totp: { secret: user.totp.secret, verified: true, friendlyDeviceName: req.friendlyDeviceName } });
      return { status: 'SUCCESS' };
    }
    const state = this.peekSession(req.session, 'MFA_SETUP');
    if (!state.setupSecret) throw new UserPoolError('InvalidParameterException', 'No software token was associated with this session; call AssociateSoftwareToken first.');
    if (!checkTotp(state.setupSecret, req.userCode, this.now())) throw codeMismatch();
    this.sessions.delete(req.session as string);
    return { status: 'SUCCESS', session: this.newSession({ ...state, setupVerified: true, friendlyDeviceName: req.friendlyDeviceName }) };
  }

  /** SetUserMFAPreference for TOTP (SMS is not a factor of this pool). */
  async setUserMfaPreference(req: { accessToken: string; softwareToken?: { enabled?: boolean; preferred?: boolean } }): Promise<void> {
    const username = await this.accessTokenUser(req.accessToken);
    const user = await this.requireUser(username);
    const st = req.softwareToken;
    if (!st) return;
    if (st.enabled) {
      if (!this.options.softwareTokenMfa) throw invalidParameter('Software token MFA is not enabled for this user pool.');
      if (!user.totp?.verified) throw invalidParameter('User has not verified software token mfa');
      await this.store.updateUser(username, {
        mfaMethods: [...new Set([...user.mfaMethods, 'SOFTWARE_TOKEN_MFA' as const])],
        preferredMfa: st.preferred ? 'SOFTWARE_TOKEN_MFA' : user.preferredMfa ?? null,
      });
    } else if (st.enabled === false) {
      if (this.options.mfaConfiguration === 'ON' && user.mfaMethods.length === 1 && user.mfaMethods[0] === 'SOFTWARE_TOKEN_MFA') {
        throw invalidParameter('MFA is required by this user pool: the last MFA method cannot be disabled.');
      }
      await this.store.updateUser(username, {
        mfaMethods: user.mfaMethods.filter((m) => m !== 'SOFTWARE_TOKEN_MFA'),
        preferredMfa: user.preferredMfa === 'SOFTWARE_TOKEN_MFA' ? null : user.preferredMfa,
      });
    }
  }

  // ---- challenges -----------------------------------------------------------------------

  private async passwordVerifier(client: StoredClient, r: Readonly<Record<string, string | undefined>>): Promise<AuthOutcome> {
    const block = r.PASSWORD_CLAIM_SECRET_BLOCK ?? '';
    const state = this.srp.get(block);
    if (!state || state.expires < this.nowMs() || state.clientId !== client.clientId) throw invalidSession();
    this.srp.delete(block); // one claim per challenge
    const timestamp = r.TIMESTAMP ?? '';
    const at = parseSrpTimestamp(timestamp);
    if (!at) throw invalidParameter(`TIMESTAMP ${JSON.stringify(timestamp)}: expected the format EEE MMM d HH:mm:ss UTC yyyy, e.g. "Tue Dec 1 09:05:07 UTC 2026".`);
    if (Math.abs(at.getTime() - this.nowMs()) > this.skewMs) throw incorrectCredentials();
    const ok = verifyPasswordClaim(state.challenge, this.poolName, state.username, timestamp, r.PASSWORD_CLAIM_SIGNATURE ?? '');
    const user = ok ? await this.store.user(state.username) : undefined;
    if (!user) throw incorrectCredentials();
    return this.afterPassword(user, client);
  }

  private async newPassword(client: StoredClient, session: string | undefined, r: Readonly<Record<string, string | undefined>>): Promise<AuthOutcome> {
    // A password the policy refuses keeps the session, so the user can choose another.
    const state = this.peekSession(session, 'NEW_PASSWORD_REQUIRED', client);
    const password = r.NEW_PASSWORD;
    if (password === undefined) throw invalidParameter('Missing required parameter NEW_PASSWORD');
    checkPasswordPolicy(this.options.passwordPolicy, password, 'challengeResponses.NEW_PASSWORD');
    const attributes = Object.fromEntries(
      Object.entries(r)
        .filter(([k, v]) => k.startsWith('userAttributes.') && v !== undefined)
        .map(([k, v]) => [k.slice('userAttributes.'.length), v as string])
    );
    this.sessions.delete(session as string);
    const user = await this.store.updateUser(state.username, { password, attributes });
    return this.afterFirstFactor(user, client);
  }

  private async softwareTokenMfa(client: StoredClient, session: string | undefined, r: Readonly<Record<string, string | undefined>>): Promise<AuthOutcome> {
    // A wrong code keeps the session, so the user can type the code again (as Cognito allows).
    const state = this.peekSession(session, 'SOFTWARE_TOKEN_MFA', client);
    const user = await this.requireUser(state.username);
    if (!user.totp?.verified || !checkTotp(user.totp.secret, r.SOFTWARE_TOKEN_MFA_CODE ?? '', this.now())) throw codeMismatch();
    this.sessions.delete(session as string);
    return this.tokens(user, client);
  }

  private async mfaSetup(client: StoredClient, state: SessionState): Promise<AuthOutcome> {
    if (!state.setupSecret || !state.setupVerified) {
      throw invalidParameter('MFA_SETUP: associate a software token and verify a code for it (AssociateSoftwareToken, VerifySoftwareToken) with this session first.');
    }
    const user = await this.store.updateUser(state.username, {
      totp: { secret: state.setupSecret, verified: true, friendlyDeviceName: state.friendlyDeviceName },
      mfaMethods: ['SOFTWARE_TOKEN_MFA'],
      preferredMfa: 'SOFTWARE_TOKEN_MFA',
    });
    return this.tokens(user, client);
  }

  // ---- after the password ---------------------------------------------------------------

  /** The password is right: account state, first sign-in, then MFA. */
  private async afterPassword(user: StoredUser, client: StoredClient): Promise<AuthOutcome> {
    if (!user.enabled) throw new UserPoolError('NotAuthorizedException', 'User is disabled.');
    if (user.status === 'RESET_REQUIRED') throw new UserPoolError('PasswordResetRequiredException', 'Password reset required for the user');
    if (user.status === 'UNCONFIRMED') throw new UserPoolError('UserNotConfirmedException', 'User is not confirmed.');
    if (user.status === 'FORCE_CHANGE_PASSWORD') {
      const validMs = this.options.passwordPolicy.temporaryPasswordValidityDays * 86_400_000;
      if (this.nowMs() - user.passwordSetAt.getTime() > validMs) throw new UserPoolError('NotAuthorizedException', TEMPORARY_PASSWORD_EXPIRED);
      const { sub: _sub, ...visible } = user.attributes;
      return this.challenge(user, client, 'NEW_PASSWORD_REQUIRED', {
        USER_ID_FOR_SRP: user.username,
        requiredAttributes: '[]',
        userAttributes: JSON.stringify(visible),
      });
    }
    return this.afterFirstFactor(user, client);
  }

  private async afterFirstFactor(user: StoredUser, client: StoredClient): Promise<AuthOutcome> {
    const mfa = this.options.mfaConfiguration;
    if (mfa !== 'OFF' && user.mfaMethods.includes('SOFTWARE_TOKEN_MFA') && user.totp?.verified) {
      return this.challenge(user, client, 'SOFTWARE_TOKEN_MFA', {
        USER_ID_FOR_SRP: user.username,
        ...(user.totp.friendlyDeviceName ? { FRIENDLY_DEVICE_NAME: user.totp.friendlyDeviceName } : {}),
      });
    }
    if (mfa === 'ON') {
      if (!this.options.softwareTokenMfa) {
        throw new UserPoolError('NotAuthorizedException', 'MFA is required but no MFA method the user can set up is enabled for this user pool.');
      }
      return this.challenge(user, client, 'MFA_SETUP', { MFAS_CAN_SETUP: '["SOFTWARE_TOKEN_MFA"]' });
    }
    return this.tokens(user, client);
  }

  private async tokens(user: StoredUser, client: StoredClient): Promise<AuthOutcome> {
    return { kind: 'tokens', username: user.username, tokens: await this.store.issueTokens(user.username, client.clientId) };
  }

  private challenge(user: StoredUser, client: StoredClient, name: ChallengeName, parameters: Record<string, string>): AuthOutcome {
    const session = this.newSession({ kind: name, username: user.username, clientId: client.clientId });
    return { kind: 'challenge', username: user.username, challengeName: name, session, parameters };
  }

  // ---- sessions, clients, helpers -------------------------------------------------------

  private newSession(state: Omit<SessionState, 'expires'>): string {
    this.sweep();
    const id = randomBytes(48).toString('base64url');
    this.sessions.set(id, { ...state, expires: this.nowMs() + this.sessionMs });
    return id;
  }

  /** The session's state, left in place (a retry may use it again). */
  private peekSession(session: string | undefined, kind: ChallengeName, client?: StoredClient): SessionState {
    const state = session === undefined ? undefined : this.sessions.get(session);
    if (!state || state.kind !== kind || state.expires < this.nowMs() || (client && state.clientId !== client.clientId)) {
      throw invalidSession();
    }
    return state;
  }

  /** The session's state, used up. */
  private takeSession(session: string | undefined, kind: ChallengeName, client?: StoredClient): SessionState {
    const state = this.peekSession(session, kind, client);
    this.sessions.delete(session as string);
    return state;
  }

  /** Drops expired sessions, so abandoned sign-ins do not accumulate. */
  private sweep(): void {
    const now = this.nowMs();
    for (const [k, s] of this.sessions) if (s.expires < now) this.sessions.delete(k);
    for (const [k, s] of this.srp) if (s.expires < now) this.srp.delete(k);
  }

  private async client(clientId: string): Promise<StoredClient> {
    const client = clientId ? await this.store.client(clientId) : undefined;
    if (!client) throw new UserPoolError('ResourceNotFoundException', `User pool client ${clientId} does not exist.`);
    return client;
  }

  private requireFlow(client: StoredClient, allow: string, flow: string): void {
    if (!client.explicitAuthFlows.includes(allow)) throw invalidParameter(`${flow} flow not enabled for this client`);
  }

  /** Confidential clients prove their secret: SECRET_HASH = base64 HMAC-SHA256(secret, username + clientId). */
  private checkSecretHash(client: StoredClient, username: string, secretHash: string | undefined): void {
    if (!client.secret) return;
    if (!secretHash) throw new UserPoolError('NotAuthorizedException', `Client ${client.clientId} is configured with secret but SECRET_HASH was not received`);
    const expected = createHmac('sha256', client.secret).update(username + client.clientId).digest('base64');
    if (!equalStrings(expected, secretHash)) throw new UserPoolError('NotAuthorizedException', `Unable to verify secret hash for client ${client.clientId}`);
  }

  private async accessTokenUser(accessToken: string): Promise<string> {
    const username = await this.store.accessTokenUser(accessToken);
    if (!username) throw new UserPoolError('NotAuthorizedException', 'Invalid Access Token');
    return username;
  }

  private async requireUser(username: string): Promise<StoredUser> {
    const user = await this.store.user(username);
    if (!user) throw new UserPoolError('UserNotFoundException', 'User does not exist.');
    return user;
  }

  private nowMs(): number {
    return this.now().getTime();
  }
}

function equalStrings(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
