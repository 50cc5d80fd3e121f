/**
 * The web app's aws-amplify v6 `ResourcesConfig` (`Amplify.configure(config)`), built in one
 * place: the stack's `client_config` output fills it with Terraform references, the local
 * mode with its emulator's values, so both hand the browser the same shape.
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
    API: { GraphQL: { endpoint: v.graphqlEndpoint, region: v.region, defaultAuthMode: 'userPool' as const } },
  };
}
