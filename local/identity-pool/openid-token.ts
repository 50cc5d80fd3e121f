import { createPrivateKey, createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Signs the OpenID tokens `GetOpenIdToken` returns (RS256, issuer
 * `https://cognito-identity.amazonaws.com`, audience the identity pool, subject the identity
 * id, `amr` ["authenticated", <provider>]), with a key made once and kept in the data dir.
 */
export class OpenIdTokenSigner {
  private readonly key: KeyObject;
  readonly kid = 'local-identity-pool-1';

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    const file = path.join(dataDir, 'openid-key.pem');
    if (!existsSync(file)) {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    }
    this.key = createPrivateKey(readFileSync(file));
  }

  sign(claims: { sub: string; aud: string; amr: readonly string[] }, lifetimeSeconds = 600): string {
    const now = Math.floor(Date.now() / 1000);
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const input = `${b64({ kid: this.kid, typ: 'JWS', alg: 'RS256' })}.${b64({
      sub: claims.sub,
      aud: claims.aud,
      amr: claims.amr,
      iss: 'https://cognito-identity.amazonaws.com',
      'https://cognito-identity.amazonaws.com/identity-pool-id': claims.aud,
      iat: now,
      exp: now + lifetimeSeconds,
    })}`;
    const signature = createSign('RSA-SHA256').update(input).sign(this.key).toString('base64url');
    return `${input}.${signature}`;
  }
}
