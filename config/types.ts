/**
 * The shape of the one declarative description of this project (see `project.ts`).
 *
 * Every group, client, identity provider, storage rule and API caller is named here once;
 * the constructs, the synth-time checks, the access matrix and the local mode all derive
 * from it. Every optional option documents its default, whose value lives in the `DEFAULTS` table
 * (defaults.ts; a test holds each `@default` here to it); `resolveConfig` (index.ts) fills
 * defaults in and `validateConfig` (validate.ts) refuses bad values before any resource
 * exists.
 */

/** A Cognito group. Each group gets its own IAM role in the identity pool. */
export interface GroupConfig {
  /** Cognito group name: 1-128 characters of letters, digits and `_+=,.@-`. */
  readonly name: string;
  /** Shown in the Cognito console and the access matrix. */
  readonly description: string;
  /**
   * Cognito precedence: lower wins when a user is in several groups (token-based role
   * mapping and Rules order). Unique across groups; 0 to 2147483647.
   */
  readonly precedence: number;
}

/** Who a storage rule lets in. */
export type StorageAudience =
  /** Every signed-in user (the identity pool's default authenticated role and every group role). */
  | 'authenticated'
  /** Only the user whose principal tag (their `sub`) fills `{owner}` in the prefix. */
  | 'owner'
  /** Members of any of these groups (through their group role). */
  | { readonly groups: readonly string[] };

/** One prefix of the content assets bucket and who may read or write below it. */
export interface StorageRule {
  /**
   * Key prefix ending in `/`, e.g. `premium/`. May contain `{owner}` once, which becomes the
   * caller's principal tag value (its `sub`), e.g. `private/{owner}/`.
   */
  readonly prefix: string;
  /** Who may GetObject below the prefix. @default nobody */
  readonly read?: StorageAudience;
  /** Who may PutObject/DeleteObject below the prefix. @default nobody */
  readonly write?: StorageAudience;
}

/** IdP group value -> Cognito group name. Only listed values are ever mapped. */
export type GroupMapping = Readonly<Record<string, string>>;

/**
 * Who may come in through a social identity provider (Google, Facebook, Sign in with Apple,
 * Login with Amazon: each its own rule). A social IdP answers only "this is
 * someone's account", not "this person belongs here", so on an admin-create-only pool the
 * pre-sign-up trigger checks this rule before Cognito creates the user. Either name the
 * addresses (`allowedEmailDomains` and/or `allowedEmails`) or set `invitedOnly`.
 */
export interface SocialAdmissionConfig {
  /**
   * Email domains whose addresses may sign up, e.g. `['example.com']`. Exact domains:
   * `example.com` does not admit `sub.example.com`. Compared case-insensitively.
   * @default [] (no domain)
   */
  readonly allowedEmailDomains?: readonly string[];
  /** Single addresses that may sign up, compared case-insensitively. @default [] (no address) */
  readonly allowedEmails?: readonly string[];
  /**
   * Admit only people an administrator created first as native users: the federated identity
   * is linked (`AdminLinkProviderForUser`) to the native user with the same email, and
   * signs in as that user. Not combinable with the email lists.
   * @default false
   */
  readonly invitedOnly?: boolean;
}

/** The social identity providers Cognito offers, by their Cognito provider name. */
export type SocialProviderName = 'Google' | 'Facebook' | 'SignInWithApple' | 'LoginWithAmazon';

export interface GoogleProviderConfig {
  /** Google OAuth client id (public). The secret is the sensitive Terraform variable `google_client_secret`. */
  readonly clientId: string;
  /** @default 'openid email profile' */
  readonly scopes?: string;
  /** Cognito attribute -> Google attribute. @default { email: 'email', name: 'name', username: 'sub' } */
  readonly attributeMapping?: Readonly<Record<string, string>>;
  /**
   * Who may sign up through Google (checked by the pre-sign-up trigger). Required while the
   * pool is admin-create-only (`userPool.adminCreateUserOnly`, the default): closed stays closed.
   * @default none: synth fails on an admin-create-only pool; any Google account on an open pool
   */
  readonly admission?: SocialAdmissionConfig;
}

export interface SamlProviderConfig {
  /** Provider name as Cognito shows it: 3-32 characters, letters, digits, `_-`; not `Google`/`Cognito`. */
  readonly name: string;
  /** Metadata document URL (https). Exactly one of `metadataUrl` and `metadataFile`. */
  readonly metadataUrl?: string;
  /** Path to a metadata XML file, relative to the repository root. Exactly one of `metadataUrl` and `metadataFile`. */
  readonly metadataFile?: string;
  /**
   * Cognito attribute -> SAML assertion attribute.
   * @default { email: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress' }
   */
  readonly attributeMapping?: Readonly<Record<string, string>>;
  /** SAML attribute that carries the user's IdP groups; mapped into `custom:idp_groups`. */
  readonly groupsAttribute: string;
  /** IdP group -> Cognito group, applied by the pre-token-generation trigger. @default {} */
  readonly groupMapping?: GroupMapping;
  /** Email domains routed to this IdP on the hosted sign-in page. @default [] */
  readonly identifiers?: readonly string[];
  /** Sign the user out of the IdP too when they sign out of Cognito. @default true */
  readonly idpSignOut?: boolean;
  /** Sign SAML authentication requests. @default true */
  readonly requestSigning?: boolean;
}

/**
 * An OpenID Connect identity provider of the user pool. Cognito discovers its endpoints from
 * `<issuer>/.well-known/openid-configuration`. The client secret is the sensitive Terraform
 * variable `oidc_<name>_client_secret` (lower case, `-` as `_`), never in source or outputs.
 */
export interface OidcProviderConfig {
  /** Provider name as Cognito shows it: 3-32 characters, letters, digits, `_-`; not a built-in name (Google, ...). */
  readonly name: string;
  /** The issuer URL (https), exactly as the IdP's ID tokens carry it in `iss`. */
  readonly issuer: string;
  /** The OAuth client id the IdP gave this pool (public). */
  readonly clientId: string;
  /** Scopes requested at the IdP's authorize endpoint, space-separated; must include `openid`. @default 'openid email profile' */
  readonly scopes?: string;
  /** How Cognito calls the IdP's userInfo endpoint. @default 'GET' */
  readonly attributesRequestMethod?: 'GET' | 'POST';
  /** Cognito attribute -> OIDC claim. @default { email: 'email', name: 'name', username: 'sub' } */
  readonly attributeMapping?: Readonly<Record<string, string>>;
  /** Claim that carries the user's IdP groups; mapped into `custom:idp_groups`. @default none (the IdP brings no groups) */
  readonly groupsClaim?: string;
  /** IdP group -> Cognito group, applied by the pre-token-generation trigger (needs `groupsClaim`). @default {} */
  readonly groupMapping?: GroupMapping;
  /** Email domains routed to this IdP on the hosted sign-in page. @default [] */
  readonly identifiers?: readonly string[];
}

/** Facebook login. The app secret is the sensitive Terraform variable `facebook_app_secret`. */
export interface FacebookProviderConfig {
  /** The Facebook app id (public). */
  readonly clientId: string;
  /** Permissions requested, comma-separated. @default 'public_profile,email' */
  readonly scopes?: string;
  /** Graph API version, e.g. `v19.0`. @default none (Cognito's default version) */
  readonly apiVersion?: string;
  /** Cognito attribute -> Facebook field. @default { email: 'email', name: 'name', username: 'id' } */
  readonly attributeMapping?: Readonly<Record<string, string>>;
  /** Who may sign up through Facebook (same rule as Google's). @default none: synth fails on an admin-create-only pool */
  readonly admission?: SocialAdmissionConfig;
}

/** Sign in with Apple. The private key (.p8 text) is the sensitive Terraform variable `apple_private_key`. */
export interface AppleProviderConfig {
  /** The Services ID (public), e.g. `com.example.content.signin`. */
  readonly clientId: string;
  /** Apple developer team id: 10 upper-case letters or digits. */
  readonly teamId: string;
  /** Id of the Sign in with Apple key: 10 upper-case letters or digits. */
  readonly keyId: string;
  /** Scopes, space-separated. @default 'email name' */
  readonly scopes?: string;
  /** Cognito attribute -> Apple claim. @default { email: 'email', name: 'name', username: 'sub' } */
  readonly attributeMapping?: Readonly<Record<string, string>>;
  /** Who may sign up through Apple (same rule as Google's). @default none: synth fails on an admin-create-only pool */
  readonly admission?: SocialAdmissionConfig;
}

/** Login with Amazon. The client secret is the sensitive Terraform variable `amazon_client_secret`. */
export interface AmazonProviderConfig {
  /** The Login with Amazon client id (public), `amzn1.application-oa2-client.<hex>`. */
  readonly clientId: string;
  /** Scopes, space-separated. @default 'profile' */
  readonly scopes?: string;
  /** Cognito attribute -> Amazon profile field. @default { email: 'email', name: 'name', username: 'user_id' } */
  readonly attributeMapping?: Readonly<Record<string, string>>;
  /** Who may sign up through Amazon (same rule as Google's). @default none: synth fails on an admin-create-only pool */
  readonly admission?: SocialAdmissionConfig;
}

export interface IdentityProvidersConfig {
  /** Google sign-in. @default disabled */
  readonly google?: GoogleProviderConfig;
  /** Facebook login. @default disabled */
  readonly facebook?: FacebookProviderConfig;
  /** Sign in with Apple. @default disabled */
  readonly signInWithApple?: AppleProviderConfig;
  /** Login with Amazon. @default disabled */
  readonly loginWithAmazon?: AmazonProviderConfig;
  /** SAML identity providers. @default [] */
  readonly saml?: readonly SamlProviderConfig[];
  /** OpenID Connect identity providers, any number. @default [] */
  readonly oidc?: readonly OidcProviderConfig[];
}

export interface WebClientConfig {
  /** OAuth callback URLs: https, or http://localhost for development. At least one. */
  readonly callbackUrls: readonly string[];
  /** Sign-out URLs, same rules as `callbackUrls`. */
  readonly logoutUrls: readonly string[];
  /** Refresh token validity in days, 1 to 3650. @default 30 */
  readonly refreshTokenValidityDays?: number;
  /**
   * Let the web client request the `aws.cognito.signin.user.admin` scope in OAuth (hosted
   * sign-in) tokens, so federated users can change their own attributes too. Sessions from
   * InitiateAuth/`USER_SRP_AUTH` carry that scope whatever this says; the group-mapping
   * trigger never trusts `custom:idp_groups` from anyone but the IdP's own federated user.
   * @default false
   */
  readonly allowUserAdminScope?: boolean;
}

export interface ResourceServerConfig {
  /** Resource server identifier, the scope prefix (`content/read`). @default 'content' */
  readonly identifier?: string;
  /** Scope name -> description. @default { read: 'Read content', write: 'Write content' } */
  readonly scopes?: Readonly<Record<string, string>>;
}

export interface UserPoolConfig {
  /** Minimum password length, 12 to 99. @default 12 */
  readonly passwordMinLength?: number;
  /** Days a temporary password stays valid, 1 to 365. @default 3 */
  readonly temporaryPasswordValidityDays?: number;
  /** Only administrators create users (no self sign-up). @default true */
  readonly adminCreateUserOnly?: boolean;
  /** Email verification subject. @default 'Verify your email' */
  readonly verificationSubject?: string;
  /** Email verification message; must contain `{####}`. @default 'Your verification code is {####}' */
  readonly verificationMessage?: string;
  /** Send email through SES from this verified identity instead of Cognito's default sender. @default Cognito's sender */
  readonly ses?: { readonly sourceArn: string; readonly fromAddress: string };
}

/** A direct IdP's role mapping: claim value -> configured group, whose role the user gets. */
export interface DirectFederationRules {
  /** The token claim, e.g. `groups` or Google's `hd`. */
  readonly claim: string;
  /** `Equals` for a single-valued claim, `Contains` for a list such as `groups`. @default 'Equals' */
  readonly matchType?: 'Equals' | 'Contains';
  /** Claim value -> Cognito group (its identity-pool role). Only listed values map; rules run in group precedence order. */
  readonly groupMapping: GroupMapping;
}

/**
 * An IdP whose tokens go straight to the identity pool, without the user pool (no Cognito user,
 * no pre-sign-up admission, no `cognito:groups`): its own role mapping decides, and unmatched
 * users get no credentials unless `unmatched` says otherwise. The roles' trust policies keep
 * their `aud` (this identity pool) and `amr` (authenticated) conditions.
 */
export interface DirectFederationConfig {
  /** `Google`, `Facebook`, `SignInWithApple`, `LoginWithAmazon` or an `identityProviders.oidc[].name`; that provider must be configured. */
  readonly idp: string;
  /** Role mapping on a claim of the IdP's token. @default none (no rule: every user is unmatched) */
  readonly rules?: DirectFederationRules;
  /**
   * What a user no rule matches gets. `AuthenticatedRole` gives every account of the IdP the
   * default authenticated role (with a social IdP: anyone with an account there); a weaker,
   * named choice.
   * @default 'Deny'
   */
  readonly unmatched?: 'AuthenticatedRole' | 'Deny';
}

export interface IdentityPoolConfig {
  /** How a signed-in user's IAM role is chosen. `rules`: `cognito:groups` Contains, in precedence order. @default 'rules' */
  readonly roleMapping?: 'rules' | 'token';
  /** What happens when no rule matches or the token names no single role. @default 'AuthenticatedRole' */
  readonly ambiguousRoleResolution?: 'AuthenticatedRole' | 'Deny';
  /** IdPs whose tokens the identity pool accepts directly (federated-only identities). @default [] */
  readonly directFederation?: readonly DirectFederationConfig[];
}

/** A caller that reaches the API with SigV4 (AWS_IAM) rather than a user-pool token. */
export interface IamCallerConfig {
  /** Caller name (role name suffix, matrix column): lowercase letters, digits, `-`. */
  readonly name: string;
  /**
   * Who holds the role: an AWS service principal for a backend caller (the stack creates the
   * role), or a group whose identity-pool role receives the grant.
   */
  readonly principal: { readonly service: string } | { readonly group: string };
  /** Top-level fields (`Query.articles`) the role may call; each must carry `@aws_iam`. */
  readonly fields: readonly string[];
}

/** A rule enforced inside a resolver, shown in the access matrix next to the directive. */
export interface RowRuleConfig {
  /** `Type.field` the rule narrows. */
  readonly field: string;
  /** Groups the rule narrows; others the directive already admits are unaffected. */
  readonly groups: readonly string[];
  /** What the resolver enforces, in a few words. */
  readonly rule: string;
}

export interface ApiConfig {
  /** AppSync API name suffix. @default 'content-api' */
  readonly name?: string;
  /** Every type and field must carry an auth directive. @default true */
  readonly strictAuthDirectives?: boolean;
  /** Maximum query depth, 1 to 75. @default 10 */
  readonly queryDepthLimit?: number;
  /** Maximum resolvers per request, 1 to 10000. @default 200 */
  readonly resolverCountLimit?: number;
  /** IAM callers and the fields each may call. @default [] */
  readonly iamCallers?: readonly IamCallerConfig[];
  /** Row rules the resolvers enforce (documentation for the matrix). @default [] */
  readonly rowRules?: readonly RowRuleConfig[];
  /**
   * Group lists the resolvers' row rules read from `ctx.env` (API environment variables,
   * comma-joined), so resolvers never spell a group name. Names: `[A-Z][A-Z0-9_]*`.
   * @default {}
   */
  readonly groupVariables?: Readonly<Record<string, readonly string[]>>;
}

/**
 * S3 state backend (S3-native lock file, encrypted). The state holds the server client's
 * secret and the Google client secret, so every environment needs one unless it sets
 * `requireRemoteState: false`.
 */
export interface StateBackendConfig {
  /** An existing, private, versioned S3 bucket for the state. */
  readonly bucket: string;
  /** @default `<project>/<environment>.tfstate` */
  readonly key?: string;
  /** @default the project region */
  readonly region?: string;
  /** KMS key for state encryption. @default the bucket's default (SSE-S3) */
  readonly kmsKeyId?: string;
}

/** A compliance control an environment does not meet on purpose. */
export interface RelaxationConfig {
  /** The control id as the compliance report names it, e.g. `Cognito.1` or `CKV2_AWS_33`. */
  readonly control: string;
  /** Why: shown in the report next to WAIVED. */
  readonly reason: string;
}

/** A custom attribute of an existing pool, as `DescribeUserPool` lists it (without the `custom:` prefix). */
export interface ExistingCustomAttribute {
  /** Attribute name without `custom:`, e.g. `idp_groups`. */
  readonly name: string;
  readonly type: 'String' | 'Number' | 'DateTime' | 'Boolean';
  /** @default true */
  readonly mutable?: boolean;
  /** String attributes: minimum length. @default 0 */
  readonly minLength?: number;
  /** String attributes: maximum length. @default 2048 */
  readonly maxLength?: number;
}

/**
 * What the existing pool has in the settings Cognito cannot change after creation. Synth is
 * offline, so it cannot read them: copy them from `aws cognito-idp describe-user-pool`. Each
 * one that differs from what this stack declares is refused at synth, because Terraform
 * would replace the pool (and lose every user) to change it.
 */
export interface ExistingImmutableConfig {
  /** The pool's name (`Name`): Cognito cannot rename a pool, so the stack keeps this name instead of `<project>-<env>-users`. */
  readonly poolName: string;
  /** `UsernameAttributes` (`email`, `phone_number`); [] when users sign in with a username. */
  readonly usernameAttributes: readonly string[];
  /** `AliasAttributes`. @default [] */
  readonly aliasAttributes?: readonly string[];
  /** `UsernameConfiguration.CaseSensitive`; a pool without a UsernameConfiguration is case sensitive (true). */
  readonly caseSensitive: boolean;
  /** The `custom:` attributes of `SchemaAttributes`. @default [] */
  readonly customAttributes?: readonly ExistingCustomAttribute[];
}

/**
 * Adopt a user pool (and optionally its identity pool and clients) that exists already, with
 * its users: synth emits Terraform `import` blocks for them instead of creating new ones.
 * Remove it after the first apply (README, "Adopt an existing user pool").
 */
export interface ExistingPoolConfig {
  /** The pool's id, `<region>_<id>` in the project region. */
  readonly userPoolId: string;
  /** The identity pool to adopt with its roles attachment, `<region>:<uuid>`. @default none (a new identity pool) */
  readonly identityPoolId?: string;
  /** App clients to adopt instead of creating `<prefix>-web` / `<prefix>-server`. @default {} (both created) */
  readonly clientIds?: { readonly web?: string; readonly server?: string };
  /** Configured groups the pool has already (imported as `<poolId>/<group>`); the others are created. @default every configured group */
  readonly groups?: readonly string[];
  /** Import the sign-in domain (`domainPrefix` or `customDomain.domain`) instead of creating it. @default true */
  readonly importDomain?: boolean;
  /** The pool's settings that cannot change after creation, compared with the stack at synth. */
  readonly immutable: ExistingImmutableConfig;
}

export interface EnvironmentConfig {
  /** MFA with TOTP: 'ON' requires it, 'OPTIONAL' lets users opt in. @default 'ON' */
  readonly mfa?: 'ON' | 'OPTIONAL';
  /**
   * Cognito feature plan. PLUS turns threat protection on in ENFORCED mode for standard and
   * custom authentication (Security Hub Cognito.1 and Cognito.4); it is billed per monthly
   * active user on top of ESSENTIALS (see README, "What prod costs"). ESSENTIALS is a
   * relaxation: name Cognito.1 in `relaxations` with a reason.
   * @default 'PLUS'
   */
  readonly featurePlan?: 'ESSENTIALS' | 'PLUS';
  /** Hosted sign-in domain prefix (`<prefix>.auth.<region>.amazoncognito.com`): 1-63 lowercase letters, digits, `-`, not starting or ending with `-`, not containing `aws`/`amazon`/`cognito`. */
  readonly domainPrefix: string;
  /** Custom sign-in domain with an ACM certificate in us-east-1 instead of the prefix domain. @default none */
  readonly customDomain?: { readonly domain: string; readonly certificateArn: string };
  /** The web client's URLs for this environment. */
  readonly webClient: WebClientConfig;
  /** GraphQL introspection. @default false */
  readonly introspection?: boolean;
  /** WAF web ACL with a rate-based rule on the API. @default { enabled: true, requestsPer5Minutes: 1000 } */
  readonly waf?: { readonly enabled: boolean; readonly requestsPer5Minutes?: number };
  /** Terraform state backend. Required unless `requireRemoteState` is false. @default none */
  readonly state?: StateBackendConfig;
  /**
   * Refuse to synthesize this environment without `state.bucket`: a local state file would
   * hold the client secrets in plain text on someone's disk. Set false only for a throwaway
   * environment. (`OFFLINE_PLAN=1` drops the backend either way, for offline plans.)
   * @default true
   */
  readonly requireRemoteState?: boolean;
  /**
   * Controls of the compliance report (`npm run compliance`) this environment does not meet
   * on purpose, each with the reason. The report shows such a failure as WAIVED with the
   * reason instead of FAIL. Ids are the report's control ids, e.g. `Cognito.1`.
   * @default [] (every failure counts)
   */
  readonly relaxations?: readonly RelaxationConfig[];
  /** Deletion protection on the user pool and the table, `prevent_destroy` on both. @default true */
  readonly deletionProtection?: boolean;
  /** Adopt an existing user pool instead of creating one (Terraform `import` blocks). @default none (new pools) */
  readonly existing?: ExistingPoolConfig;
}

/** A user the local mode creates in its user-pool emulator. Never deployed. */
/** How a demo user's first sign-in can go (`DemoUserConfig.signIn`). */
export const DEMO_SIGN_INS = ['password', 'temporaryPassword', 'totp'] as const;
export type DemoSignIn = (typeof DEMO_SIGN_INS)[number];

export interface DemoUserConfig {
  readonly email: string;
  /** Groups the user starts in. @default [] */
  readonly groups?: readonly string[];
  /**
   * How the user's first sign-in goes:
   * - `'password'`: a permanent password (the local demo password), signs straight in;
   * - `'temporaryPassword'`: created by an admin with a temporary password (listed as
   *   `temporaryPassword` in local-outputs.json), so the first sign-in answers
   *   `NEW_PASSWORD_REQUIRED`; it expires after the stack's temporary-password validity;
   * - `'totp'`: a permanent password and TOTP MFA already set up (its base32 secret is listed
   *   as `totpSecret`), so sign-in answers `SOFTWARE_TOKEN_MFA`.
   * @default 'password'
   */
  readonly signIn?: DemoSignIn;
}

/**
 * A person of a local identity provider (the local stand-ins for Google and the SAML IdPs).
 * They sign in on the IdP's own page with the local demo password; the pool creates the
 * federated user (`<Provider>_<id>`) on the first sign-in, when the stack's pre-sign-up
 * trigger admits them. Never deployed.
 */
export interface FederatedDemoUserConfig {
  /** The provider that knows the user: `Google` or a `identityProviders.saml[].name`. */
  readonly idp: string;
  readonly email: string;
  /** Display name the IdP asserts. @default the email's local part */
  readonly name?: string;
  /**
   * Groups the IdP asserts in the provider's `groupsAttribute` (SAML only: Google asserts
   * none). Only values the provider's `groupMapping` lists become Cognito groups.
   * @default []
   */
  readonly idpGroups?: readonly string[];
}

export interface LocalModeConfig {
  /** Which environment's synthesized stack the local mode runs. @default 'dev' */
  readonly environment?: string;
  /** @default 9229 */
  readonly userPoolPort?: number;
  /** @default 20002 */
  readonly graphqlPort?: number;
  /** @default 8000 */
  readonly dynamodbPort?: number;
  /** Demo users, created on start. */
  readonly demoUsers: readonly DemoUserConfig[];
  /** People of the local identity providers (local.federatedUsers in local-outputs.json). @default [] */
  readonly federatedUsers?: readonly FederatedDemoUserConfig[];
  /**
   * Browser origins (scheme://host[:port], no path) allowed to call the local GraphQL endpoint
   * and user pool, besides the endpoint's own page and the web client's http://localhost and
   * http://127.0.0.1 callback/logout URLs (e.g. `http://localhost:5173` for a dev server that
   * is not a callback URL). Every other web page is refused. Never opens the DynamoDB port.
   * @default [] (only the page and the web client's loopback callback/logout origins)
   */
  readonly allowedOrigins?: readonly string[];
}

export interface ProjectConfig {
  /** Resource name prefix: 3-20 lowercase letters, digits, `-`, starting with a letter. */
  readonly name: string;
  /** AWS region of every environment, e.g. `eu-west-1`. */
  readonly region: string;
  readonly groups: readonly GroupConfig[];
  /** @default all defaults of UserPoolConfig */
  readonly userPool?: UserPoolConfig;
  /** @default the `content` resource server with read and write scopes */
  readonly resourceServer?: ResourceServerConfig;
  /** @default none */
  readonly identityProviders?: IdentityProvidersConfig;
  /** @default rules mapping, ambiguous -> AuthenticatedRole */
  readonly identityPool?: IdentityPoolConfig;
  /** Content assets bucket rules. */
  readonly storage: { readonly rules: readonly StorageRule[] };
  /** @default all defaults of ApiConfig */
  readonly api?: ApiConfig;
  /** One stack per environment. */
  readonly environments: Readonly<Record<string, EnvironmentConfig>>;
  readonly local: LocalModeConfig;
}
