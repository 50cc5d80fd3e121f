import { createPrivateKey, createSign, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../../constructs/build-cache';
import { newRsaKey, prepareRsaKey } from '../rsa-keys';

/** Below the data directory: the identity pool's files (this key, identities.json). */
export const IDENTITY_POOL_DIR = 'identity-pool';
const KEY_FILE = 'openid-key.pem';

/** Starts making the signing key (local/rsa-keys.ts) when `dataDir` (the identity pool's) has none yet. */
export function prepareOpenIdKey(dataDir: string): void {
  const file = path.join(dataDir, KEY_FILE);
  if (!existsSync(file)) prepareRsaKey(file);
}

/**
 * Signs the OpenID tokens `GetOpenIdToken` returns (RS256, issuer
 * `https://cognito-identity.amazonaws.com`, audience the identity pool, subject the identity
 * id, `amr` ["authenticated", <provider>]), with a key made once and kept in the data dir
 * (readable by its owner alone, written atomically).
 */
export class OpenIdTokenSigner {
  readonly kid = 'local-identity-pool-1';

  private constructor(private readonly key: KeyObject) {}

  /** The signer with the kept key of `dataDir` (the identity pool's), made first when there is none. */
  static async load(dataDir: string): Promise<OpenIdTokenSigner> {
    mkdirSync(dataDir, { recursive: true });
    const file = path.join(dataDir, KEY_FILE);
    if (!existsSync(file)) writeFileAtomic(file, (await newRsaKey(file)).privateKey, 0o600);
    return new OpenIdTokenSigner(createPrivateKey(readFileSync(file)));
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
