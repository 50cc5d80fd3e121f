import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as adapter from '../local/user-pool/cognito-local-adapter';

/**
 * The shape of every cognito-local internal the local mode reaches (local/user-pool/
 * cognito-local-adapter.ts), held against the installed package: an upgrade that moves, renames
 * or reshapes one fails here by name. What the store does with them is
 * test/local-user-pool-store.test.ts's.
 */

const packageRoot = path.dirname(require.resolve('cognito-local/package.json'));

test('the installed cognito-local is the version the adapter was written against', () => {
  const { version } = JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string };
  expect(version).toBe(adapter.COGNITO_LOCAL_VERSION);
});

test('server composition: the factories and services cognito-server.ts builds the pool from', () => {
  expect(adapter.createServer).toEqual(expect.any(Function));
  expect(adapter.otp).toEqual(expect.any(Function));
  for (const [name, cls] of Object.entries({
    CognitoServiceFactoryImpl: adapter.CognitoServiceFactoryImpl,
    UserPoolServiceFactoryImpl: adapter.UserPoolServiceFactoryImpl,
    StormDBDataStoreFactory: adapter.StormDBDataStoreFactory,
    MessageDeliveryService: adapter.MessageDeliveryService,
    ConsoleMessageSender: adapter.ConsoleMessageSender,
    MessagesService: adapter.MessagesService,
    TriggersService: adapter.TriggersService,
    LambdaService: adapter.LambdaService,
    JwtTokenGenerator: adapter.JwtTokenGenerator,
  })) {
    expect([name, typeof cls]).toEqual([name, 'function']);
  }
  expect(adapter.CognitoServiceFactoryImpl.prototype.create).toEqual(expect.any(Function));
  expect(adapter.UserPoolServiceFactoryImpl.prototype.create).toEqual(expect.any(Function));
  expect(adapter.StormDBDataStoreFactory.prototype.create).toEqual(expect.any(Function));
  expect(adapter.JwtTokenGenerator.prototype.generate).toEqual(expect.any(Function));
  // The config keys cognito-server.ts overrides exist in the defaults it spreads.
  expect(Object.keys(adapter.DefaultConfig)).toEqual(expect.arrayContaining(['LambdaClient', 'TokenConfig', 'UserPoolDefaults', 'KMSConfig', 'ServerConfig']));
});

test('the targets directory holds each target as <target>.js exporting <Target> (the lazy router loads them so)', () => {
  const dir = adapter.COGNITO_LOCAL_TARGETS_DIR;
  expect(existsSync(path.join(dir, 'initiateAuth.js'))).toBe(true);
  // Targets the local mode reaches through cognito-local's router (seeding, the admin API, refresh).
  for (const target of ['AdminCreateUser', 'AdminSetUserPassword', 'AdminAddUserToGroup', 'CreateGroup', 'UpdateGroup', 'DeleteGroup', 'ListGroups', 'GetUser', 'InitiateAuth']) {
    const file = path.join(dir, `${target.charAt(0).toLowerCase()}${target.slice(1)}.js`);
    expect([target, existsSync(file)]).toEqual([target, true]);
  }
  const files = readdirSync(dir).filter((f) => f.endsWith('.js') && f !== 'router.js' && !f.endsWith('.test.js'));
  expect(files.length).toBeGreaterThan(20);
});

test('errors: CognitoError(code, message) carries the code its server answers as __type; UnsupportedError is an Error', () => {
  const e = new adapter.CognitoError('NotAuthorizedException', 'no');
  expect(e).toBeInstanceOf(Error);
  expect(e).toMatchObject({ code: 'NotAuthorizedException', message: 'no' });
  expect(new adapter.UnsupportedError('x')).toBeInstanceOf(Error);
});

test('user records: attributes convert between the list and record forms', () => {
  const list = [
    { Name: 'email', Value: 'ann@example.com' },
    { Name: 'sub', Value: 'abc' },
  ];
  const record = adapter.attributesToRecord(list);
  expect(record).toEqual({ email: 'ann@example.com', sub: 'abc' });
  expect(adapter.attributesFromRecord(record)).toEqual(list);
});

test('pool defaults: the AWS defaults pool-files.ts writes the pool file from', () => {
  expect(adapter.USER_POOL_AWS_DEFAULTS).toEqual(expect.objectContaining({ Policies: expect.any(Object), MfaConfiguration: expect.any(String) }));
});

test('the key pair: a PEM and a JWK (kid CognitoLocal) that are halves of one key', () => {
  const { COGNITO_LOCAL_PRIVATE_KEY: priv, COGNITO_LOCAL_PUBLIC_KEY: pub } = adapter;
  expect(pub.jwk).toMatchObject({ kid: 'CognitoLocal', kty: 'RSA' });
  expect(priv.jwk.kid).toBe(pub.jwk.kid);
  const data = Buffer.from('local token');
  const signature = sign('sha256', data, createPrivateKey(priv.pem));
  expect(verify('sha256', data, createPublicKey({ key: pub.jwk as never, format: 'jwk' }), signature)).toBe(true);
  expect(verify('sha256', data, createPublicKey(pub.pem), signature)).toBe(true);
});
