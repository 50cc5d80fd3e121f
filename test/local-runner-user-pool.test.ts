import * as path from 'node:path';
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import {
  AdminAddUserToGroupCommand,
  DescribeUserPoolClientCommand,
  GetTokensFromRefreshTokenCommand,
  ListUsersInGroupCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { readLocalStack } from '../local/stack-reader';
import { type DemoUserSpec, type UserPoolEmulator, startUserPool } from '../local/user-pool';
import { localCognitoClient, signIn } from '../local/user-pool/sign-in';
import { fixtureStack, writeFixtureStack } from './helpers/stack-fixture';
import { removeTemporaryDirs, temporaryDir } from './helpers/temp-dirs';

const stack = readLocalStack(writeFixtureStack(fixtureStack()));
const demoUsers = [
  { email: 'editor@example.com', groups: ['editors'], signIn: 'password' },
  { email: 'reader@example.com', groups: [], signIn: 'password' },
] as const;

/** aws-jwt-verify as production uses it; only the JWKS is fetched over http from the emulator. */
function verifierFor(pool: UserPoolEmulator, tokenUse: 'id' | 'access') {
  const jwksCache = new SimpleJwksCache({
    fetcher: {
      fetch: async () => {
        const res = await fetch(pool.jwksUri);
        if (!res.ok) throw new Error(`GET ${pool.jwksUri}: ${res.status}`);
        return res.arrayBuffer();
      },
    },
  });
  return CognitoJwtVerifier.create({ userPoolId: pool.poolId, tokenUse, clientId: stack.userPool.webClient.clientId }, { jwksCache });
}

describe('user-pool emulator', () => {
  let pool: UserPoolEmulator;
  const dataDir = path.join(temporaryDir('local-pool-'), 'cognito');

  beforeAll(async () => {
    pool = await startUserPool({ stack, dataDir, port: 0, demoUsers });
  });
  afterAll(async () => {
    await pool?.close();
  });

  test('issuer and pool id have the AWS form', () => {
    expect(pool.poolId).toBe(stack.userPool.poolId);
    expect(pool.issuer).toBe(`https://cognito-idp.eu-west-1.amazonaws.com/${stack.userPool.poolId}`);
  });

  test('ID and access tokens verify with CognitoJwtVerifier and carry the groups', async () => {
    const tokens = await signIn(pool, stack.userPool.webClient.clientId, 'editor@example.com', pool.demoPassword);
    const id = await verifierFor(pool, 'id').verify(tokens.idToken);
    expect(id.iss).toBe(pool.issuer);
    expect(id['cognito:groups']).toEqual(['editors']);
    expect(id.email).toBe('editor@example.com');
    expect(id.sub).toBe(pool.demoUsers.find((u) => u.email === 'editor@example.com')?.sub);
    const access = await verifierFor(pool, 'access').verify(tokens.accessToken);
    expect(access['cognito:groups']).toEqual(['editors']);
  });

  test('a token of another client fails the client check', async () => {
    const server = stack.userPool.clients.find((c) => c.generateSecret);
    const sdk = localCognitoClient(pool);
    const described = await sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: pool.poolId, ClientId: server?.clientId }));
    sdk.destroy();
    const tokens = await signIn(pool, server?.clientId as string, 'reader@example.com', pool.demoPassword, described.UserPoolClient?.ClientSecret);
    await expect(verifierFor(pool, 'id').verify(tokens.idToken)).rejects.toThrow(/[Cc]lient id|audience/);
  });

  test('a user in no group has no groups claim', async () => {
    const tokens = await signIn(pool, stack.userPool.webClient.clientId, 'reader@example.com', pool.demoPassword);
    const id = await verifierFor(pool, 'id').verify(tokens.idToken);
    expect(id['cognito:groups']).toBeUndefined();
  });

  test('a confidential client without SECRET_HASH is refused', async () => {
    const server = stack.userPool.clients.find((c) => c.generateSecret);
    await expect(signIn(pool, server?.clientId as string, 'reader@example.com', pool.demoPassword)).rejects.toThrow(
      `Client ${server?.clientId} is configured with secret but SECRET_HASH was not received`
    );
  });

  test('a wrong password is refused', async () => {
    await expect(signIn(pool, stack.userPool.webClient.clientId, 'editor@example.com', 'nope-Passw0rd!')).rejects.toThrow();
  });

  test('GetTokensFromRefreshToken (what aws-amplify v6 refreshes with) returns fresh verifiable tokens', async () => {
    const tokens = await signIn(pool, stack.userPool.webClient.clientId, 'editor@example.com', pool.demoPassword);
    const client = localCognitoClient(pool);
    try {
      const out = await client.send(
        new GetTokensFromRefreshTokenCommand({ ClientId: stack.userPool.webClient.clientId, RefreshToken: tokens.refreshToken })
      );
      const fresh = out.AuthenticationResult;
      expect(fresh?.AccessToken).toBeDefined();
      // The client's access token validity, as deployed (units from the stack).
      const { accessTokenValidity, tokenValidityUnits } = stack.userPool.webClient;
      expect(tokenValidityUnits?.accessToken).toBe('minutes');
      expect(fresh?.ExpiresIn).toBe((accessTokenValidity as number) * 60);
      const id = await verifierFor(pool, 'id').verify(fresh?.IdToken as string);
      expect(id['cognito:groups']).toEqual(['editors']);
      await expect(
        client.send(new GetTokensFromRefreshTokenCommand({ ClientId: stack.userPool.webClient.clientId, RefreshToken: 'not-a-token' }))
      ).rejects.toThrow();
    } finally {
      client.destroy();
    }
  });

  test('groups are exactly the stack groups; demo users are in their configured groups', async () => {
    const client = localCognitoClient(pool);
    try {
      const editors = await client.send(new ListUsersInGroupCommand({ UserPoolId: pool.poolId, GroupName: 'editors' }));
      expect(editors.Users?.map((u) => u.Username)).toEqual(['editor@example.com']);
      const admins = await client.send(new ListUsersInGroupCommand({ UserPoolId: pool.poolId, GroupName: 'admins' }));
      expect(admins.Users).toEqual([]);
    } finally {
      client.destroy();
    }
  });
});

describe('user-pool emulator across restarts', () => {
  test('users keep their sub and API-made group changes; groups follow the stack', async () => {
    const dataDir = path.join(temporaryDir('local-pool-'), 'cognito');
    const first = await startUserPool({ stack, dataDir, port: 0, demoUsers });
    const sub = first.demoUsers[1].sub;
    // A change made through the API (what addUserToGroup does) must survive the restart.
    const admin = localCognitoClient(first);
    await admin.send(new AdminAddUserToGroupCommand({ UserPoolId: first.poolId, Username: 'reader@example.com', GroupName: 'editors' }));
    admin.destroy();
    await first.close();
    // The stack lost a group: the pool loses it too.
    const fewer = { ...stack, userPool: { ...stack.userPool, groups: stack.userPool.groups.filter((g) => g.name !== 'admins') } };
    const second = await startUserPool({ stack: fewer, dataDir, port: 0, demoUsers });
    try {
      expect(second.demoUsers[1].sub).toBe(sub);
      const client = localCognitoClient(second);
      try {
        await expect(client.send(new ListUsersInGroupCommand({ UserPoolId: second.poolId, GroupName: 'admins' }))).rejects.toThrow();
        const editors = await client.send(new ListUsersInGroupCommand({ UserPoolId: second.poolId, GroupName: 'editors' }));
        expect(editors.Users?.map((u) => u.Username).sort()).toEqual(['editor@example.com', 'reader@example.com']);
      } finally {
        client.destroy();
      }
    } finally {
      await second.close();
    }
  });

  test('a port in use is a clear error', async () => {
    const dataDir = path.join(temporaryDir('local-pool-'), 'cognito');
    const first = await startUserPool({ stack, dataDir, port: 0 });
    try {
      const port = Number(new URL(first.endpoint).port);
      await expect(startUserPool({ stack, dataDir: `${dataDir}-2`, port })).rejects.toThrow(
        new RegExp(`port 127\\.0\\.0\\.1:${port} is in use`)
      );
    } finally {
      await first.close();
    }
  });

  test('a demo user in a group the stack does not have is a clear error', async () => {
    const dataDir = path.join(temporaryDir('local-pool-'), 'cognito');
    await expect(startUserPool({ stack, dataDir, port: 0, demoUsers: [{ email: 'x@example.com', groups: ['editor'], signIn: 'password' }] })).rejects.toThrow(
      /local\.demoUsers\[0\]\.groups\[0\] = "editor": expected one of the stack's groups \(admins, editors\)/
    );
  });

  test('a demo user whose signIn is none of the kinds is refused before any user is made, not made a password user', async () => {
    const dataDir = path.join(temporaryDir('local-pool-'), 'cognito');
    const untyped = { email: 'x@example.com', groups: [], signIn: 'sms' } as unknown as DemoUserSpec;
    await expect(startUserPool({ stack, dataDir, port: 0, demoUsers: [untyped] })).rejects.toThrow(
      'local.demoUsers[0].signIn = "sms": expected one of password, temporaryPassword, totp'
    );
  });
});

// The temporary folders of the stacks and data above (after every server of the file has closed).
afterAll(removeTemporaryDirs);
