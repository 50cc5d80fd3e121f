import { writeFileSync } from 'node:fs';
import { graphqlClientConfig } from '../constructs/client-config';
import type { AwsPlane } from './aws-plane';
import type { GraphqlEndpoint } from './graphql';
import type { ManagedLogin } from './managed-login';
import type { LocalStack } from './stack-reader';
import type { UserPoolEmulator } from './user-pool';

/** Where `npm start` writes the outputs (git-ignored). */
export const LOCAL_OUTPUTS_FILE = 'local-outputs.json';

export interface LocalDemoUser {
  readonly email: string;
  readonly groups: readonly string[];
  /** The permanent password (absent while the user has only a temporary one). */
  readonly password?: string;
  /** The admin-set temporary password: the first sign-in answers NEW_PASSWORD_REQUIRED. */
  readonly temporaryPassword?: string;
  /** Base32 TOTP secret: sign-in answers SOFTWARE_TOKEN_MFA (any RFC 6238 app or library makes the code). */
  readonly totpSecret?: string;
}

/**
 * The deployed stack's `client_config` output (aws-amplify v6 `ResourcesConfig`) for the local
 * mode, plus the demo users. `Amplify.configure(outputs)` works as with the deployed output;
 * `userPoolEndpoint` and `identityPoolEndpoint` point aws-amplify at the local pool and identity
 * pool, `Storage.S3` at the content bucket (its endpoint in `local.s3Endpoint`), and
 * `loginWith.oauth.domain` at the local managed login (hosted UI), so `signInWithRedirect` works.
 */
export interface LocalOutputs {
  readonly Auth: {
    readonly Cognito: {
      readonly userPoolId: string;
      readonly userPoolClientId: string;
      readonly userPoolEndpoint: string;
      readonly loginWith: {
        readonly email: true;
        /** The web client's OAuth settings, with the local managed login as `domain` (host:port, HTTPS). */
        readonly oauth?: {
          readonly domain: string;
          readonly scopes: readonly string[];
          readonly redirectSignIn: readonly string[];
          readonly redirectSignOut: readonly string[];
          readonly responseType: 'code';
        };
      };
      /** The local identity pool (aws-amplify v6 reads both). */
      readonly identityPoolId?: string;
      readonly identityPoolEndpoint?: string;
    };
  };
  readonly Storage?: { readonly S3: { readonly bucket: string; readonly region: string } };
  readonly API: {
    readonly GraphQL: ReturnType<typeof graphqlClientConfig>;
  };
  readonly demoUsers: readonly LocalDemoUser[];
  /** Local-only details for scripts and tests. */
  readonly local: {
    readonly environment: string;
    readonly stackFile: string;
    readonly issuer: string;
    readonly jwksUri: string;
    readonly realtimeUrl: string;
    readonly pageUrl: string;
    /** CA to trust for the `wss:` real-time socket (NODE_EXTRA_CA_CERTS). */
    readonly caFile: string;
    readonly dynamodbEndpoint: string;
    /** The local S3 endpoint (https, path-style) for the content bucket. */
    readonly s3Endpoint?: string;
    /**
     * `localhost:<port>`: the value for aws-amplify Storage's per-call `options.customEndpoint`
     * (aws-amplify 6 has no config key for an S3 endpoint). Amplify then calls
     * `https://<bucket>.localhost:<port>/<key>`, which the local S3 endpoint serves.
     */
    readonly storageCustomEndpoint?: string;
    /** Local credentials of the config's IAM callers of the API. */
    readonly iamCallers?: readonly IamCallerOutput[];
    /**
     * People of the local identity providers (Google, SAML stand-ins): sign in on the IdP's page
     * with `email` and `password`; `allowed: false` ends in `error=access_denied` (the stack's
     * pre-sign-up rule).
     */
    readonly federatedUsers?: readonly FederatedUserOutput[];
    /** Every app client of the stack with its local id and, for a confidential client, its local secret. */
    readonly clients?: readonly LocalClientOutput[];
    /** The managed login: its issuer (the OAuth tokens' `iss`) and OIDC discovery document. */
    readonly managedLogin?: { readonly origin: string; readonly issuer: string; readonly discoveryUrl: string };
    /** The pid that serves all of it (one process, no children). */
    readonly pid: number;
  };
}

export interface FederatedUserOutput {
  readonly idp: string;
  readonly email: string;
  readonly password: string;
  readonly idpGroups: readonly string[];
  readonly allowed: boolean;
}

export interface LocalClientOutput {
  readonly name: string;
  readonly clientId: string;
  /** Random per data directory; absent for a public client. */
  readonly clientSecret?: string;
}

export interface IamCallerOutput {
  readonly name: string;
  readonly roleArn: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken: string };
}

/** The outputs the AWS-credentials plane adds (local/aws-plane.ts). */
export interface AwsPlaneOutputs {
  readonly identityPoolId?: string;
  readonly identityPoolEndpoint?: string;
  readonly bucket?: string;
  readonly s3Endpoint?: string;
  readonly storageCustomEndpoint?: string;
  readonly iamCallers?: readonly IamCallerOutput[];
}

export function awsOutputs(aws: Pick<AwsPlane, 'identityPool' | 's3' | 'iamCallers'>): AwsPlaneOutputs {
  return {
    identityPoolId: aws.identityPool?.identityPoolId,
    identityPoolEndpoint: aws.identityPool?.endpoint,
    bucket: aws.s3?.bucket,
    s3Endpoint: aws.s3?.endpoint,
    storageCustomEndpoint: aws.s3?.amplifyCustomEndpoint,
    iamCallers: aws.iamCallers,
  };
}

export interface OutputInputs {
  readonly stack: LocalStack;
  readonly userPool: Pick<UserPoolEmulator, 'endpoint' | 'poolId' | 'issuer' | 'jwksUri'>;
  readonly graphql: Pick<GraphqlEndpoint, 'url' | 'realtimeUrl' | 'pageUrl' | 'caFile'>;
  readonly dynamodbEndpoint: string;
  readonly demoUsers: readonly LocalDemoUser[];
  readonly aws?: AwsPlaneOutputs;
  /** The federation gateway's demo IdP users (FederationGateway.federatedUsers). @default none listed */
  readonly federatedUsers?: readonly FederatedUserOutput[];
  readonly managedLogin?: Pick<ManagedLogin, 'domain' | 'origin' | 'issuer' | 'discoveryUrl'>;
  readonly clients?: readonly LocalClientOutput[];
}

export function localOutputs(i: OutputInputs): LocalOutputs {
  return {
    Auth: {
      Cognito: {
        userPoolId: i.userPool.poolId,
        userPoolClientId: i.stack.userPool.webClient.clientId,
        userPoolEndpoint: i.userPool.endpoint,
        loginWith: {
          email: true,
          ...(i.managedLogin && i.stack.userPool.webClient.allowedOauthFlows.includes('code') && {
            oauth: {
              domain: i.managedLogin.domain,
              scopes: i.stack.userPool.webClient.allowedOauthScopes,
              redirectSignIn: i.stack.userPool.webClient.callbackUrls,
              redirectSignOut: i.stack.userPool.webClient.logoutUrls,
              responseType: 'code' as const,
            },
          }),
        },
        ...(i.aws?.identityPoolId && { identityPoolId: i.aws.identityPoolId, identityPoolEndpoint: i.aws.identityPoolEndpoint }),
      },
    },
    ...(i.aws?.bucket && { Storage: { S3: { bucket: i.aws.bucket, region: i.stack.region } } }),
    API: { GraphQL: graphqlClientConfig(i.graphql.url, i.stack.region) },
    demoUsers: i.demoUsers,
    local: {
      environment: i.stack.env,
      stackFile: i.stack.source,
      issuer: i.userPool.issuer,
      jwksUri: i.userPool.jwksUri,
      realtimeUrl: i.graphql.realtimeUrl,
      pageUrl: i.graphql.pageUrl,
      caFile: i.graphql.caFile,
      dynamodbEndpoint: i.dynamodbEndpoint,
      s3Endpoint: i.aws?.s3Endpoint,
      storageCustomEndpoint: i.aws?.storageCustomEndpoint,
      iamCallers: i.aws?.iamCallers,
      ...(i.federatedUsers && { federatedUsers: i.federatedUsers }),
      clients: i.clients,
      managedLogin: i.managedLogin && { origin: i.managedLogin.origin, issuer: i.managedLogin.issuer, discoveryUrl: i.managedLogin.discoveryUrl },
      pid: process.pid,
    },
  };
}

export function writeLocalOutputs(file: string, outputs: LocalOutputs): void {
  writeFileSync(file, `${JSON.stringify(outputs, null, 2)}\n`);
}

/** Single-quotes a string for POSIX shells. */
function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * One command that signs a demo user in against the local pool (InitiateAuth with
 * USER_PASSWORD_AUTH over plain curl), extracts the ID token with `node -e` (present wherever
 * `npm start` runs; jq may not be) and sends a query with it.
 */
export function curlExample(outputs: LocalOutputs, user: LocalDemoUser & { readonly password: string }, query: string): string {
  const cognito = outputs.Auth.Cognito;
  const auth = JSON.stringify({
    AuthFlow: 'USER_PASSWORD_AUTH',
    ClientId: cognito.userPoolClientId,
    AuthParameters: { USERNAME: user.email, PASSWORD: user.password },
  });
  const extract =
    'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).AuthenticationResult.IdToken))';
  return [
    `TOKEN=$(curl -s ${cognito.userPoolEndpoint}/ -H 'Content-Type: application/x-amz-json-1.1'`,
    ` -H 'X-Amz-Target: AWSCognitoIdentityProviderService.InitiateAuth' -d ${shellQuote(auth)}`,
    ` | node -e ${shellQuote(extract)})`,
    ` && curl -s ${outputs.API.GraphQL.endpoint} -H "Authorization: $TOKEN" -H 'Content-Type: application/json'`,
    ` -d ${shellQuote(JSON.stringify({ query }))}`,
  ].join('');
}
