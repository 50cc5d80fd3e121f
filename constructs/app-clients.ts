import { Construct } from 'constructs';
import { CognitoUserPoolClient } from '@cdktf/provider-aws/lib/cognito-user-pool-client';
import type { CognitoResourceServer } from '@cdktf/provider-aws/lib/cognito-resource-server';
import type { ResolvedEnvironment } from '../config';
import { resourceName } from './naming';
import { IDP_GROUPS_ATTRIBUTE } from './user-directory';

/** Lets a user read and change their own attributes with an access token; granted only on request. */
const USER_ADMIN_SCOPE = 'aws.cognito.signin.user.admin';

/** ID and access tokens live one hour: AppSync keeps accepting revoked tokens until they expire. */
const TOKEN_VALIDITY_MINUTES = 60;

/** The OAuth scopes the web client may request. */
export function webClientScopes(webClient: Pick<ResolvedEnvironment['webClient'], 'allowUserAdminScope'>): string[] {
  return ['openid', 'email', 'profile', ...(webClient.allowUserAdminScope ? [USER_ADMIN_SCOPE] : [])];
}

/**
 * Only what the IdPs map must be writable (Cognito requires it). An empty list means "every
 * attribute" to Cognito, so without IdPs the harmless `name` stands in.
 */
function writableAttributes(mapped: readonly string[]): string[] {
  return mapped.length > 0 ? [...mapped] : ['name'];
}

export interface AppClientsProps {
  /** `<project>-<environment>`: the clients are `<namePrefix>-web` and `<namePrefix>-server`. */
  readonly namePrefix: string;
  /** The user pool the clients belong to. */
  readonly userPoolId: string;
  /** The resource server whose scopes the server client may request. */
  readonly resourceServer: CognitoResourceServer;
  /** The web client's URLs, refresh token validity and admin-scope choice (the environment's `webClient`). */
  readonly webClient: ResolvedEnvironment['webClient'];
  /** User attributes the IdPs write on sign-in (`Federation.mappedAttributes`); an empty list leaves only `name` writable. */
  readonly mappedAttributes: readonly string[];
  /** Provider names (Terraform references) besides COGNITO that the clients offer. */
  readonly providerNames: readonly string[];
}

/**
 * The app clients: a public web client (authorization code + PKCE, SRP, no secret) and a
 * confidential server client (client credentials) for the resource server's scopes.
 */
export class AppClients extends Construct {
  readonly webClient: CognitoUserPoolClient;
  readonly serverClient: CognitoUserPoolClient;

  constructor(scope: Construct, id: string, props: AppClientsProps) {
    super(scope, id);
    const { namePrefix, userPoolId } = props;
    const supportedIdentityProviders = ['COGNITO', ...props.providerNames];
    const common = {
      userPoolId,
      supportedIdentityProviders,
      allowedOauthFlowsUserPoolClient: true,
      enableTokenRevocation: true,
      preventUserExistenceErrors: 'ENABLED',
      accessTokenValidity: TOKEN_VALIDITY_MINUTES,
      idTokenValidity: TOKEN_VALIDITY_MINUTES,
      // Units of the validities above and of each client's refreshTokenValidity.
      tokenValidityUnits: [{ accessToken: 'minutes', idToken: 'minutes', refreshToken: 'days' }],
    };
    const web = props.webClient;

    this.webClient = new CognitoUserPoolClient(this, 'web', {
      ...common,
      name: resourceName(namePrefix, 'web'),
      generateSecret: false,
      // Code grant only (no implicit): the browser exchanges the code with a PKCE verifier,
      // which Amplify always sends for public clients.
      allowedOauthFlows: ['code'],
      allowedOauthScopes: webClientScopes(web),
      callbackUrls: [...web.callbackUrls],
      logoutUrls: [...web.logoutUrls],
      explicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      refreshTokenValidity: web.refreshTokenValidityDays,
      readAttributes: ['email', 'email_verified', 'name', IDP_GROUPS_ATTRIBUTE],
      writeAttributes: writableAttributes(props.mappedAttributes),
    });

    this.serverClient = new CognitoUserPoolClient(this, 'server', {
      ...common,
      name: resourceName(namePrefix, 'server'),
      generateSecret: true,
      allowedOauthFlows: ['client_credentials'],
      allowedOauthScopes: props.resourceServer.scopeIdentifiers,
      explicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
      refreshTokenValidity: 1,
    });
  }
}
