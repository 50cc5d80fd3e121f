/**
 * What the sign-in protocol needs from a user directory: users, clients, and signed tokens.
 * The protocol (authenticator.ts) owns every decision; a store only keeps and signs. The local
 * mode's store is cognito-local (../cognito-local-store.ts); the contract test
 * (test/local-user-pool-store.test.ts) holds any store to this.
 */

export type MfaMethod = 'SOFTWARE_TOKEN_MFA' | 'SMS_MFA';

export interface StoredTotp {
  /** Base32 shared secret. */
  readonly secret: string;
  /** True once the user proved a code for it (VerifySoftwareToken). */
  readonly verified: boolean;
  readonly friendlyDeviceName?: string;
}

export interface StoredUser {
  /** The Cognito username (USER_ID_FOR_SRP). */
  readonly username: string;
  readonly sub: string;
  /** `CONFIRMED`, `FORCE_CHANGE_PASSWORD`, `RESET_REQUIRED`, `UNCONFIRMED`, ... */
  readonly status: string;
  readonly enabled: boolean;
  /** The local store keeps passwords (local only; nothing deployed knows them). */
  readonly password: string;
  /** When the password was last set: a temporary password expires counting from here. */
  readonly passwordSetAt: Date;
  readonly attributes: Readonly<Record<string, string>>;
  readonly totp?: StoredTotp;
  /** MFA methods the user has enabled (UserMFASettingList). */
  readonly mfaMethods: readonly MfaMethod[];
  readonly preferredMfa?: MfaMethod;
}

export interface StoredClient {
  readonly clientId: string;
  /** Present for confidential clients: requests then carry SECRET_HASH. */
  readonly secret?: string;
  /** `ALLOW_USER_SRP_AUTH`, ... (with the local-only extras). */
  readonly explicitAuthFlows: readonly string[];
}

export interface IssuedTokens {
  readonly AccessToken: string;
  readonly IdToken: string;
  readonly RefreshToken: string;
  /** Seconds the access token lives. */
  readonly ExpiresIn: number;
  readonly TokenType: 'Bearer';
}

/** Changes to a user; absent fields stay as they are. */
export interface UserChanges {
  /** A permanent password: the user becomes CONFIRMED. */
  readonly password?: string;
  /** Attributes to set. */
  readonly attributes?: Readonly<Record<string, string>>;
  /** Replace the TOTP secret (`null` removes it). */
  readonly totp?: StoredTotp | null;
  readonly mfaMethods?: readonly MfaMethod[];
  /** `null` clears the preference. */
  readonly preferredMfa?: MfaMethod | null;
}

/** How a store signs tokens beyond the JSON-API default (the managed login's code exchange and refresh). */
export interface IssueOptions {
  /** The trigger source the pre-token hook sees. @default 'TokenGeneration_Authentication' */
  readonly source?: 'TokenGeneration_Authentication' | 'TokenGeneration_HostedAuth' | 'TokenGeneration_NewPasswordChallenge' | 'TokenGeneration_RefreshTokens';
  /** Access-token scopes. @default ['aws.cognito.signin.user.admin'] */
  readonly scopes?: readonly string[];
  /** `iss`. @default the pool's (AWS form) */
  readonly issuer?: string;
  /** When the user authenticated (seconds). @default now */
  readonly authTime?: number;
  readonly nonce?: string;
  /** A refresh grant: no new refresh token. @default false */
  readonly withoutRefreshToken?: boolean;
  /** A refresh grant: the `origin_jti` of its refresh token's sign-in. @default a new sign-in */
  readonly originJti?: string;
}

export interface UserStore {
  client(clientId: string): Promise<StoredClient | undefined>;
  /** A user by username (case as the pool compares it); undefined when there is none. */
  user(username: string): Promise<StoredUser | undefined>;
  updateUser(username: string, changes: UserChanges): Promise<StoredUser>;
  /** Signs ID, access and refresh tokens for a user who completed sign-in with a client. */
  issueTokens(username: string, clientId: string, options?: IssueOptions): Promise<IssuedTokens>;
  /** The username of a valid (signed by this pool, unexpired) access token; undefined otherwise. */
  accessTokenUser(accessToken: string): Promise<string | undefined>;
}
