import type {
  AmazonProviderConfig,
  ApiConfig,
  AppleProviderConfig,
  DirectFederationConfig,
  DirectFederationRules,
  FacebookProviderConfig,
  OidcProviderConfig,
  DemoUserConfig,
  EnvironmentConfig,
  ExistingCustomAttribute,
  ExistingImmutableConfig,
  ExistingPoolConfig,
  FederatedDemoUserConfig,
  GoogleProviderConfig,
  IdentityPoolConfig,
  IdentityProvidersConfig,
  LocalModeConfig,
  ResourceServerConfig,
  SamlProviderConfig,
  SocialAdmissionConfig,
  UserPoolConfig,
  WebClientConfig,
} from './types';

/**
 * The one place every option's default value is written, keyed by the interface of
 * `types.ts` that declares the option. `resolveConfig` fills from it, `ResolvedConfig` is
 * derived from it (`Filled`), and a test holds every `@default` of `types.ts` to it. An
 * option whose default is "absent" (no SES, no custom domain) or derived from another value
 * (the state key) has no entry; its JSDoc says so in words.
 */
export const DEFAULTS = {
  UserPoolConfig: {
    passwordMinLength: 12,
    temporaryPasswordValidityDays: 3,
    adminCreateUserOnly: true,
    verificationSubject: 'Verify your email',
    verificationMessage: 'Your verification code is {####}',
  },
  ResourceServerConfig: {
    identifier: 'content',
    scopes: { read: 'Read content', write: 'Write content' },
  },
  IdentityProvidersConfig: { saml: [], oidc: [] },
  GoogleProviderConfig: {
    scopes: 'openid email profile',
    attributeMapping: { email: 'email', name: 'name', username: 'sub' },
  },
  FacebookProviderConfig: { scopes: 'public_profile,email', attributeMapping: { email: 'email', name: 'name', username: 'id' } },
  AppleProviderConfig: { scopes: 'email name', attributeMapping: { email: 'email', name: 'name', username: 'sub' } },
  AmazonProviderConfig: { scopes: 'profile', attributeMapping: { email: 'email', name: 'name', username: 'user_id' } },
  OidcProviderConfig: {
    scopes: 'openid email profile',
    attributesRequestMethod: 'GET',
    attributeMapping: { email: 'email', name: 'name', username: 'sub' },
    groupMapping: {},
    identifiers: [],
  },
  SocialAdmissionConfig: { allowedEmailDomains: [], allowedEmails: [], invitedOnly: false },
  SamlProviderConfig: {
    attributeMapping: { email: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress' },
    groupMapping: {},
    identifiers: [],
    idpSignOut: true,
    requestSigning: true,
  },
  IdentityPoolConfig: { roleMapping: 'rules', ambiguousRoleResolution: 'AuthenticatedRole', directFederation: [] },
  DirectFederationConfig: { unmatched: 'Deny' },
  DirectFederationRules: { matchType: 'Equals' },
  ApiConfig: {
    name: 'content-api',
    strictAuthDirectives: true,
    queryDepthLimit: 10,
    resolverCountLimit: 200,
    iamCallers: [],
    rowRules: [],
    groupVariables: {},
  },
  EnvironmentConfig: {
    mfa: 'ON',
    featurePlan: 'PLUS',
    introspection: false,
    waf: { enabled: true, requestsPer5Minutes: 1000 },
    requireRemoteState: true,
    relaxations: [],
    deletionProtection: true,
  },
  WebClientConfig: { refreshTokenValidityDays: 30, allowUserAdminScope: false },
  ExistingPoolConfig: { clientIds: {}, importDomain: true },
  ExistingImmutableConfig: { aliasAttributes: [], customAttributes: [] },
  ExistingCustomAttribute: { mutable: true, minLength: 0, maxLength: 2048 },
  LocalModeConfig: { environment: 'dev', userPoolPort: 9229, graphqlPort: 20002, dynamodbPort: 8000, allowedOrigins: [], federatedUsers: [] },
  DemoUserConfig: { groups: [], signIn: 'password' },
  FederatedDemoUserConfig: { idpGroups: [] },
} as const satisfies {
  UserPoolConfig: Required<Omit<UserPoolConfig, 'ses'>>;
  ResourceServerConfig: Required<ResourceServerConfig>;
  IdentityProvidersConfig: Required<Pick<IdentityProvidersConfig, 'saml' | 'oidc'>>;
  FacebookProviderConfig: Required<Pick<FacebookProviderConfig, 'scopes' | 'attributeMapping'>>;
  AppleProviderConfig: Required<Pick<AppleProviderConfig, 'scopes' | 'attributeMapping'>>;
  AmazonProviderConfig: Required<Pick<AmazonProviderConfig, 'scopes' | 'attributeMapping'>>;
  OidcProviderConfig: Required<Pick<OidcProviderConfig, 'scopes' | 'attributesRequestMethod' | 'attributeMapping' | 'groupMapping' | 'identifiers'>>;
  GoogleProviderConfig: Required<Pick<GoogleProviderConfig, 'scopes' | 'attributeMapping'>>;
  SocialAdmissionConfig: Required<SocialAdmissionConfig>;
  SamlProviderConfig: Required<Pick<SamlProviderConfig, 'attributeMapping' | 'groupMapping' | 'identifiers' | 'idpSignOut' | 'requestSigning'>>;
  IdentityPoolConfig: Required<IdentityPoolConfig>;
  DirectFederationConfig: Required<Pick<DirectFederationConfig, 'unmatched'>>;
  DirectFederationRules: Required<Pick<DirectFederationRules, 'matchType'>>;
  ApiConfig: Required<ApiConfig>;
  EnvironmentConfig: Required<
    Pick<EnvironmentConfig, 'mfa' | 'featurePlan' | 'introspection' | 'requireRemoteState' | 'relaxations' | 'deletionProtection'>
  > & { waf: Required<NonNullable<EnvironmentConfig['waf']>> };
  WebClientConfig: Required<Pick<WebClientConfig, 'refreshTokenValidityDays' | 'allowUserAdminScope'>>;
  ExistingPoolConfig: Required<Pick<ExistingPoolConfig, 'clientIds' | 'importDomain'>>;
  ExistingImmutableConfig: Required<Pick<ExistingImmutableConfig, 'aliasAttributes' | 'customAttributes'>>;
  ExistingCustomAttribute: Required<Pick<ExistingCustomAttribute, 'mutable' | 'minLength' | 'maxLength'>>;
  LocalModeConfig: Required<Omit<LocalModeConfig, 'demoUsers'>>;
  DemoUserConfig: Required<Pick<DemoUserConfig, 'groups' | 'signIn'>>;
  FederatedDemoUserConfig: Required<Pick<FederatedDemoUserConfig, 'idpGroups'>>;
};

/** The options of `T` whose defaults are `D` made present (as their declared type); the rest as declared. */
export type Filled<T, D> = Omit<T, keyof D> & { readonly [K in keyof D & keyof T]-?: Exclude<T[K], undefined> };

/**
 * `given` with each option of `defaults` it leaves unset (or undefined) filled in. Keys of
 * `given` without a default are copied as they are.
 */
export function withDefaults<T extends object, D extends object>(defaults: D, given: T | undefined): Filled<T, D> {
  const filled: Record<string, unknown> = { ...given };
  for (const [key, value] of Object.entries(defaults)) {
    filled[key] = (given as Record<string, unknown> | undefined)?.[key] ?? value;
  }
  return filled as Filled<T, D>;
}
