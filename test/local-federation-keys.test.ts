import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ensureSigningKey, signingKeyProblem } from '../local/federation/idp-keys';
import { removeTemporaryDirs, temporaryDir } from './helpers/temp-dirs';

let dir: string;
beforeEach(() => {
  dir = temporaryDir('federation-keys-');
});
afterEach(removeTemporaryDirs);

describe('the local federation signing keys, kept in the data directory', () => {
  test('made at the first start (key file 0600, certificate for the name), read back unchanged by the next', async () => {
    const first = await ensureSigningKey(dir, 'saml-sp', 'urn:amazon:cognito:sp:pool (local)');
    expect(new X509Certificate(first.cert).subject).toBe('CN=urn:amazon:cognito:sp:pool (local)');
    expect(statSync(path.join(dir, 'saml-sp-key.pem')).mode & 0o777).toBe(0o600);
    expect(signingKeyProblem(dir, 'saml-sp', 'urn:amazon:cognito:sp:pool (local)')).toBeUndefined();
    expect(await ensureSigningKey(dir, 'saml-sp', 'urn:amazon:cognito:sp:pool (local)')).toEqual(first);
  });

  test('made again for another name (another pool), and when the key is not the certificate\'s', async () => {
    const first = await ensureSigningKey(dir, 'saml-sp', 'urn:amazon:cognito:sp:pool-a (local)');
    expect(signingKeyProblem(dir, 'saml-sp', 'urn:amazon:cognito:sp:pool-b (local)')).toMatch(/is for "CN=urn:amazon:cognito:sp:pool-a \(local\)"/);
    const renamed = await ensureSigningKey(dir, 'saml-sp', 'urn:amazon:cognito:sp:pool-b (local)');
    expect(renamed.key).not.toBe(first.key);
    expect(new X509Certificate(renamed.cert).subject).toBe('CN=urn:amazon:cognito:sp:pool-b (local)');

    const other = await ensureSigningKey(dir, 'google-idp', 'Google local IdP (loopback only)');
    writeFileSync(path.join(dir, 'saml-sp-key.pem'), other.key);
    expect(signingKeyProblem(dir, 'saml-sp', 'urn:amazon:cognito:sp:pool-b (local)')).toBe('saml-sp-key.pem is not the key of saml-sp-cert.pem');
    const remade = await ensureSigningKey(dir, 'saml-sp', 'urn:amazon:cognito:sp:pool-b (local)');
    expect(new X509Certificate(remade.cert).checkPrivateKey(createPrivateKey(remade.key))).toBe(true);
    expect(readFileSync(path.join(dir, 'saml-sp-key.pem'), 'utf8')).toBe(remade.key);
  });

  test('made again when missing, unreadable, or within 30 days of its end', async () => {
    expect(signingKeyProblem(dir, 'google-idp', 'Google local IdP (loopback only)')).toBe('missing');
    const made = await ensureSigningKey(dir, 'google-idp', 'Google local IdP (loopback only)');
    const end = Date.parse(new X509Certificate(made.cert).validTo);
    expect(signingKeyProblem(dir, 'google-idp', 'Google local IdP (loopback only)', end - 31 * 86_400_000)).toBeUndefined();
    expect(signingKeyProblem(dir, 'google-idp', 'Google local IdP (loopback only)', end - 29 * 86_400_000)).toMatch(/^google-idp-cert\.pem expires /);
    writeFileSync(path.join(dir, 'google-idp-cert.pem'), 'not a certificate');
    expect(signingKeyProblem(dir, 'google-idp', 'Google local IdP (loopback only)')).toMatch(/^unreadable: /);
    expect((await ensureSigningKey(dir, 'google-idp', 'Google local IdP (loopback only)')).key).not.toBe(made.key);
  });
});
