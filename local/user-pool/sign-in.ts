import { createHmac } from 'node:crypto';
import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  type InitiateAuthCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';

export interface LocalPoolRef {
  /** The emulator's endpoint, e.g. `http://127.0.0.1:9229`. */
  readonly endpoint: string;
  readonly region: string;
}

export interface SignedIn {
  readonly idToken: string;
  readonly accessToken: string;
  readonly refreshToken: string;
}

/** An SDK client for the local pool. The emulator ignores signatures; the SDK needs some credentials. */
export function localCognitoClient(pool: LocalPoolRef): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    endpoint: pool.endpoint,
    region: pool.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/**
 * Signs a user in with USER_PASSWORD_AUTH against the local pool (the local-only flow, see
 * pool-files.ts). Throws when Cognito answers with a challenge instead of tokens. A
 * confidential client proves its secret with SECRET_HASH, as Cognito requires.
 */
export async function signIn(pool: LocalPoolRef, clientId: string, email: string, password: string, clientSecret?: string): Promise<SignedIn> {
  const client = localCognitoClient(pool);
  try {
    const out: InitiateAuthCommandOutput = await client.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: clientId,
        AuthParameters: {
          USERNAME: email,
          PASSWORD: password,
          ...(clientSecret ? { SECRET_HASH: createHmac('sha256', clientSecret).update(email + clientId).digest('base64') } : {}),
        },
      })
    );
    const r = out.AuthenticationResult;
    if (!r?.IdToken || !r.AccessToken || !r.RefreshToken) {
      throw new Error(`sign-in of ${email} at ${pool.endpoint}: expected tokens, got challenge ${out.ChallengeName ?? '(none)'}`);
    }
    return { idToken: r.IdToken, accessToken: r.AccessToken, refreshToken: r.RefreshToken };
  } finally {
    client.destroy();
  }
}
