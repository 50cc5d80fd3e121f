/**
 * The web app's aws-amplify v6 `ResourcesConfig` (`Amplify.configure(config)`): the stack's
 * `client_config` output, filled with Terraform references. The local mode reads the web client
 * from this output (local/stack-reader.ts) and writes its own subset (local/outputs.ts: no identity
 * pool or hosted UI locally, plus the local pool's endpoint) with the same `API.GraphQL` part.
 */

export interface ClientConfigValues {
  readonly region: string;
  readonly userPoolId: string;
  readonly userPoolClientId: string;
  readonly identityPoolId: string;
  /** Host of the hosted sign-in pages, without `https://`. */
  readonly oauthDomain: string;
  readonly scopes: readonly string[];
  readonly redirectSignIn: readonly string[];
  readonly redirectSignOut: readonly string[];
  readonly graphqlEndpoint: string;
}

/** The `API.GraphQL` part, the same for the deployed stack and the local mode (user-pool tokens by default). */
export function graphqlClientConfig(endpoint: string, region: string) {
  return { endpoint, region, defaultAuthMode: 'userPool' as const };
}

export function amplifyClientConfig(v: ClientConfigValues) {
  return {
    Auth: {
      Cognito: {
        userPoolId: v.userPoolId,
        userPoolClientId: v.userPoolClientId,
        identityPoolId: v.identityPoolId,
        loginWith: {
          oauth: {
            domain: v.oauthDomain,
            scopes: [...v.scopes],
            redirectSignIn: [...v.redirectSignIn],
            redirectSignOut: [...v.redirectSignOut],
            responseType: 'code' as const,
          },
        },
      },
    },
    API: { GraphQL: graphqlClientConfig(v.graphqlEndpoint, v.region) },
  };
}
