import { project } from './project';
import type {
  AmazonProviderConfig,
  ApiConfig,
  AppleProviderConfig,
  DirectFederationConfig,
  FacebookProviderConfig,
  OidcProviderConfig,
  DemoUserConfig,
  EnvironmentConfig,
  ExistingCustomAttribute,
  ExistingImmutableConfig,
  ExistingPoolConfig,
  GoogleProviderConfig,
  GroupConfig,
  IdentityPoolConfig,
  LocalModeConfig,
  ProjectConfig,
  ResourceServerConfig,
  SamlProviderConfig,
  SocialAdmissionConfig,
  SocialProviderName,
  StateBackendConfig,
  UserPoolConfig,
  FederatedDemoUserConfig,
  WebClientConfig,
} from './types';
import { DEFAULTS, withDefaults, type Filled } from './defaults';
import { validateConfig } from './validate';

export * from './types';
export { ConfigError } from './validate';

/** OIDC provider with every default filled in. */
export type ResolvedOidcProvider = Filled<OidcProviderConfig, typeof DEFAULTS.OidcProviderConfig>;

/** A social provider's config with its defaults filled in and its admission rule resolved. */
type ResolvedSocial<T extends { admission?: SocialAdmissionConfig }, D> = Filled<Omit<T, 'admission'>, D> & { readonly admission?: ResolvedAdmission };
export type ResolvedFacebookProvider = ResolvedSocial<FacebookProviderConfig, typeof DEFAULTS.FacebookProviderConfig>;
export type ResolvedAppleProvider = ResolvedSocial<AppleProviderConfig, typeof DEFAULTS.AppleProviderConfig>;
export type ResolvedAmazonProvider = ResolvedSocial<AmazonProviderConfig, typeof DEFAULTS.AmazonProviderConfig>;

/** The host (and path) an identity pool knows each social IdP by (`supported_login_providers` keys, role-mapping `identity_provider`). */
const SOCIAL_LOGIN_PROVIDERS: Readonly<Record<SocialProviderName, string>> = {
  Google: 'accounts.google.com',
  Facebook: 'graph.facebook.com',
  SignInWithApple: 'appleid.apple.com',
  LoginWithAmazon: 'www.amazon.com',
};

/** A direct (federated-only) identity-pool provider, resolved: what the identity pool and its role mapping need. */
export interface ResolvedDirectFederation {
  readonly idp: string;
  readonly kind: SocialProviderName | 'OIDC';
  /** The identity pool's name for the IdP: a social host, or the OIDC issuer without `https://`. */
  readonly loginProvider: string;
  /** The IdP client id whose tokens are accepted (the `aud`). */
  readonly clientId: string;
  /** OIDC only: the issuer, for the IAM OIDC provider. */
  readonly issuer?: string;
  readonly rules?: Filled<NonNullable<DirectFederationConfig['rules']>, typeof DEFAULTS.DirectFederationRules>;
  readonly unmatched: 'AuthenticatedRole' | 'Deny';
}

/** SAML provider with every default filled in. */
export type ResolvedSamlProvider = Filled<SamlProviderConfig, typeof DEFAULTS.SamlProviderConfig>;

/** A social IdP's admission rule, addresses lower-cased (what the pre-sign-up trigger compares). */
export type ResolvedAdmission =
  | { readonly mode: 'allowList'; readonly allowedEmailDomains: readonly string[]; readonly allowedEmails: readonly string[] }
  | { readonly mode: 'invitedOnly' };

/** A configured social IdP: its Cognito provider name and admission rule (none on an open pool without one). */
export interface ResolvedSocialProvider {
  readonly name: SocialProviderName;
  readonly admission?: ResolvedAdmission;
}

/** Google sign-in with its defaults filled in and its admission rule resolved. */
export type ResolvedGoogleProvider = Filled<Omit<GoogleProviderConfig, 'admission'>, typeof DEFAULTS.GoogleProviderConfig> & {
  readonly admission?: ResolvedAdmission;
};

/**
 * The project with every default of the `DEFAULTS` table filled in; what every consumer reads.
 * Each part is `Filled<input type, its defaults>`, so a new option needs no line here.
 */
export type ResolvedConfig = Pick<ProjectConfig, 'name' | 'region' | 'storage'> & {
  /** Groups in precedence order (lowest number first). */
  readonly groups: readonly GroupConfig[];
  readonly userPool: Filled<UserPoolConfig, typeof DEFAULTS.UserPoolConfig>;
  /** The resource server with its default identifier and scopes filled in. */
  readonly resourceServer: Filled<ResourceServerConfig, typeof DEFAULTS.ResourceServerConfig>;
  readonly identityProviders: {
    readonly google?: ResolvedGoogleProvider;
    readonly facebook?: ResolvedFacebookProvider;
    readonly signInWithApple?: ResolvedAppleProvider;
    readonly loginWithAmazon?: ResolvedAmazonProvider;
    readonly saml: readonly ResolvedSamlProvider[];
    readonly oidc: readonly ResolvedOidcProvider[];
    /** Every configured social IdP (Google, Facebook, Apple, Amazon), for the pre-sign-up trigger. */
    readonly social: readonly ResolvedSocialProvider[];
  };
  /** Role mapping, ambiguous-role resolution and direct IdPs, defaults filled in. */
  readonly identityPool: Filled<Omit<IdentityPoolConfig, 'directFederation'>, typeof DEFAULTS.IdentityPoolConfig> & {
    readonly directFederation: readonly ResolvedDirectFederation[];
  };
  /** The API options, defaults filled in (callers, row rules and group variables empty when unset). */
  readonly api: Filled<ApiConfig, typeof DEFAULTS.ApiConfig>;
  readonly environments: Readonly<Record<string, ResolvedEnvironment>>;
  readonly local: Filled<Omit<LocalModeConfig, 'demoUsers' | 'federatedUsers'>, typeof DEFAULTS.LocalModeConfig> & {
    readonly demoUsers: readonly Filled<DemoUserConfig, typeof DEFAULTS.DemoUserConfig>[];
    /** With the display name filled in (the email's local part unless given). */
    readonly federatedUsers: readonly Required<FederatedDemoUserConfig>[];
  };
};

/** An existing pool to adopt, defaults filled in (`groups`: the configured groups unless listed). */
export type ResolvedExisting = Filled<Omit<ExistingPoolConfig, 'immutable' | 'groups'>, typeof DEFAULTS.ExistingPoolConfig> & {
  readonly groups: readonly string[];
  readonly immutable: Filled<Omit<ExistingImmutableConfig, 'customAttributes'>, typeof DEFAULTS.ExistingImmutableConfig> & {
    readonly customAttributes: readonly Filled<ExistingCustomAttribute, typeof DEFAULTS.ExistingCustomAttribute>[];
  };
};

/** One environment with its defaults filled in, its name, and its state key and region derived. */
export type ResolvedEnvironment = Filled<Omit<EnvironmentConfig, 'webClient' | 'waf' | 'state' | 'existing'>, typeof DEFAULTS.EnvironmentConfig> & {
  /** The pool to adopt with import blocks. @default none */
  readonly existing?: ResolvedExisting;
  readonly name: string;
  /** The web client's URLs and options, defaults filled in. */
  readonly webClient: Filled<WebClientConfig, typeof DEFAULTS.WebClientConfig>;
  readonly waf: Required<NonNullable<EnvironmentConfig['waf']>>;
  readonly state?: Filled<StateBackendConfig, { key: string; region: string }>;
};

/** Everything one stack needs: the project plus the environment it deploys. */
export interface StackConfig extends ResolvedConfig {
  readonly env: ResolvedEnvironment;
}

function resolveAdmission(a: SocialAdmissionConfig | undefined): ResolvedAdmission | undefined {
  if (!a) return undefined;
  const rule = withDefaults(DEFAULTS.SocialAdmissionConfig, a);
  if (rule.invitedOnly) return { mode: 'invitedOnly' };
  return {
    mode: 'allowList',
    allowedEmailDomains: rule.allowedEmailDomains.map((d) => d.toLowerCase()),
    allowedEmails: rule.allowedEmails.map((e) => e.toLowerCase()),
  };
}

/** A direct IdP with the identity pool's name for it and its client id (validation made sure it is configured). */
function resolveDirect(
  d: DirectFederationConfig,
  oidc: readonly ResolvedOidcProvider[],
  socialClientIds: Partial<Record<SocialProviderName, string>>,
): ResolvedDirectFederation {
  const base = {
    idp: d.idp,
    unmatched: d.unmatched ?? DEFAULTS.DirectFederationConfig.unmatched,
    ...(d.rules ? { rules: withDefaults(DEFAULTS.DirectFederationRules, d.rules) } : {}),
  };
  const o = oidc.find((p) => p.name === d.idp);
  if (o) return { ...base, kind: 'OIDC', loginProvider: o.issuer.replace(/^https:\/\//, '').replace(/\/$/, ''), clientId: o.clientId, issuer: o.issuer };
  const kind = d.idp as SocialProviderName;
  return { ...base, kind, loginProvider: SOCIAL_LOGIN_PROVIDERS[kind], clientId: socialClientIds[kind]! };
}

function resolveExisting(e: ExistingPoolConfig, groups: readonly GroupConfig[]): ResolvedExisting {
  const immutable = withDefaults(DEFAULTS.ExistingImmutableConfig, e.immutable);
  return {
    ...withDefaults(DEFAULTS.ExistingPoolConfig, e),
    // Derived default: every configured group.
    groups: e.groups ?? groups.map((g) => g.name),
    immutable: { ...immutable, customAttributes: immutable.customAttributes.map((a) => withDefaults(DEFAULTS.ExistingCustomAttribute, a)) },
  };
}

function resolveEnvironment(raw: ProjectConfig, name: string, e: EnvironmentConfig): ResolvedEnvironment {
  const projectName = raw.name;
  const region = raw.region;
  const { existing, ...given } = e;
  return {
    ...withDefaults(DEFAULTS.EnvironmentConfig, given),
    ...(existing ? { existing: resolveExisting(existing, raw.groups) } : {}),
    name,
    webClient: withDefaults(DEFAULTS.WebClientConfig, e.webClient),
    waf: withDefaults(DEFAULTS.EnvironmentConfig.waf, e.waf),
    // Derived defaults: they depend on the project and environment, so they are not in DEFAULTS.
    state: e.state && withDefaults({ key: `${projectName}/${name}.tfstate`, region }, e.state),
  };
}

/**
 * Validates a project description and fills in every default. Throws a `ConfigError`
 * naming the key, the bad value and what was expected; nothing is created before this.
 */
export function resolveConfig(raw: ProjectConfig, source = 'config/project.ts'): ResolvedConfig {
  validateConfig(raw, source);
  const idps = withDefaults(DEFAULTS.IdentityProvidersConfig, raw.identityProviders);
  const social = <T extends { admission?: SocialAdmissionConfig }, D extends object>(defaults: D, given: T | undefined) =>
    given && { ...withDefaults(defaults, given), admission: resolveAdmission(given.admission) };
  const google = social(DEFAULTS.GoogleProviderConfig, idps.google);
  const facebook = social(DEFAULTS.FacebookProviderConfig, idps.facebook);
  const signInWithApple = social(DEFAULTS.AppleProviderConfig, idps.signInWithApple);
  const loginWithAmazon = social(DEFAULTS.AmazonProviderConfig, idps.loginWithAmazon);
  const oidc = idps.oidc.map((o) => withDefaults(DEFAULTS.OidcProviderConfig, o));
  // The one list of the social IdPs (Cognito provider name, resolved config), in the trigger's order.
  const socialConfigs = [
    ['Google', google],
    ['Facebook', facebook],
    ['SignInWithApple', signInWithApple],
    ['LoginWithAmazon', loginWithAmazon],
  ] as const satisfies readonly (readonly [SocialProviderName, unknown])[];
  const configured = socialConfigs.flatMap(([name, p]) => (p ? [{ name, p }] : []));
  const socialList: ResolvedSocialProvider[] = configured.map(({ name, p }) => ({ name, admission: p.admission }));
  const socialClientIds: Partial<Record<SocialProviderName, string>> = Object.fromEntries(configured.map(({ name, p }) => [name, p.clientId]));
  const { directFederation, ...pool } = raw.identityPool ?? {};
  return {
    name: raw.name,
    region: raw.region,
    groups: [...raw.groups].sort((a, b) => a.precedence - b.precedence),
    userPool: withDefaults(DEFAULTS.UserPoolConfig, raw.userPool),
    resourceServer: withDefaults(DEFAULTS.ResourceServerConfig, raw.resourceServer),
    identityProviders: { google, facebook, signInWithApple, loginWithAmazon, social: socialList, saml: idps.saml.map((s) => withDefaults(DEFAULTS.SamlProviderConfig, s)), oidc },
    identityPool: {
      ...withDefaults(DEFAULTS.IdentityPoolConfig, pool),
      directFederation: (directFederation ?? []).map((d) => resolveDirect(d, oidc, socialClientIds)),
    },
    storage: raw.storage,
    api: withDefaults(DEFAULTS.ApiConfig, raw.api),
    environments: Object.fromEntries(
      Object.entries(raw.environments).map(([n, e]) => [n, resolveEnvironment(raw, n, e)]),
    ),
    local: {
      ...withDefaults(DEFAULTS.LocalModeConfig, raw.local),
      demoUsers: raw.local.demoUsers.map((u) => withDefaults(DEFAULTS.DemoUserConfig, u)),
      federatedUsers: (raw.local.federatedUsers ?? DEFAULTS.LocalModeConfig.federatedUsers).map((u) => ({
        ...withDefaults(DEFAULTS.FederatedDemoUserConfig, u),
        // Derived, so prose in types.ts rather than a table entry.
        name: u.name ?? u.email.slice(0, u.email.indexOf('@')),
      })),
    },
  };
}

/** The project's own config, resolved. */
export function loadConfig(): ResolvedConfig {
  return resolveConfig(project);
}

/** The config of one environment's stack. */
export function stackConfig(config: ResolvedConfig, envName: string): StackConfig {
  const env = config.environments[envName];
  if (!env) {
    throw new Error(`environment '${envName}' is not in config.environments (have: ${Object.keys(config.environments).join(', ')})`);
  }
  return { ...config, env };
}
