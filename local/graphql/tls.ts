import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { generate } from 'selfsigned';

/**
 * A local certificate authority and a server certificate for 127.0.0.1/localhost, made at the
 * first start and kept under `.local-data/tls`. aws-amplify always opens subscriptions over
 * `wss://`, so the endpoint must speak TLS; a client trusts it with
 * `NODE_EXTRA_CA_CERTS=.local-data/tls/ca.pem` (Node) or by importing ca.pem (browsers).
 * The CA key never leaves this folder and the CA is only good for this machine's loopback.
 */

export interface LocalTls {
  /** Path of the CA file a client must trust (for NODE_EXTRA_CA_CERTS). */
  readonly caFile: string;
  readonly cert: string;
  readonly key: string;
}

export const DEFAULT_TLS_DIR = path.join('.local-data', 'tls');
const FILES = { ca: 'ca.pem', caKey: 'ca-key.pem', cert: 'cert.pem', key: 'key.pem' } as const;

async function createFiles(dir: string): Promise<void> {
  const days = (n: number) => new Date(Date.now() + n * 86_400_000);
  const ca = await generate([{ name: 'commonName', value: 'content local mode CA (loopback only)' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: days(825),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  const server = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: days(397),
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] },
    ],
  });
  writeFileSync(path.join(dir, FILES.ca), ca.cert);
  writeFileSync(path.join(dir, FILES.caKey), ca.private, { mode: 0o600 });
  writeFileSync(path.join(dir, FILES.cert), server.cert);
  writeFileSync(path.join(dir, FILES.key), server.private, { mode: 0o600 });
}

function read(dir: string): LocalTls {
  const file = (name: string) => readFileSync(path.join(dir, name), 'utf8');
  return { caFile: path.resolve(dir, FILES.ca), cert: file(FILES.cert), key: file(FILES.key) };
}

/**
 * Returns the local TLS material, creating it on first use. The four files are written to a
 * fresh folder that is renamed into place in one step, so processes starting together (tests
 * in parallel) never see a CA from one run beside a certificate from another.
 */
export async function ensureLocalTls(dir: string = DEFAULT_TLS_DIR): Promise<LocalTls> {
  if (existsSync(path.join(dir, FILES.key))) return read(dir);
  const parent = path.dirname(path.resolve(dir));
  mkdirSync(parent, { recursive: true });
  const staging = mkdtempSync(path.join(parent, '.tls-'));
  try {
    await createFiles(staging);
    try {
      renameSync(staging, dir);
    } catch (error) {
      // Another process won the race: use its files.
      if (!existsSync(path.join(dir, FILES.key))) throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return read(dir);
}
