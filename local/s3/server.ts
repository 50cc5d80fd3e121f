import { createHash, randomBytes } from 'node:crypto';
import * as https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SigV4Error, SigV4Verifier, type VerifiedRequest } from '../credentials/sigv4';
import { describeDecision } from '../iam/evaluator';
import type { StackAuthorizer } from '../iam/stack-authorizer';
import { HOW_TO_ALLOW_ORIGIN, LoopbackGuard } from '../loopback-guard';
import { accessDenied, errorXml, S3Error, sigV4Error, xmlEscape } from './errors';
import { ObjectStore, type StoredObject } from './object-store';
import { keepConnectionsAlive, listen } from '../server-lifecycle';
import { readBody, type BodyLimit } from '../http-body';
import { bucketVirtualHost } from './virtual-host';

/**
 * The content bucket over an S3-compatible HTTPS endpoint on loopback, path-style
 * (`https://127.0.0.1:<port>/<bucket>/<key>`) and virtual-hosted-style
 * (`https://<bucket>.localhost:<port>/<key>`, what aws-amplify Storage builds from its
 * `customEndpoint` option; see bucketVirtualHost): GetObject, HeadObject, PutObject, DeleteObject,
 * ListObjectsV2. Every request is SigV4-verified against the local credentials, then
 * authorized by evaluating the synthesized role policies and bucket policy (unsigned requests
 * are anonymous, which no policy of the stack allows). Served over TLS only, so the bucket's
 * `aws:SecureTransport` statement sees `true` for every request that reaches it, as with S3
 * over https. Nothing is written before a request is authorized and its body read whole.
 */

export interface S3ServerOptions {
  readonly bucket: string;
  readonly bucketArn: string;
  readonly region: string;
  readonly store: ObjectStore;
  readonly sigv4: SigV4Verifier;
  readonly authorizer: StackAuthorizer;
  readonly tls: { readonly cert: string; readonly key: string };
  readonly host?: string;
  readonly port: number;
  /** Largest object a PutObject may send, in bytes. @default 16 MiB (S3's own limit is 5 GiB) */
  readonly maxObjectBytes?: number;
  /**
   * Browser origins that may call the bucket locally (the app origins; the page's is added with
   * `allowOrigins`). The Host must name loopback and any Origin must be one of these (as on the
   * other local ports, local/loopback-guard.ts); CORS answers name the origin, never `*`.
   * The bucket's deployed CORS origins (public https apps) talk to AWS, not here. @default none
   */
  readonly corsOrigins?: readonly string[];
}

export interface S3Endpoint {
  /** Path-style base URL (`https://127.0.0.1:<port>`). */
  readonly endpoint: string;
  readonly bucket: string;
  /**
   * The `customEndpoint` value aws-amplify Storage needs (`localhost:<port>`, no scheme): Amplify
   * adds `https://` and puts the bucket in front (the virtual host), or, for a bucket name with a
   * dot, in the path (path-style on `localhost:<port>`).
   */
  readonly amplifyCustomEndpoint: string;
  /** Admits more browser origins (the local page's). */
  allowOrigins(origins: Iterable<string>): void;
  close(): Promise<void>;
}

const MAX_KEY_BYTES = 1024;
const OBJECT_SUBRESOURCES = ['uploadId', 'uploads', 'partNumber', 'versionId', 'tagging', 'acl', 'attributes', 'retention', 'legal-hold', 'restore', 'select', 'torrent'];

function checkKey(key: string): void {
  if (key === '') throw new S3Error('InvalidArgument', 400, 'Object key must not be empty');
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) throw new S3Error('KeyTooLongError', 400, 'Your key is too long');
  if (key.includes('\0')) throw new S3Error('InvalidArgument', 400, 'Object key must not contain NUL');
  if (key.split('/').some((seg) => seg === '..' || seg === '.')) {
    throw new S3Error('InvalidArgument', 400, `Object key ${JSON.stringify(key)} must not contain "." or ".." segments`);
  }
}

/** The bucket's upload bound, refused with S3's own `EntityTooLarge`. */
function uploadLimit(maxBytes: number): BodyLimit {
  return { maxBytes, tooLarge: (max) => new S3Error('EntityTooLarge', 400, `Your proposed upload exceeds the maximum allowed size (${max} bytes locally)`) };
}

/** Decodes an `aws-chunked` body without chunk signatures (`STREAMING-UNSIGNED-PAYLOAD-TRAILER`). */
function decodeAwsChunked(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = raw.indexOf('\r\n', at);
    if (eol < 0) throw new S3Error('IncompleteBody', 400, 'aws-chunked body: a chunk header has no end');
    const size = parseInt(raw.subarray(at, eol).toString('latin1').split(';')[0], 16);
    if (!Number.isFinite(size) || size < 0) throw new S3Error('InvalidRequest', 400, 'aws-chunked body: a chunk size is not hexadecimal');
    if (size === 0) return Buffer.concat(parts);
    const start = eol + 2;
    if (start + size > raw.length) throw new S3Error('IncompleteBody', 400, 'aws-chunked body: a chunk is shorter than its size');
    parts.push(raw.subarray(start, start + size));
    at = start + size + 2;
  }
}

function iso(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, '.000Z');
}

function objectHeaders(o: StoredObject): Record<string, string> {
  return {
    'content-type': o.contentType,
    'content-length': String(o.size),
    etag: o.etag,
    'last-modified': o.lastModified.toUTCString(),
    'accept-ranges': 'bytes',
  };
}

export async function startS3Server(o: S3ServerOptions): Promise<S3Endpoint> {
  const upload = uploadLimit(o.maxObjectBytes ?? 16 * 1024 * 1024);

  async function authorize(v: VerifiedRequest | undefined, action: string, resource: string, context?: Record<string, string>): Promise<void> {
    if (!v) throw accessDenied(resource.replace(/^arn:aws:s3:::/, '/'));
    const d = await o.authorizer.authorize({
      roleArn: v.session.roleArn,
      principalTags: v.session.principalTags,
      sessionName: v.session.sessionName,
      action,
      resource,
      // Only https reaches this server.
      secureTransport: true,
      context,
    });
    if (d.decision !== 'Allowed') {
      throw accessDenied(resource.replace(/^arn:aws:s3:::/, '/'), `Access Denied (${action}: ${describeDecision(d)})`);
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse, virtualHosted: boolean): Promise<void> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const rawPath = q < 0 ? url : url.slice(0, q);
    const params = new URLSearchParams(q < 0 ? '' : url.slice(q + 1).replace(/\+/g, '%2B'));
    const method = req.method ?? 'GET';
    const cors = corsHeaders(req);
    if (method === 'OPTIONS') {
      res.writeHead(cors ? 200 : 403, cors ?? {});
      res.end();
      return;
    }
    let segments: string[];
    try {
      segments = rawPath.slice(1).split('/').map(decodeURIComponent);
    } catch {
      throw new S3Error('InvalidURI', 400, 'Couldn\'t parse the specified URI.');
    }
    // Virtual-hosted: the Host named the bucket (checked before handle), the path is all key.
    const [bucket, ...rest] = virtualHosted ? [o.bucket, ...segments] : segments;
    if (!bucket) throw new S3Error('NotImplemented', 501, 'ListBuckets is not emulated; address the bucket path-style');
    if (bucket !== o.bucket) throw new S3Error('NoSuchBucket', 404, 'The specified bucket does not exist', `/${bucket}`);
    const key = rest.join('/');

    // Signature first: nothing about the bucket is revealed to a bad signature.
    let verified: VerifiedRequest | undefined;
    if (SigV4Verifier.isSigned({ url, headers: req.headers })) {
      if (req.headers.authorization !== undefined && req.headers['x-amz-content-sha256'] === undefined) {
        throw new S3Error('InvalidRequest', 400, 'Missing required header for this request: x-amz-content-sha256');
      }
      try {
        verified = await o.sigv4.verify({ method, url, headers: req.headers }, { region: o.region, service: 's3', uriEscapePath: false });
      } catch (e) {
        if (e instanceof SigV4Error) throw sigV4Error(e.problem, e.message);
        throw e;
      }
    }

    if (key === '') {
      if (method === 'GET' && params.get('list-type') === '2') return list(verified, params, res, cors);
      if (method === 'HEAD') {
        await authorize(verified, 's3:ListBucket', o.bucketArn);
        res.writeHead(200, { 'x-amz-bucket-region': o.region, ...cors });
        res.end();
        return;
      }
      throw new S3Error('NotImplemented', 501, `${method} on the bucket is not emulated locally (ListObjectsV2, HeadBucket are)`);
    }
    checkKey(key);
    // A sub-resource (multipart upload, tagging, ACL, versions, ...) is not the object itself:
    // answering it as a plain GetObject/PutObject would read or overwrite the wrong thing.
    const sub = OBJECT_SUBRESOURCES.find((p) => params.has(p));
    if (sub !== undefined) throw new S3Error('NotImplemented', 501, `?${sub} on an object is not emulated locally`);
    const objectArn = `${o.bucketArn}/${key}`;
    switch (method) {
      case 'GET':
      case 'HEAD': {
        await authorize(verified, 's3:GetObject', objectArn);
        const found = o.store.read(key);
        if (!found) return missing(verified, key);
        res.writeHead(200, { ...objectHeaders(found.object), ...cors });
        res.end(method === 'HEAD' ? undefined : found.body);
        return;
      }
      case 'PUT': {
        if (req.headers['x-amz-copy-source']) throw new S3Error('NotImplemented', 501, 'CopyObject is not emulated locally');
        await authorize(verified, 's3:PutObject', objectArn);
        const raw = await readBody(req, upload);
        const declared = verified?.contentSha256;
        let body = raw;
        if (declared === 'STREAMING-UNSIGNED-PAYLOAD-TRAILER' || String(req.headers['content-encoding'] ?? '').includes('aws-chunked')) {
          body = decodeAwsChunked(raw);
        } else if (declared?.startsWith('STREAMING-')) {
          throw new S3Error('NotImplemented', 501, `x-amz-content-sha256 = ${declared} is not emulated locally`);
        } else if (declared && /^[0-9a-f]{64}$/.test(declared) && createHash('sha256').update(raw).digest('hex') !== declared) {
          throw new S3Error('XAmzContentSHA256Mismatch', 400, "The provided 'x-amz-content-sha256' header does not match what was computed.");
        }
        const stored = o.store.put(key, body, String(req.headers['content-type'] ?? 'application/octet-stream'));
        res.writeHead(200, { etag: stored.etag, ...cors });
        res.end();
        return;
      }
      case 'DELETE':
        await authorize(verified, 's3:DeleteObject', objectArn);
        o.store.delete(key);
        res.writeHead(204, cors ?? {});
        res.end();
        return;
      default:
        throw new S3Error('MethodNotAllowed', 405, `The specified method is not allowed against this resource: ${method}`);
    }
  }

  /** S3 answers NoSuchKey only to callers allowed to list the bucket; others get AccessDenied. */
  async function missing(v: VerifiedRequest | undefined, key: string): Promise<never> {
    try {
      await authorize(v, 's3:ListBucket', o.bucketArn);
    } catch {
      throw accessDenied(`/${o.bucket}/${key}`);
    }
    throw new S3Error('NoSuchKey', 404, 'The specified key does not exist.', `/${o.bucket}/${key}`);
  }

  async function list(v: VerifiedRequest | undefined, params: URLSearchParams, res: ServerResponse, cors: Record<string, string> | undefined): Promise<void> {
    const prefix = params.get('prefix') ?? '';
    const delimiter = params.get('delimiter') ?? '';
    const maxKeysRaw = params.get('max-keys') ?? '1000';
    const maxKeys = Number(maxKeysRaw);
    if (!/^\d+$/.test(maxKeysRaw) || maxKeys > 2_147_483_647) throw new S3Error('InvalidArgument', 400, `max-keys = ${maxKeysRaw}: expected a non-negative integer`);
    const context: Record<string, string> = { 's3:max-keys': String(maxKeys) };
    if (params.has('prefix')) context['s3:prefix'] = prefix;
    if (params.has('delimiter')) context['s3:delimiter'] = delimiter;
    await authorize(v, 's3:ListBucket', o.bucketArn, context);
    const token = params.get('continuation-token');
    const after = token !== null ? Buffer.from(token, 'base64url').toString('utf8') : (params.get('start-after') ?? '');
    const urlEncode = params.get('encoding-type') === 'url';
    const enc = (s: string) => xmlEscape(urlEncode ? encodeURIComponent(s).replace(/%2F/g, '/') : s);
    const contents: StoredObject[] = [];
    const prefixes: string[] = [];
    let truncated = false;
    let lastKey = '';
    for (const key of o.store.keys()) {
      if (!key.startsWith(prefix) || (after && Buffer.compare(Buffer.from(key), Buffer.from(after)) <= 0)) continue;
      const restAfter = key.slice(prefix.length);
      const cut = delimiter ? restAfter.indexOf(delimiter) : -1;
      if (cut >= 0) {
        const p = prefix + restAfter.slice(0, cut + delimiter.length);
        if (prefixes.includes(p)) continue;
        if (contents.length + prefixes.length >= maxKeys) {
          truncated = true;
          break;
        }
        prefixes.push(p);
      } else {
        if (contents.length + prefixes.length >= maxKeys) {
          truncated = true;
          break;
        }
        const head = o.store.head(key);
        if (head) contents.push(head);
      }
      lastKey = key;
    }
    const xml =
      `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
      `<Name>${xmlEscape(o.bucket)}</Name><Prefix>${enc(prefix)}</Prefix>` +
      (delimiter ? `<Delimiter>${enc(delimiter)}</Delimiter>` : '') +
      `<MaxKeys>${maxKeys}</MaxKeys><KeyCount>${contents.length + prefixes.length}</KeyCount><IsTruncated>${truncated}</IsTruncated>` +
      (urlEncode ? '<EncodingType>url</EncodingType>' : '') +
      (token !== null ? `<ContinuationToken>${xmlEscape(token)}</ContinuationToken>` : '') +
      (truncated ? `<NextContinuationToken>${Buffer.from(lastKey).toString('base64url')}</NextContinuationToken>` : '') +
      contents
        .map(
          (c) =>
            `<Contents><Key>${enc(c.key)}</Key><LastModified>${iso(c.lastModified)}</LastModified><ETag>${xmlEscape(c.etag)}</ETag>` +
            `<Size>${c.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
        )
        .join('') +
      prefixes.map((p) => `<CommonPrefixes><Prefix>${enc(p)}</Prefix></CommonPrefixes>`).join('') +
      `</ListBucketResult>`;
    res.writeHead(200, { 'content-type': 'application/xml', ...cors });
    res.end(xml);
  }

  function corsHeaders(req: IncomingMessage): Record<string, string> | undefined {
    const origin = req.headers.origin;
    if (!guard.admits(origin)) return undefined;
    return {
      'access-control-allow-origin': origin,
      'access-control-allow-methods': 'GET, HEAD, PUT, DELETE',
      'access-control-allow-headers': String(req.headers['access-control-request-headers'] ?? '*'),
      'access-control-expose-headers': 'ETag',
      'access-control-max-age': '3000',
      vary: 'Origin',
    };
  }

  const guard = new LoopbackGuard('S3 endpoint', o.corsOrigins ?? [], HOW_TO_ALLOW_ORIGIN);
  const virtualHost = bucketVirtualHost(o.bucket);
  /** Set once listening: the virtual host's Host header, and the loopback Host the guard sees for it. */
  let virtual: { readonly hostHeader: string; readonly asLoopback: string } | undefined;
  // Request ids are unique per request (16 hex digits, as S3's): a random prefix per start and a
  // counter, rather than random bytes per request.
  const idPrefix = randomBytes(4).toString('hex').toUpperCase();
  let requestCount = 0;
  const server = https.createServer({ cert: o.tls.cert, key: o.tls.key }, (req, res) => {
    requestCount = (requestCount + 1) >>> 0;
    const requestId = idPrefix + requestCount.toString(16).toUpperCase().padStart(8, '0');
    res.setHeader('x-amz-request-id', requestId);
    // Host and Origin before anything else: a foreign page or a rebound name gets S3's AccessDenied.
    // `<bucket>.localhost:<port>` is loopback by definition (no DNS can rebind it), so it passes
    // the guard as `localhost:<port>` would; any other name is refused as before.
    const viaVirtualHost = virtual !== undefined && req.headers.host === virtual.hostHeader ? virtual : undefined;
    const virtualHosted = viaVirtualHost !== undefined;
    const why = guard.refusal(viaVirtualHost ? { ...req.headers, host: viaVirtualHost.asLoopback } : req.headers);
    if (why !== undefined) {
      req.resume();
      const body = errorXml(new S3Error('AccessDenied', 403, why), requestId);
      res.writeHead(403, { 'content-type': 'application/xml', connection: 'close' });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    handle(req, res, virtualHosted).catch((e: unknown) => {
      const err = e instanceof S3Error ? e : new S3Error('InternalError', 500, 'We encountered an internal error. Please try again.');
      if (!(e instanceof S3Error)) console.error('local S3:', e);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // Drain what the client is still sending so it reads the error rather than a reset.
      req.resume();
      const body = req.method === 'HEAD' ? undefined : errorXml(err, requestId);
      res.writeHead(err.status, { 'content-type': 'application/xml', ...(corsHeaders(req) ?? {}), connection: err.status >= 400 && err.code === 'EntityTooLarge' ? 'close' : 'keep-alive' });
      res.end(body);
    });
  });
  keepConnectionsAlive(server);
  // The shared listen: a busy port is refused in words that say which flag moves it.
  const host = o.host ?? '127.0.0.1';
  const port = await listen(server, o.port, host);
  guard.listeningOn(port);
  if (virtualHost !== undefined) virtual = { hostHeader: `${virtualHost}:${port}`, asLoopback: `localhost:${port}` };
  return {
    endpoint: `https://${host}:${port}`,
    bucket: o.bucket,
    amplifyCustomEndpoint: `localhost:${port}`,
    allowOrigins: (origins) => guard.allowOrigins(origins),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
