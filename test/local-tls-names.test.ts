import { createPrivateKey, X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { isIP, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { ensureLocalTls, tlsProblem } from '../local/graphql/tls';

/** The local certificate's keys (ECDSA P-256) and names (with the content bucket's `<bucket>.localhost`). */

let dir: string;
beforeEach(() => {
  dir = path.join(mkdtempSync(path.join(tmpdir(), 'local-tls-names-')), 'tls');
});
afterEach(() => rmSync(path.dirname(dir), { recursive: true, force: true }));

const certOf = (pem: string) => new X509Certificate(pem);

/** Connects to `port` by TLS as a client trusting `ca` alone and checking the certificate for `name`. */
async function handshake(port: number, ca: Buffer, name: string): Promise<tls.PeerCertificate> {
  const socket = tls.connect({
    host: '127.0.0.1',
    port,
    servername: isIP(name) ? undefined : name,
    ca,
    checkServerIdentity: (_host, cert) => tls.checkServerIdentity(name, cert),
  });
  try {
    await once(socket, 'secureConnect');
    return socket.getPeerCertificate();
  } finally {
    socket.destroy();
  }
}

test('the CA and the server certificate are ECDSA P-256; a TLS client trusting ca.pem alone reaches every name and no other', async () => {
  const bucketHost = 'content-dev-assets-local.localhost';
  const made = await ensureLocalTls(dir, () => undefined, [bucketHost]);
  const ca = certOf(readFileSync(made.caFile, 'utf8'));
  const cert = certOf(made.cert);
  for (const c of [ca, cert]) {
    expect([c.publicKey.asymmetricKeyType, c.publicKey.asymmetricKeyDetails?.namedCurve]).toEqual(['ec', 'prime256v1']);
  }
  expect(cert.checkPrivateKey(createPrivateKey(made.key))).toBe(true);
  expect(cert.checkIssued(ca) && cert.verify(ca.publicKey)).toBe(true);
  expect(statSync(path.join(dir, 'key.pem')).mode & 0o777).toBe(0o600);

  const server = tls.createServer({ key: made.key, cert: made.cert }, (s) => s.end());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const { port } = server.address() as AddressInfo;
    const caPem = readFileSync(made.caFile);
    for (const name of ['localhost', '127.0.0.1', bucketHost]) {
      expect((await handshake(port, caPem, name)).asn1Curve).toBe('prime256v1');
    }
    await expect(handshake(port, caPem, 'other.localhost')).rejects.toThrow(/does not match certificate's altnames/);
  } finally {
    server.close();
  }
});

test('extra names are in the certificate; a later call without them keeps it', async () => {
  const tls = await ensureLocalTls(dir, () => undefined, ['content-dev-assets-local.localhost']);
  const cert = certOf(tls.cert);
  expect(cert.checkHost('content-dev-assets-local.localhost')).toBe('content-dev-assets-local.localhost');
  expect(cert.checkHost('localhost')).toBe('localhost');
  expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
  expect(cert.checkHost('other.localhost')).toBeUndefined();
  const notes: string[] = [];
  expect((await ensureLocalTls(dir, (l) => notes.push(l))).cert).toBe(tls.cert);
  expect(notes).toEqual([]);
});

test('a kept certificate without an asked-for name gets a new CA that names it, with a note to trust it again', async () => {
  const first = await ensureLocalTls(dir, () => undefined);
  const oldCa = readFileSync(path.join(dir, 'ca.pem'), 'utf8');
  expect(tlsProblem(dir, Date.now(), ['bucket-a.localhost'])).toBe('cert.pem does not name bucket-a.localhost');
  const notes: string[] = [];
  const tls = await ensureLocalTls(dir, (l) => notes.push(l), ['bucket-a.localhost']);
  expect(tls.cert).not.toBe(first.cert);
  expect(readFileSync(path.join(dir, 'ca.pem'), 'utf8')).not.toBe(oldCa);
  expect(certOf(tls.cert).checkHost('bucket-a.localhost')).toBe('bucket-a.localhost');
  expect(notes).toEqual([expect.stringMatching(/does not name bucket-a\.localhost.*trust the new/)]);
});

test.each(['example.com', '*.localhost', 'localhost', 'Bucket.localhost', 'a..localhost'])('%s is refused as an extra name', async (name) => {
  await expect(ensureLocalTls(dir, () => undefined, [name])).rejects.toThrow(`extra name ${JSON.stringify(name)}: expected a DNS name under .localhost`);
});
