import { Construct } from 'constructs';
import { LocalBackend, S3Backend, TerraformOutput, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { StackConfig } from '../config';
import { admissionSettings, needsAdmissionTrigger } from './admission-trigger';
import { adoptExisting, checkAdoptable } from './adoption';
import { apiEnvironmentVariables } from './api-environment';
import { AppClients, webClientScopes } from './app-clients';
import { AccountOf } from './arn-parts';
import { LogKey } from './log-key';
import { amplifyClientConfig } from './client-config';
import { ContentStore, webOrigins } from './content-store';
import { Federation } from './federation';
import { GraphqlApi, type ApiSource, type GraphqlApiProps } from './graphql-api';
import { groupMappingSettings } from './group-mapping-trigger';
import { IdentityAccess } from './identity-access';
import { REQUIRED_TERRAFORM_VERSION } from './terraform-requirements';
import { namePrefix } from './naming';
import { IDP_GROUPS_ATTRIBUTE, UserDirectory } from './user-directory';

export interface ContentStackProps {
  /** The environment's resolved config. */
  readonly config: StackConfig;
  /**
   * Plan without AWS: dummy credentials and the provider's skip flags. Only for offline
   * validate/plan; the deployable provider block carries neither.
   * @default false
   */
  readonly offline?: boolean;
  /** The schema and resolvers (`loadApiSource()`), loaded once for all stacks of the app. */
  readonly apiSource: ApiSource;
}

/** The props of the stack's GraphqlApi that come from the config (the rest are the stack's resources). */
export function graphqlApiSettings(
  config: StackConfig,
  userPoolId: string,
): Pick<GraphqlApiProps, 'namePrefix' | 'region' | 'api' | 'introspection' | 'waf' | 'deletionProtection' | 'environmentVariables'> {
  return {
    namePrefix: namePrefix(config),
    region: config.region,
    api: config.api,
    introspection: config.env.introspection,
    waf: config.env.waf,
    deletionProtection: config.env.deletionProtection,
    environmentVariables: apiEnvironmentVariables(config, userPoolId),
  };
}

/** Provider settings that let `terraform plan` run with no AWS account; never in a deployable stack. */
export const OFFLINE_PROVIDER = {
  accessKey: 'offline-plan-dummy-key',
  secretKey: 'offline-plan-dummy-secret',
  skipCredentialsValidation: true,
  skipRequestingAccountId: true,
  skipMetadataApiCheck: 'true',
} as const;

/**
 * One environment: identity (user pool, federation, identity pool, bucket) and the GraphQL API.
 * The only construct that reads the config: it maps the config onto each construct's props.
 */
export class ContentStack extends TerraformStack {
  readonly directory: UserDirectory;
  readonly federation: Federation;
  readonly clients: AppClients;
  readonly access: IdentityAccess;
  readonly store: ContentStore;
  readonly api: GraphqlApi;
  readonly logKey: LogKey;

  constructor(scope: Construct, id: string, props: ContentStackProps) {
    super(scope, id);
    const { config } = props;
    const { env } = config;
    // Before any resource: an adopted pool that Terraform would replace is refused.
    if (env.existing) checkAdoptable(`config/project.ts: environments.${env.name}.existing.immutable`, env.existing);
    this.addOverride('terraform.required_version', REQUIRED_TERRAFORM_VERSION);

    new AwsProvider(this, 'aws', {
      region: config.region,
      defaultTags: [{ tags: { project: config.name, environment: env.name, 'managed-by': 'cdktf' } }],
      ...(props.offline ? OFFLINE_PROVIDER : {}),
    });
    this.configureBackend(config, props.offline ?? false);

    // One key for every log group of the stack; its policy names the account of the user pool.
    this.logKey = new LogKey(this, 'log-key', { description: `${config.name}-${env.name} log groups`, region: config.region });
    const prefix = namePrefix(config);
    this.directory = new UserDirectory(this, 'directory', {
      namePrefix: prefix,
      region: config.region,
      userPool: config.userPool,
      mfa: env.mfa,
      featurePlan: env.featurePlan,
      deletionProtection: env.deletionProtection,
      domainPrefix: env.domainPrefix,
      customDomain: env.customDomain,
      groups: config.groups,
      resourceServer: config.resourceServer,
      groupMapping: groupMappingSettings(config, IDP_GROUPS_ATTRIBUTE),
      admission: needsAdmissionTrigger(config) ? admissionSettings(config) : undefined,
      logKey: this.logKey,
      poolName: env.existing?.immutable.poolName,
    });
    const userPool = this.directory.userPool;
    const account = new AccountOf(this, 'account', userPool.arn);
    this.logKey.useAccount(account);
    const { google, facebook, signInWithApple, loginWithAmazon, saml, oidc } = config.identityProviders;
    this.federation = new Federation(this, 'federation', { userPoolId: userPool.id, google, facebook, signInWithApple, loginWithAmazon, saml, oidc });
    this.clients = new AppClients(this, 'clients', {
      namePrefix: prefix,
      userPoolId: userPool.id,
      resourceServer: this.directory.resourceServer,
      providerNames: this.federation.providerNames,
      webClient: env.webClient,
      mappedAttributes: Federation.mappedAttributes(config.identityProviders),
    });
    this.access = new IdentityAccess(this, 'access', {
      namePrefix: prefix,
      groups: config.groups,
      roleMapping: config.identityPool,
      userPoolEndpoint: userPool.endpoint,
      webClientId: this.clients.webClient.id,
      directFederation: config.identityPool.directFederation,
    });
    this.directory.attachGroupRoles(this.access.groupRoles);
    this.store = new ContentStore(this, 'store', {
      namePrefix: prefix,
      rules: config.storage.rules,
      corsOrigins: webOrigins(env.webClient.callbackUrls),
      authenticatedRole: this.access.authenticatedRole,
      groupRoles: this.access.groupRoles,
      account,
    });
    this.api = new GraphqlApi(this, 'api', {
      ...graphqlApiSettings(config, userPool.id),
      userPoolId: userPool.id,
      userPoolArn: userPool.arn,
      // Only clients whose tokens name a user: the server client's client-credentials tokens
      // carry resource-server scopes, which open no field (the auth model refuses them too).
      appClientIds: [this.clients.webClient.id],
      groupRoles: this.access.groupRoles,
      source: props.apiSource,
      logKey: this.logKey,
      account,
    });

    if (env.existing) {
      adoptExisting(env.existing, {
        userPool,
        groups: this.directory.groups,
        domain: this.directory.domain,
        domainName: env.customDomain?.domain ?? env.domainPrefix,
        webClient: this.clients.webClient,
        serverClient: this.clients.serverClient,
        identityPool: this.access.identityPool,
        rolesAttachment: this.access.rolesAttachment,
      });
    }
    this.addOutputs(config);
  }

  /**
   * S3 state (lock file, encryption) when the config names a bucket (required unless the
   * environment sets requireRemoteState: false); a local state file otherwise. An offline plan
   * drops the S3 backend: `terraform init` would need AWS to reach the bucket.
   */
  private configureBackend(config: StackConfig, offline: boolean): void {
    const state = config.env.state;
    if (!state || offline) {
      new LocalBackend(this, { path: `terraform.${config.env.name}.tfstate` });
      return;
    }
    const backend = new S3Backend(this, {
      bucket: state.bucket,
      key: state.key,
      region: state.region,
      encrypt: true,
      kmsKeyId: state.kmsKeyId,
    });
    // S3-native locking (Terraform >= 1.10); cdktf 0.21's S3Backend has no property for it.
    backend.addOverride('use_lockfile', true);
  }

  private addOutputs(config: StackConfig): void {
    const { directory, clients, access, store, api } = this;
    const { webClient } = config.env;
    const out = (id: string, value: unknown, description: string) => new TerraformOutput(this, id, { value, description });
    out('user_pool_id', directory.userPool.id, 'Cognito user pool id');
    out('web_client_id', clients.webClient.id, 'Public web app client id (code + PKCE)');
    out('server_client_id', clients.serverClient.id, 'Confidential server client id (client credentials; secret not output)');
    out('domain_url', directory.domainUrl, 'Hosted sign-in base URL');
    if (config.env.customDomain) {
      out('custom_domain_cloudfront', directory.domain.cloudfrontDistribution, 'Alias target for the custom sign-in domain DNS record');
    }
    out('identity_pool_id', access.identityPool.id, 'Cognito identity pool id');
    out('content_bucket', store.bucket.bucket, 'Content assets bucket name');
    out('authenticated_role_arn', access.authenticatedRole.arn, 'Default role of signed-in users');
    out(
      'group_role_arns',
      Object.fromEntries(Object.entries(access.groupRoles).map(([group, role]) => [group, role.arn])),
      'IAM role of each group',
    );
    out('graphql_url', api.graphqlUrl, 'GraphQL endpoint');
    out(
      'client_config',
      amplifyClientConfig({
        region: config.region,
        userPoolId: directory.userPool.id,
        userPoolClientId: clients.webClient.id,
        identityPoolId: access.identityPool.id,
        oauthDomain: directory.domainHost,
        scopes: webClientScopes(webClient),
        redirectSignIn: webClient.callbackUrls,
        redirectSignOut: webClient.logoutUrls,
        graphqlEndpoint: api.graphqlUrl,
      }),
      'aws-amplify v6 ResourcesConfig for the web app: Amplify.configure(client_config)',
    );
  }
}
