/** What the identity-provider thread (idp-thread.ts) is started with and answers. */

/** A person an IdP knows, with the password its login form accepts. */
export interface IdpUser {
  /** The provider whose directory holds the user (`Google`, a SAML provider name). */
  readonly idp: string;
  readonly email: string;
  readonly password: string;
  /** Display name. */
  readonly name: string;
  /** The groups the IdP asserts (SAML groups attribute). */
  readonly idpGroups: readonly string[];
}

/**
 * What the thread is launched with, before the rest of the local mode is known: enough to load
 * its libraries and its signing keys while the main thread starts everything else.
 */
export interface IdpThreadPreparation {
  /** Where the IdPs' signing keys are kept (idp-keys.ts). */
  readonly keysDir: string;
  /** Whether the stack has Google (oidc-provider is loaded only then). */
  readonly google: boolean;
  /** The stack's SAML providers' names. */
  readonly saml: readonly string[];
}

/** What the thread starts its IdPs with, once the managed login's origin (the redirect and ACS URLs) is known. */
export interface IdpThreadOptions {
  readonly host: string;
  readonly users: readonly IdpUser[];
  /** The OIDC provider standing in for Google, when the stack has Google. */
  readonly google?: {
    readonly clientId: string;
    readonly clientSecret: string;
    readonly redirectUri: string;
    /** `authorize_scopes`, space-separated. */
    readonly scopes: string;
  };
  /** SAML IdPs standing in for the stack's SAML providers. */
  readonly saml: readonly {
    readonly name: string;
    /** The service provider's (the pool's) metadata XML: its ACS and signing certificate. */
    readonly spMetadata: string;
    /** The attribute carrying the email and the one carrying the groups (from the stack's attribute mapping). */
    readonly emailAttribute: string;
    readonly groupsAttribute?: string;
    /** Attributes named in the mapping besides those (sent with the display name, when asked for `name`). */
    readonly nameAttribute?: string;
    readonly wantAuthnRequestsSigned: boolean;
    readonly nameIdFormat: string;
  }[];
}

export interface IdpThreadReady {
  readonly type: 'ready';
  readonly google?: { readonly issuer: string };
  readonly saml: readonly { readonly name: string; readonly metadata: string; readonly entityId: string; readonly ssoUrl: string }[];
}

export type FromIdpThread = IdpThreadReady | { readonly type: 'error'; readonly message: string; readonly stack?: string } | { readonly type: 'closed' };
export type ToIdpThread = { readonly type: 'start'; readonly options: IdpThreadOptions } | { readonly type: 'close' };
