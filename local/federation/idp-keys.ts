import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../../constructs/build-cache';
import { newRsaKey, prepareRsaKey } from '../rsa-keys';

/**
 * The signing keys of the local federation (the SAML service provider's, each local SAML IdP's,
 * the local Google's), kept under `<data dir>/federation/` so a start reads them instead of
 * making three RSA-2048 keys. Each is a key and a self-signed certificate naming what it signs
 * for (SAML metadata carries the certificate; Google publishes the key as a JWK). They sign
 * only for the loopback stand-ins, live in the git-ignored data folder (the key file readable by
 * its owner alone), and are made again when a file is missing, unreadable, for another name,
 * not the certificate's key, or close to its end.
 */

export interface SigningKey {
  /** PKCS#8 PEM. */
  readonly key: string;
  /** X.509 PEM, self-signed. */
  readonly cert: string;
}

/** Below the data directory. */
export const FEDERATION_KEYS_DIR = 'federation';
/** The SAML service provider's key (the managed login's side of a SAML sign-in). */
export const SAML_SP_KEY = 'saml-sp';
const VALID_DAYS = 397;
/** A certificate closer than this to its end is replaced. */
const RENEW_BEFORE_MS = 30 * 86_400_000;

function files(dir: string, name: string) {
  return { key: path.join(dir, `${name}-key.pem`), cert: path.join(dir, `${name}-cert.pem`) };
}

/** Why the kept key `name` cannot be used for `commonName`, or undefined when it can. */
export function signingKeyProblem(dir: string, name: string, commonName: string, now = Date.now()): string | undefined {
  const f = files(dir, name);
  if (!existsSync(f.key) || !existsSync(f.cert)) return 'missing';
  try {
    const cert = new X509Certificate(readFileSync(f.cert));
    if (cert.subject !== `CN=${commonName}`) return `${path.basename(f.cert)} is for ${JSON.stringify(cert.subject)}, not CN=${commonName}`;
    if (!cert.checkPrivateKey(createPrivateKey(readFileSync(f.key)))) return `${path.basename(f.key)} is not the key of ${path.basename(f.cert)}`;
    if (Date.parse(cert.validTo) - now < RENEW_BEFORE_MS) return `${path.basename(f.cert)} expires ${cert.validTo}`;
  } catch (e) {
    return `unreadable: ${(e as Error).message}`;
  }
  return undefined;
}

/**
 * Starts making the key `name` (local/rsa-keys.ts) when `dir` has no files for it yet (a first
 * start): ensureSigningKey then takes it. A kept key that turns out unusable is made then.
 */
export function prepareSigningKey(dir: string, name: string): void {
  const f = files(dir, name);
  if (!existsSync(f.key) || !existsSync(f.cert)) prepareRsaKey(f.key);
}

/**
 * The kept signing key `name` (e.g. `saml-sp`, `google-idp`) when it is good for `commonName`
 * (signingKeyProblem), else a new one, written for the next start (atomically: a reader never
 * sees half a file). The data directory is locked by one local mode at a time
 * (local/data-lock.ts; `npm start` takes the lock before it launches the IdP thread), so nothing
 * else writes here meanwhile.
 */
export async function ensureSigningKey(dir: string, name: string, commonName: string): Promise<SigningKey> {
  const f = files(dir, name);
  if (signingKeyProblem(dir, name, commonName) === undefined) return { key: readFileSync(f.key, 'utf8'), cert: readFileSync(f.cert, 'utf8') };
  // Started before the library loads: the key is made on libuv's pool meanwhile.
  const keyPair = newRsaKey(f.key);
  // Loaded only to make a certificate: it is most of a start's module loading otherwise (@peculiar/x509).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { generate } = require('selfsigned') as typeof import('selfsigned');
  const made = await generate([{ name: 'commonName', value: commonName }], {
    keyPair: await keyPair,
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + VALID_DAYS * 86_400_000),
  });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileAtomic(f.key, made.private, 0o600);
  writeFileAtomic(f.cert, made.cert, 0o644);
  return { key: made.private, cert: made.cert };
}
