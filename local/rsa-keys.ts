import { generateKeyPair } from 'node:crypto';
import * as path from 'node:path';

/**
 * New RSA-2048 keys for the files a start keeps its signing keys in (the identity pool's OpenID
 * key, the federation's SAML and Google keys), made by the async `generateKeyPair` on libuv's
 * pool. A key costs a varying, large amount of CPU (its primes are found by a random search):
 * made on this thread (`generateKeyPairSync`) that time added to the first start; made on the
 * pool it overlaps the rest of the start. `prepareRsaKey` starts a key as soon as a start knows it
 * will need one (local/start-keys.ts); the code that writes the file takes it with `newRsaKey`.
 */

export interface RsaKeyPem {
  /** PKCS#8 PEM. */
  readonly privateKey: string;
  /** SPKI PEM. */
  readonly publicKey: string;
}

/** Keys started by `prepareRsaKey`, by the absolute path of the file each is for, until taken. */
const prepared = new Map<string, Promise<RsaKeyPem>>();

function make(): Promise<RsaKeyPem> {
  return new Promise((resolve, reject) =>
    generateKeyPair(
      'rsa',
      { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } },
      (error, publicKey, privateKey) => (error ? reject(error) : resolve({ publicKey, privateKey })),
    ),
  );
}

/** Starts making the key for `file` (once: a second call for it while the first is untaken does nothing). */
export function prepareRsaKey(file: string): void {
  const key = path.resolve(file);
  if (prepared.has(key)) return;
  const made = make();
  // A failure reaches the caller of newRsaKey; a key nobody takes (the start failed first) must not
  // end the process as an unhandled rejection.
  made.catch(() => undefined);
  prepared.set(key, made);
}

/**
 * A new key for `file`: the one `prepareRsaKey` started for it (taken: the next call makes another),
 * else one started now.
 */
export function newRsaKey(file: string): Promise<RsaKeyPem> {
  const key = path.resolve(file);
  const made = prepared.get(key);
  prepared.delete(key);
  return made ?? make();
}
