import type { StoredUser } from './protocol/user-store';

/**
 * What federation needs from the user pool: Cognito's federated users (`<Provider>_<id>`,
 * status EXTERNAL_PROVIDER, no password) with the `identities` attribute Cognito maintains,
 * and the two calls of invited-only admission (ListUsers by email, AdminLinkProviderForUser).
 */

/** One entry of the `identities` attribute, in the JSON shape Cognito stores it. */
export interface FederatedIdentity {
  readonly userId: string;
  readonly providerName: string;
  readonly providerType: string;
  /** The IdP's issuer (SAML entity id, OIDC issuer); Cognito stores null for Google. */
  readonly issuer: string | null;
  readonly primary: boolean;
  /** Milliseconds since the epoch. */
  readonly dateCreated: number;
}

export interface FederatedUserStore {
  /** A user by username; undefined when there is none. */
  user(username: string): Promise<StoredUser | undefined>;
  /**
   * Creates the federated user `username` with `attributes` and `identity` (a new `sub`,
   * EXTERNAL_PROVIDER), or updates the mapped attributes of the existing one, as Cognito does
   * at every federated sign-in. `created` says which.
   */
  saveFederatedUser(input: {
    readonly username: string;
    readonly attributes: Readonly<Record<string, string>>;
    readonly identity: Omit<FederatedIdentity, 'dateCreated' | 'primary'>;
  }): Promise<{ readonly user: StoredUser; readonly created: boolean }>;
  /** The user whose `identities` links this provider's user id (AdminLinkProviderForUser), if any. */
  linkedUser(providerName: string, providerUserId: string): Promise<StoredUser | undefined>;
  /** Users whose `email` is exactly this (ListUsers `email = "..."`). */
  usersWithEmail(email: string): Promise<StoredUser[]>;
  /** AdminLinkProviderForUser: the provider's user signs in as `nativeUsername` from now on. */
  linkProvider(nativeUsername: string, identity: Omit<FederatedIdentity, 'dateCreated' | 'primary'>): Promise<void>;
}

/** Parses an `identities` attribute; [] for none or a malformed one. */
export function parseIdentities(value: string | undefined): FederatedIdentity[] {
  if (!value) return [];
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? (parsed as FederatedIdentity[]) : [];
  } catch {
    return [];
  }
}
