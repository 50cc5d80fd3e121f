import { project } from './project';
import type {
  ApiConfig,
  EnvironmentConfig,
  GroupConfig,
  IdentityPoolConfig,
  IdentityProvidersConfig,
  ProjectConfig,
  RelaxationConfig,
  ResourceServerConfig,
  SamlProviderConfig,
  SocialAdmissionConfig,
  SocialProviderName,
  StateBackendConfig,
  StorageRule,
  DemoUserConfig,
  FederatedDemoUserConfig,
  WebClientConfig,
} from './types';
import { validateConfig } from './validate';

export * from './types';
export { ConfigError } from './validate';

/** SAML provider with every default filled in. */
export interface ResolvedSamlProvider extends Required<Omit<SamlProviderConfig, 'metadataUrl' | 'metadataFile'>> {
  readonly metadataUrl?: string;
  readonly metadataFile?: string;
}

/** A social IdP's admission rule, addresses lower-cased (what the pre-sign-up trigger compares). */
export type ResolvedAdmission =
  | { readonly mode: 'allowList'; readonly allowedEmailDomains: readonly string[]; readonly allowedEmails: readonly string[] }
  | { readonly mode: 'invitedOnly' };

/** A configured social IdP: its Cognito provider name and admission rule (none on an open pool without one). */
export interface ResolvedSocialProvider {
  readonly name: SocialProviderName;
  readonly admission?: ResolvedAdmission;
}

/** The project with every default filled in; what every consumer reads. */
export interface ResolvedConfig {
  readonly name: string;
  readonly region: string;
  /** Groups in precedence order (lowest number first). */
  readonly groups: readonly GroupConfig[];
  readonly userPool: {
    readonly passwordMinLength: number;
    readonly temporaryPasswordValidityDays: number;
    readonly adminCreateUserOnly: boolean;
    readonly verificationSubject: string;
    readonly verificationMessage: string;
    readonly ses?: { readonly sourceArn: string; readonly fromAddress: string };
  };
  /** The resource server with its default identifier and scopes filled in. */
  readonly resourceServer: Required<ResourceServerConfig>;
  readonly identityProviders: {
    readonly google?: Required<Omit<NonNullable<IdentityProvidersConfig['google']>, 'admission'>> & {
      readonly admission?: ResolvedAdmission;
    };
    readonly saml: readonly ResolvedSamlProvider[];
    /** Every social IdP (Google, and Facebook/Apple/Amazon when added), for the pre-sign-up trigger. */
    readonly social: readonly ResolvedSocialProvider[];
  };
  /** Role mapping and ambiguous-role resolution, defaults filled in. */
  readonly identityPool: Required<IdentityPoolConfig>;
  readonly storage: { readonly rules: readonly StorageRule[] };
  /** The API options, defaults filled in (callers, row rules and group variables empty when unset). */
  readonly api: Required<ApiConfig>;
  readonly environments: Readonly<Record<string, ResolvedEnvironment>>;
  readonly local: {
    readonly environment: string;
    readonly userPoolPort: number;
    readonly graphqlPort: number;
    readonly dynamodbPort: number;
    readonly demoUsers: readonly Required<DemoUserConfig>[];
    readonly federatedUsers: readonly Required<FederatedDemoUserConfig>[];
    readonly allowedOrigins: readonly string[];
  };
}

export interface ResolvedEnvironment {
  readonly name: string;
  readonly mfa: 'ON' | 'OPTIONAL';
  readonly featurePlan: 'ESSENTIALS' | 'PLUS';
  readonly domainPrefix: string;
  readonly customDomain?: { readonly domain: string; readonly certificateArn: string };
  /** The web client's URLs and options, defaults filled in. */
  readonly webClient: Required<WebClientConfig>;
  readonly introspection: boolean;
  readonly waf: { readonly enabled: boolean; readonly requestsPer5Minutes: number };
  readonly state?: Required<Omit<StateBackendConfig, 'kmsKeyId'>> & { readonly kmsKeyId?: string };
  readonly deletionProtection: boolean;
  readonly requireRemoteState: boolean;
  readonly relaxations: readonly RelaxationConfig[];
}

/** Everything one stack needs: the project plus the environment it deploys. */
export interface StackConfig extends ResolvedConfig {
  readonly env: ResolvedEnvironment;
}

function resolveAdmission(a: SocialAdmissionConfig | undefined): ResolvedAdmission | undefined {
  if (!a) return undefined;
  if (a.invitedOnly) return { mode: 'invitedOnly' };
  return {
    mode: 'allowList',
    allowedEmailDomains: (a.allowedEmailDomains ?? []).map((d) => d.toLowerCase()),
    allowedEmails: (a.allowedEmails ?? []).map((e) => e.toLowerCase()),
  };
}

const DEFAULT_EMAIL_CLAIM = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress';

function resolveEnvironment(projectName: string, region: string, name: string, e: EnvironmentConfig): ResolvedEnvironment {
  return {
    name,
    mfa: e.mfa ?? 'ON',
    featurePlan: e.featurePlan ?? 'PLUS',
    domainPrefix: e.domainPrefix,
    customDomain: e.customDomain,
    webClient: {
      callbackUrls: e.webClient.callbackUrls,
      logoutUrls: e.webClient.logoutUrls,
      refreshTokenValidityDays: e.webClient.refreshTokenValidityDays ?? 30,
      allowUserAdminScope: e.webClient.allowUserAdminScope ?? false,
    },
    introspection: e.introspection ?? false,
    waf: { enabled: e.waf?.enabled ?? true, requestsPer5Minutes: e.waf?.requestsPer5Minutes ?? 1000 },
    state: e.state && {
      bucket: e.state.bucket,
      key: e.state.key ?? `${projectName}/${name}.tfstate`,
      region: e.state.region ?? region,
      kmsKeyId: e.state.kmsKeyId,
    },
    deletionProtection: e.deletionProtection ?? true,
    requireRemoteState: e.requireRemoteState ?? true,
    relaxations: e.relaxations ?? [],
  };
}

/**
 * Validates a project description and fills in every default. Throws a `ConfigError`
 * naming the key, the bad value and what was expected; nothing is created before this.
 */
export function resolveConfig(raw: ProjectConfig, source = 'config/project.ts'): ResolvedConfig {
  validateConfig(raw, source);
  const api: ApiConfig = raw.api ?? {};
  const idps = raw.identityProviders ?? {};
  const google = idps.google && {
    clientId: idps.google.clientId,
    scopes: idps.google.scopes ?? 'openid email profile',
    attributeMapping: idps.google.attributeMapping ?? { email: 'email', name: 'name', username: 'sub' },
    admission: resolveAdmission(idps.google.admission),
  };
  return {
    name: raw.name,
    region: raw.region,
    groups: [...raw.groups].sort((a, b) => a.precedence - b.precedence),
    userPool: {
      passwordMinLength: raw.userPool?.passwordMinLength ?? 12,
      temporaryPasswordValidityDays: raw.userPool?.temporaryPasswordValidityDays ?? 3,
      adminCreateUserOnly: raw.userPool?.adminCreateUserOnly ?? true,
      verificationSubject: raw.userPool?.verificationSubject ?? 'Verify your email',
      verificationMessage: raw.userPool?.verificationMessage ?? 'Your verification code is {####}',
      ses: raw.userPool?.ses,
    },
    resourceServer: {
      identifier: raw.resourceServer?.identifier ?? 'content',
      scopes: raw.resourceServer?.scopes ?? { read: 'Read content', write: 'Write content' },
    },
    identityProviders: {
      google,
      social: google ? [{ name: 'Google', admission: google.admission }] : [],
      saml: (idps.saml ?? []).map((s) => ({
        name: s.name,
        metadataUrl: s.metadataUrl,
        metadataFile: s.metadataFile,
        attributeMapping: s.attributeMapping ?? { email: DEFAULT_EMAIL_CLAIM },
        groupsAttribute: s.groupsAttribute,
        groupMapping: s.groupMapping ?? {},
        identifiers: s.identifiers ?? [],
        idpSignOut: s.idpSignOut ?? true,
        requestSigning: s.requestSigning ?? true,
      })),
    },
    identityPool: {
      roleMapping: raw.identityPool?.roleMapping ?? 'rules',
      ambiguousRoleResolution: raw.identityPool?.ambiguousRoleResolution ?? 'AuthenticatedRole',
    },
    storage: raw.storage,
    api: {
      name: api.name ?? 'content-api',
      strictAuthDirectives: api.strictAuthDirectives ?? true,
      queryDepthLimit: api.queryDepthLimit ?? 10,
      resolverCountLimit: api.resolverCountLimit ?? 200,
      iamCallers: api.iamCallers ?? [],
      rowRules: api.rowRules ?? [],
      groupVariables: api.groupVariables ?? {},
    },
    environments: Object.fromEntries(
      Object.entries(raw.environments).map(([n, e]) => [n, resolveEnvironment(raw.name, raw.region, n, e)]),
    ),
    local: {
      environment: raw.local.environment ?? 'dev',
      userPoolPort: raw.local.userPoolPort ?? 9229,
      graphqlPort: raw.local.graphqlPort ?? 20002,
      dynamodbPort: raw.local.dynamodbPort ?? 8000,
      demoUsers: raw.local.demoUsers.map((u) => ({ email: u.email, groups: u.groups ?? [], signIn: u.signIn ?? 'password' })),
      federatedUsers: (raw.local.federatedUsers ?? []).map((u) => ({
        idp: u.idp,
        email: u.email,
        name: u.name ?? u.email.slice(0, u.email.indexOf('@')),
        idpGroups: u.idpGroups ?? [],
      })),
      allowedOrigins: raw.local.allowedOrigins ?? [],
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
