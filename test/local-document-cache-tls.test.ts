import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { generate } from 'selfsigned';
import { buildAppSyncSchema } from '../access/appsync-schema';
import { readLocalStack } from '../local/stack-reader';
import { createDocumentCache, DOCUMENT_CACHE_BYTES, DOCUMENT_CACHE_MAX_ENTRY_BYTES } from '../local/graphql/document-cache';
import { ensureLocalTls, tlsProblem } from '../local/graphql/tls';
import { synthesizeLocalStack } from './helpers/local-stack';

/**
 * The endpoint's document cache is bounded by bytes and keeps only valid documents; the local
 * TLS folder never holds the CA's private key, keeps its CA across restarts, and gets a new
 * CA (with a note to re-trust it) only when the server certificate cannot be used.
 */

describe('document cache', () => {
  const cache = () => createDocumentCache({ schema: buildAppSyncSchema(readLocalStack(synthesizeLocalStack()).schemaSdl), introspection: true });

  test('an invalid document is refused every time and never kept', () => {
    const documents = cache();
    for (const query of ['{ nope }', '{ me { username } ', '{ articles { items { secret } } }']) {
      expect(documents.prepare(query).ok).toBe(false);
      expect(documents.prepare(query).ok).toBe(false);
    }
    expect(documents.kept).toBe(0);
    expect(documents.prepare('{ me { username } }').ok).toBe(true);
    expect([documents.kept, documents.keptBytes]).toEqual([1, Buffer.byteLength('{ me { username } }')]);
  });

  test('distinct valid queries never hold more than the byte budget; a huge one is not kept', () => {
    const documents = cache();
    const filler = '#'.repeat(30_000); // a comment: valid, and 30 KB of text
    for (let i = 0; i < 200; i++) expect(documents.prepare(`{ me { username } }\n${filler}${i}`).ok).toBe(true);
    expect(documents.keptBytes).toBeLessThanOrEqual(DOCUMENT_CACHE_BYTES);
    expect(documents.keptBytes).toBeGreaterThan(DOCUMENT_CACHE_BYTES / 2);
    const before = documents.kept;
    const huge = `{ me { username } }\n#${'x'.repeat(DOCUMENT_CACHE_MAX_ENTRY_BYTES)}`;
    expect(documents.prepare(huge).ok).toBe(true);
    expect(documents.kept).toBe(before);
  });
});

describe('local TLS', () => {
  let dir: string;
  beforeEach(() => {
    dir = path.join(mkdtempSync(path.join(tmpdir(), 'local-tls-')), 'tls');
  });
  afterEach(() => rmSync(path.dirname(dir), { recursive: true, force: true }));

  const caOf = () => new X509Certificate(readFileSync(path.join(dir, 'ca.pem')));

  test('no CA private key is written; the server certificate is signed by ca.pem', async () => {
    const tls = await ensureLocalTls(dir);
    expect(readdirSync(dir).sort()).toEqual(['ca.pem', 'cert.pem', 'key.pem']);
    for (const f of readdirSync(dir)) {
      if (f !== 'key.pem') expect(readFileSync(path.join(dir, f), 'utf8')).not.toContain('PRIVATE KEY');
    }
    expect(new X509Certificate(tls.cert).verify(caOf().publicKey)).toBe(true);
  });

  test('a restart keeps the same CA and certificate, and deletes a CA key an earlier version left', async () => {
    await ensureLocalTls(dir);
    const ca = readFileSync(path.join(dir, 'ca.pem'), 'utf8');
    const cert = readFileSync(path.join(dir, 'cert.pem'), 'utf8');
    writeFileSync(path.join(dir, 'ca-key.pem'), '-----BEGIN PRIVATE KEY-----\n');
    const notes: string[] = [];
    const again = await ensureLocalTls(dir, (l) => notes.push(l));
    expect(again.cert).toBe(cert);
    expect(readFileSync(path.join(dir, 'ca.pem'), 'utf8')).toBe(ca);
    expect(existsSync(path.join(dir, 'ca-key.pem'))).toBe(false);
    expect(notes).toEqual([]);
  });

  test('a certificate ca.pem did not sign gets a new CA and a note to trust it again', async () => {
    await ensureLocalTls(dir);
    const other = await generate([{ name: 'commonName', value: 'someone else' }], { keySize: 2048, algorithm: 'sha256' });
    writeFileSync(path.join(dir, 'ca.pem'), other.cert);
    expect(tlsProblem(dir)).toContain('not signed by ca.pem');
    const notes: string[] = [];
    const tls = await ensureLocalTls(dir, (l) => notes.push(l));
    expect(new X509Certificate(tls.cert).verify(caOf().publicKey)).toBe(true);
    expect(notes).toEqual([expect.stringContaining('trust the new')]);
    expect(readdirSync(dir).sort()).toEqual(['ca.pem', 'cert.pem', 'key.pem']);
  });

  test('a certificate within 30 days of its end counts as unusable', async () => {
    await ensureLocalTls(dir);
    expect(tlsProblem(dir)).toBeUndefined();
    expect(tlsProblem(dir, Date.now() + 380 * 86_400_000)).toMatch(/cert\.pem expires/);
  });
});
