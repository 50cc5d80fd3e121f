import { CognitoIdentityClient, GetCredentialsForIdentityCommand, GetIdCommand } from '@aws-sdk/client-cognito-identity';
import {
  AdminUserGlobalSignOutCommand,
  type CognitoIdentityProviderClient,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  RevokeTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { localCognitoClient, type SignedIn } from '../local/user-pool/sign-in';
import { startLocalStack, type TestLocalStack, useLocalStack } from './helpers/local-stack';

/**
 * Token revocation as Cognito does it, through the AWS SDK v3 (CognitoIdentityProviderClient for
 * the user pool, CognitoIdentityClient for the identity pool): revoking a refresh token refuses
 * every token of that sign-in wherever Cognito checks (the identity pool's server-side token check,
 * the pool's access-token operations, refresh); a global sign-out refuses all of the user's
 * earlier sign-ins; other sign-ins and later ones work; the record survives a restart.
 */

let stack: TestLocalStack;
let identity: CognitoIdentityClient;
let idp: CognitoIdentityProviderClient;

useLocalStack((started) => {
  stack = started;
  identity = new CognitoIdentityClient({ endpoint: stack.outputs.Auth.Cognito.identityPoolEndpoint, region: stack.stack.region });
  idp = localCognitoClient(stack.userPool);
});

afterAll(() => {
  identity?.destroy();
  idp?.destroy();
});

const webClientId = () => stack.stack.userPool.webClient.clientId;
const provider = () => `cognito-idp.${stack.stack.region}.amazonaws.com/${stack.outputs.Auth.Cognito.userPoolId}`;

/** GetId then GetCredentialsForIdentity with an ID token: the access key id, or the refusal. */
async function credentials(idToken: string): Promise<string> {
  const Logins = { [provider()]: idToken };
  const { IdentityId } = await identity.send(new GetIdCommand({ IdentityPoolId: stack.outputs.Auth.Cognito.identityPoolId, Logins }));
  const out = await identity.send(new GetCredentialsForIdentityCommand({ IdentityId, Logins }));
  return out.Credentials!.AccessKeyId!;
}

const refused = { name: 'NotAuthorizedException', message: expect.stringMatching(/revoked/) };

function refresh(s: SignedIn) {
  return idp.send(new InitiateAuthCommand({ AuthFlow: 'REFRESH_TOKEN_AUTH', ClientId: webClientId(), AuthParameters: { REFRESH_TOKEN: s.refreshToken } }));
}

test('RevokeToken refuses the sign-in\'s ID and access tokens (refreshed ones too); another sign-in of the same user still works', async () => {
  const first = await stack.signIn('subscriber@example.com');
  const other = await stack.signIn('subscriber@example.com');
  expect(await credentials(first.idToken)).toMatch(/^ASIA/);
  const refreshed = (await refresh(first)).AuthenticationResult!;

  await idp.send(new RevokeTokenCommand({ ClientId: webClientId(), Token: first.refreshToken }));

  await expect(credentials(first.idToken)).rejects.toMatchObject(refused);
  await expect(credentials(refreshed.IdToken!)).rejects.toMatchObject(refused);
  await expect(idp.send(new GetUserCommand({ AccessToken: first.accessToken }))).rejects.toMatchObject({ name: 'NotAuthorizedException', message: 'Access Token has been revoked' });
  await expect(idp.send(new GetUserCommand({ AccessToken: refreshed.AccessToken! }))).rejects.toMatchObject({ name: 'NotAuthorizedException' });
  await expect(refresh(first)).rejects.toMatchObject({ name: 'NotAuthorizedException' });

  expect(await credentials(other.idToken)).toMatch(/^ASIA/);
  expect((await idp.send(new GetUserCommand({ AccessToken: other.accessToken }))).Username).toBeDefined();
  expect((await refresh(other)).AuthenticationResult?.IdToken).toBeDefined();
}, 60_000);

test('GlobalSignOut refuses every earlier sign-in of the user, not later ones or other users', async () => {
  const a = await stack.signIn('editor@example.com');
  const b = await stack.signIn('editor@example.com');
  const someoneElse = await stack.signIn('reader@example.com');
  expect(await credentials(a.idToken)).toMatch(/^ASIA/);

  await idp.send(new GlobalSignOutCommand({ AccessToken: b.accessToken }));

  for (const s of [a, b]) {
    await expect(credentials(s.idToken)).rejects.toMatchObject(refused);
    await expect(idp.send(new GetUserCommand({ AccessToken: s.accessToken }))).rejects.toMatchObject({ name: 'NotAuthorizedException' });
    await expect(refresh(s)).rejects.toMatchObject({ name: 'NotAuthorizedException' });
  }
  expect(await credentials(someoneElse.idToken)).toMatch(/^ASIA/);
  const later = await stack.signIn('editor@example.com');
  expect(await credentials(later.idToken)).toMatch(/^ASIA/);
}, 60_000);

test('AdminUserGlobalSignOut does the same for a user named by the admin; the record survives a restart', async () => {
  const before = await stack.signIn('reader@example.com');
  expect(await credentials(before.idToken)).toMatch(/^ASIA/);
  const username = JSON.parse(Buffer.from(before.idToken.split('.')[1], 'base64url').toString('utf8'))['cognito:username'] as string;

  await idp.send(new AdminUserGlobalSignOutCommand({ UserPoolId: stack.outputs.Auth.Cognito.userPoolId, Username: username }));
  await expect(credentials(before.idToken)).rejects.toMatchObject(refused);
  expect(existsSync(path.join(stack.dataDir, 'cognito', 'revoked-tokens.json'))).toBe(true);

  const dataDir = stack.dataDir;
  await stack.close();
  stack = await startLocalStack({ dataDir });
  identity.destroy();
  idp.destroy();
  identity = new CognitoIdentityClient({ endpoint: stack.outputs.Auth.Cognito.identityPoolEndpoint, region: stack.stack.region });
  idp = localCognitoClient(stack.userPool);
  await expect(credentials(before.idToken)).rejects.toMatchObject(refused);
  expect(await credentials((await stack.signIn('reader@example.com')).idToken)).toMatch(/^ASIA/);
}, 180_000);
