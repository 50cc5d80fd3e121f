import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ensureLocalTls, tlsProblem } from '../local/graphql/tls';

/** The local certificate's extra loopback names (the content bucket's `<bucket>.localhost`). */

let dir: string;
beforeEach(() => {
  dir = path.join(mkdtempSync(path.join(tmpdir(), 'local-tls-names-')), 'tls');
});
afterEach(() => rmSync(path.dirname(dir), { recursive: true, force: true }));

const certOf = (pem: string) => new X509Certificate(pem);

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
