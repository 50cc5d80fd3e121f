import * as path from 'node:path';
import pino from 'pino';
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { readLocalStack } from '../local/stack-reader';
import { type CognitoServer, startCognitoServer } from '../local/user-pool/cognito-server';
import { CognitoLocalStore } from '../local/user-pool/cognito-local-store';
import { writePoolFiles } from '../local/user-pool/pool-files';
import { awsIssuerDomain } from '../local/user-pool';
import { fixtureStack, writeFixtureStack } from './helpers/stack-fixture';
import { removeTemporaryDirs, temporaryDir } from './helpers/temp-dirs';

/**
 * The contract the sign-in protocol relies on, held against cognito-local itself (its own
 * targets answer everything here): records written by its admin API are read by the store,
 * and what the store writes its API reads back; tokens the store issues verify against the
 * JWKS the server publishes and refresh through cognito-local. An upgrade that changes any of
 * this fails here first.
 */

const stack = readLocalStack(writeFixtureStack(fixtureStack()));
const { poolId } = stack.userPool;
const web = stack.userPool.webClient;
const SET_AT = new Date('2026-03-04T05:06:07.000Z');
let clockNow = SET_AT;

let server: CognitoServer;
let store: CognitoLocalStore;
const ctx = { logger: pino({ level: 'silent' }) };
const call = (target: string, req: Record<string, unknown>) =>
  server.router(target)(ctx, { UserPoolId: poolId, ...req }) as Promise<Record<string, any>>;

beforeAll(async () => {
  const dataDir = path.join(temporaryDir('local-store-'), 'cognito');
  writePoolFiles(dataDir, stack);
  server = await startCognitoServer({
    dataDir,
    port: 0,
    issuerDomain: awsIssuerDomain(stack.region),
    now: () => clockNow,
    ownedTargets: (services) => {
      store = new CognitoLocalStore(services, ctx, poolId);
      return () => undefined;
    },
  });
  await call('CreateGroup', { GroupName: 'editors' });
  await call('AdminCreateUser', {
    Username: 'ann@example.com',
    TemporaryPassword: 'Temp0rary!pw',
    MessageAction: 'SUPPRESS',
    UserAttributes: [{ Name: 'email', Value: 'ann@example.com' }],
  });
  await call('AdminAddUserToGroup', { Username: 'ann@example.com', GroupName: 'editors' });
  clockNow = new Date();
});

afterAll(async () => {
  await server?.close();
});

test('reads a user the admin API created: status, temporary password and when it was set, attributes', async () => {
  const u = await store.user('ann@example.com');
  expect(u).toMatchObject({
    username: 'ann@example.com',
    status: 'FORCE_CHANGE_PASSWORD',
    enabled: true,
    password: 'Temp0rary!pw',
    passwordSetAt: SET_AT,
    attributes: expect.objectContaining({ email: 'ann@example.com' }),
    mfaMethods: [],
  });
  expect(u?.sub).toMatch(/^[0-9a-f-]{36}$/);
  expect(await store.user('nobody@example.com')).toBeUndefined();
});

test('what it writes, the admin API reads: permanent password (CONFIRMED), TOTP MFA settings', async () => {
  await store.updateUser('ann@example.com', {
    password: 'Permanent0!pw',
    totp: { secret: 'JBSWY3DPEHPK3PXP', verified: true },
    mfaMethods: ['SOFTWARE_TOKEN_MFA'],
    preferredMfa: 'SOFTWARE_TOKEN_MFA',
  });
  const got = await call('AdminGetUser', { Username: 'ann@example.com' });
  expect(got.UserStatus).toBe('CONFIRMED');
  expect(got.UserMFASettingList).toEqual(['SOFTWARE_TOKEN_MFA']);
  expect(got.PreferredMfaSetting).toBe('SOFTWARE_TOKEN_MFA');
  expect(await store.user('ann@example.com')).toMatchObject({
    password: 'Permanent0!pw',
    totp: { secret: 'JBSWY3DPEHPK3PXP', verified: true },
    passwordSetAt: clockNow,
  });
});

test('clients: auth flows (with the local extras) and the confidential client secret; unknown ids are undefined', async () => {
  expect((await store.client(web.clientId))?.explicitAuthFlows).toEqual(expect.arrayContaining(['ALLOW_USER_SRP_AUTH', 'ALLOW_USER_PASSWORD_AUTH']));
  expect((await store.client(web.clientId))?.secret).toBeUndefined();
  const confidential = stack.userPool.clients.find((c) => c.generateSecret)!;
  expect((await store.client(confidential.clientId))?.secret).toMatch(/^[A-Za-z0-9_-]{20,}$/);
  expect(await store.client('nosuchclient')).toBeUndefined();
});

test('issued tokens verify against the published JWKS, carry the groups, and refresh through cognito-local', async () => {
  const tokens = await store.issueTokens('ann@example.com', web.clientId);
  const jwksUri = `${server.endpoint}/${poolId}/.well-known/jwks.json`;
  const jwksCache = new SimpleJwksCache({ fetcher: { fetch: async () => (await fetch(jwksUri)).arrayBuffer() } });
  const verifier = CognitoJwtVerifier.create({ userPoolId: poolId, tokenUse: 'access', clientId: web.clientId }, { jwksCache });
  // Tokens carry the clock's time: verify at that time.
  const claims = await verifier.verify(tokens.AccessToken);
  expect(claims['cognito:groups']).toEqual(['editors']);
  expect(tokens.ExpiresIn).toBe(claims.exp - claims.iat);
  const refreshed = await call('InitiateAuth', { AuthFlow: 'REFRESH_TOKEN_AUTH', ClientId: web.clientId, AuthParameters: { REFRESH_TOKEN: tokens.RefreshToken } });
  expect(refreshed.AuthenticationResult.AccessToken).toEqual(expect.any(String));
  expect(await store.accessTokenUser(tokens.AccessToken)).toBe('ann@example.com');
  const [h, p] = tokens.AccessToken.split('.');
  const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), username: 'admin@example.com' })).toString('base64url');
  expect(await store.accessTokenUser(`${h}.${forged}.${tokens.AccessToken.split('.')[2]}`)).toBeUndefined();
});

// The temporary folders of the stacks and data above (after every server of the file has closed).
afterAll(removeTemporaryDirs);
