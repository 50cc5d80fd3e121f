// The module object itself (not a namespace copy): jest.spyOn replaces its generateKeyPair for local/rsa-keys.ts too.
import crypto from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { ensureSigningKey, FEDERATION_KEYS_DIR, SAML_SP_KEY } from '../local/federation/idp-keys';
import { readStackFederation } from '../local/federation/stack-federation';
import { IDENTITY_POOL_DIR, OpenIdTokenSigner } from '../local/identity-pool/openid-token';
import { newRsaKey, prepareRsaKey } from '../local/rsa-keys';
import { prepareStartKeys } from '../local/start-keys';
import { readLocalStack } from '../local/stack-reader';
import { synthesizeLocalStack } from './helpers/local-stack';
import { removeTemporaryDirs, temporaryDir } from './helpers/temp-dirs';

/**
 * The RSA keys a first start makes (local/rsa-keys.ts, local/start-keys.ts): made by the async
 * generateKeyPair (libuv's pool), never generateKeyPairSync; a key started early is the one the
 * code that writes its file takes; the files (0600) are what a later start reads, making none.
 */

let keygen: jest.SpyInstance;
let keygenSync: jest.SpyInstance;
beforeEach(() => {
  keygen = jest.spyOn(crypto, 'generateKeyPair');
  keygenSync = jest.spyOn(crypto, 'generateKeyPairSync');
});
afterEach(() => {
  expect(keygenSync).not.toHaveBeenCalled();
  jest.restoreAllMocks();
});
afterAll(removeTemporaryDirs);

/** Whether `token` (a JWS, RS256) is signed by the private key in `keyFile`. */
function signedBy(token: string, keyFile: string): boolean {
  const [header, payload, signature] = token.split('.');
  const key = crypto.createPublicKey(crypto.createPrivateKey(readFileSync(keyFile)));
  return crypto.createVerify('RSA-SHA256').update(`${header}.${payload}`).verify(key, Buffer.from(signature, 'base64url'));
}

test('a prepared key is the one newRsaKey takes, once; the next is made then', async () => {
  const file = path.join(temporaryDir('rsa-keys-'), 'some-key.pem');
  prepareRsaKey(file);
  prepareRsaKey(file);
  expect(keygen).toHaveBeenCalledTimes(1);
  expect(keygen).toHaveBeenCalledWith('rsa', expect.objectContaining({ modulusLength: 2048 }), expect.any(Function));
  const prepared = await newRsaKey(file);
  expect(keygen).toHaveBeenCalledTimes(1);
  const next = await newRsaKey(file);
  expect(keygen).toHaveBeenCalledTimes(2);
  expect(next.privateKey).not.toBe(prepared.privateKey);
  const key = crypto.createPrivateKey(prepared.privateKey);
  expect([key.asymmetricKeyType, key.asymmetricKeyDetails?.modulusLength]).toEqual(['rsa', 2048]);
  expect(crypto.createPublicKey(key).export({ type: 'spki', format: 'pem' })).toBe(prepared.publicKey);
});

test("a first start's OpenID and SAML SP keys are started early and written (0600); a later start reads them and makes none", async () => {
  const stack = readLocalStack(synthesizeLocalStack());
  const federation = readStackFederation(stack);
  const dataDir = temporaryDir('start-keys-');
  const identityPoolDir = path.join(dataDir, IDENTITY_POOL_DIR);
  const keysDir = path.join(dataDir, FEDERATION_KEYS_DIR);
  const spName = 'urn:amazon:cognito:sp:pool (local)';

  prepareStartKeys(stack, federation, dataDir);
  // The local stack has an identity pool and a SAML provider: one key each, started before they are asked for.
  expect(keygen).toHaveBeenCalledTimes(2);
  const signer = await OpenIdTokenSigner.load(identityPoolDir);
  const sp = await ensureSigningKey(keysDir, SAML_SP_KEY, spName);
  expect(keygen).toHaveBeenCalledTimes(2);
  const openIdKeyFile = path.join(identityPoolDir, 'openid-key.pem');
  for (const file of [openIdKeyFile, path.join(keysDir, `${SAML_SP_KEY}-key.pem`)]) expect(statSync(file).mode & 0o777).toBe(0o600);
  const claims = { sub: 'eu-west-1:identity', aud: 'eu-west-1:pool', amr: ['authenticated'] };
  expect(signedBy(signer.sign(claims), openIdKeyFile)).toBe(true);

  // The next start: the same keys, none made.
  prepareStartKeys(stack, federation, dataDir);
  expect(signedBy((await OpenIdTokenSigner.load(identityPoolDir)).sign(claims), openIdKeyFile)).toBe(true);
  expect(await ensureSigningKey(keysDir, SAML_SP_KEY, spName)).toEqual(sp);
  expect(keygen).toHaveBeenCalledTimes(2);
});

test('a signing key nobody prepared (the IdP thread\'s) is made on the pool when asked for', async () => {
  const made = await ensureSigningKey(temporaryDir('idp-key-'), 'google-idp', 'Google local IdP (loopback only)');
  expect(keygen).toHaveBeenCalledTimes(1);
  expect(new crypto.X509Certificate(made.cert).checkPrivateKey(crypto.createPrivateKey(made.key))).toBe(true);
});
