import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * A local certificate authority and a server certificate for 127.0.0.1/localhost (and the extra
 * loopback names a caller asks for, e.g. the content bucket's virtual host `<bucket>.localhost`),
 * made at the first start and kept under `.local-data/tls`. aws-amplify always opens subscriptions over
 * `wss://`, so the endpoint must speak TLS; a client trusts it with
 * `NODE_EXTRA_CA_CERTS=.local-data/tls/ca.pem` (Node) or by importing ca.pem (browsers).
 *
 * The CA's private key signs the server certificate once and is then dropped, never written:
 * a trusted CA whose key sits in a folder would let anything that reads the folder mint a
 * certificate for any name this machine's browser then trusts. The price: a new server
 * certificate needs a new CA. That happens only when cert.pem is missing, no longer valid
 * for 30 days, or not signed by ca.pem; a user then trusts the new ca.pem again (the old one
 * can be removed from the trust store: nothing can sign with it any more).
 */

export interface LocalTls {
  /** Path of the CA file a client must trust (for NODE_EXTRA_CA_CERTS). */
  readonly caFile: string;
  readonly cert: string;
  readonly key: string;
}

export const DEFAULT_TLS_DIR = path.join('.local-data', 'tls');
const FILES = { ca: 'ca.pem', cert: 'cert.pem', key: 'key.pem' } as const;
/** Written by earlier versions; deleted when found. */
const OLD_CA_KEY = 'ca-key.pem';
/** A server certificate closer than this to its end is replaced (with a new CA). */
const RENEW_BEFORE_MS = 30 * 86_400_000;

/**
 * Names under `localhost` only: browsers resolve every `*.localhost` name to loopback (RFC 6761),
 * so the CA never vouches for a name another machine could answer. An exact name each, because
 * Node's and Chromium's name checks refuse the wildcard `*.localhost` (a wildcard directly below a
 * top-level name).
 */
function checkExtraNames(names: readonly string[]): void {
  for (const n of names) {
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.localhost$/.test(n)) {
      throw new Error(`local TLS: extra name ${JSON.stringify(n)}: expected a DNS name under .localhost`);
    }
  }
}

/**
 * The CA and the server certificate: ECDSA P-256 keys, signed with SHA-256. An EC key is far
 * cheaper to make than an RSA-2048 key (whose primes are found by a random search; a first start
 * made two), and the local mode's TLS clients accept it (Node and Chromium: test/local-tls-names,
 * test/local-browser).
 */
async function createFiles(dir: string, extraNames: readonly string[]): Promise<void> {
  // Loaded only to make certificates: most starts find them kept, and the library (@peculiar/x509) is slow to load.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { generate } = require('selfsigned') as typeof import('selfsigned');
  const days = (n: number) => new Date(Date.now() + n * 86_400_000);
  const key = { keyType: 'ec', curve: 'P-256', algorithm: 'sha256' } as const;
  const ca = await generate([{ name: 'commonName', value: 'content local mode CA (loopback only)' }], {
    ...key,
    notAfterDate: days(825),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  const server = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    ...key,
    notAfterDate: days(397),
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      // An ECDSA key signs the handshake and never enciphers a key (that is RSA key transport).
      { name: 'keyUsage', digitalSignature: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }, ...extraNames.map((value) => ({ type: 2 as const, value }))],
      },
    ],
  });
  // ca.private goes out of scope here: only the CA certificate is kept.
  writeFileSync(path.join(dir, FILES.ca), ca.cert);
  writeFileSync(path.join(dir, FILES.cert), server.cert);
  writeFileSync(path.join(dir, FILES.key), server.private, { mode: 0o600 });
}

function read(dir: string): LocalTls {
  const file = (name: string) => readFileSync(path.join(dir, name), 'utf8');
  return { caFile: path.resolve(dir, FILES.ca), cert: file(FILES.cert), key: file(FILES.key) };
}

/** Why the kept files cannot be used (for `extraNames` too), or undefined when they can. */
export function tlsProblem(dir: string, now = Date.now(), extraNames: readonly string[] = []): string | undefined {
  if (!Object.values(FILES).every((f) => existsSync(path.join(dir, f)))) return 'missing';
  try {
    const ca = new X509Certificate(readFileSync(path.join(dir, FILES.ca)));
    const cert = new X509Certificate(readFileSync(path.join(dir, FILES.cert)));
    if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return `${FILES.cert} is not signed by ${FILES.ca}`;
    if (Date.parse(cert.validTo) - now < RENEW_BEFORE_MS) return `${FILES.cert} expires ${cert.validTo}`;
    if (Date.parse(ca.validTo) - now < RENEW_BEFORE_MS) return `${FILES.ca} expires ${ca.validTo}`;
    const missing = extraNames.filter((n) => cert.checkHost(n) === undefined);
    if (missing.length > 0) return `${FILES.cert} does not name ${missing.join(', ')}`;
  } catch (e) {
    return `unreadable: ${(e as Error).message}`;
  }
  return undefined;
}

/**
 * Returns the local TLS material: the kept files while they are good (tlsProblem) and name
 * every one of `extraNames`, else a new CA and certificate, with a note saying the new ca.pem
 * must be trusted again. A caller without extra names accepts a certificate that has more. The files are
 * written to a fresh folder that is renamed into place in one step, so processes starting
 * together (tests in parallel) never see a CA from one run beside a certificate from another.
 */
export async function ensureLocalTls(
  dir: string = DEFAULT_TLS_DIR,
  log: (line: string) => void = console.warn,
  extraNames: readonly string[] = [],
): Promise<LocalTls> {
  checkExtraNames(extraNames);
  // A CA key left by an earlier version: the certificate it signed stays good without it.
  rmSync(path.join(dir, OLD_CA_KEY), { force: true });
  const problem = tlsProblem(dir, Date.now(), extraNames);
  if (problem === undefined) return read(dir);
  const parent = path.dirname(path.resolve(dir));
  mkdirSync(parent, { recursive: true });
  const staging = mkdtempSync(path.join(parent, '.tls-'));
  const replaced = existsSync(dir) ? `${staging}-old` : undefined;
  try {
    await createFiles(staging, extraNames);
    if (replaced) renameSync(dir, replaced);
    try {
      renameSync(staging, dir);
    } catch (error) {
      // Another process won the race: use its files.
      if (tlsProblem(dir, Date.now(), extraNames) !== undefined) throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
    if (replaced) rmSync(replaced, { recursive: true, force: true });
  }
  if (problem !== 'missing') {
    log(`local TLS: made a new CA and server certificate (${problem}); trust the new ${path.resolve(dir, FILES.ca)} again (NODE_EXTRA_CA_CERTS or the browser's authorities) and remove the old one.`);
  }
  return read(dir);
}
