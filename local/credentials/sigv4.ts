import { SignatureV4 } from '@smithy/signature-v4';
import { LRUCache } from 'lru-cache';
import { NodeSha256 } from './node-sha256';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { CredentialProblem, CredentialSession, CredentialStore } from './credential-store';

/**
 * Verifies AWS Signature Version 4 on a request received by a local service: parses the
 * `Authorization` header (or the presigned `X-Amz-*` query), checks the scope's region and
 * service, looks the key up in the credential store and recomputes the signature with
 * `@smithy/signature-v4` (the signer the AWS SDK itself uses) over exactly the headers the
 * client signed. The caller maps a `SigV4Error` to its service's error shape.
 */

export type SigV4Problem =
  | 'Missing'
  | 'Malformed'
  | 'WrongRegion'
  | 'WrongService'
  | 'SignatureMismatch'
  | 'RequestExpired'
  | 'Skewed'
  | 'ContentHashMismatch'
  | CredentialProblem;

export class SigV4Error extends Error {
  constructor(readonly problem: SigV4Problem, message: string) {
    super(message);
    this.name = 'SigV4Error';
  }
}

export interface ReceivedRequest {
  readonly method: string;
  /** The request target as received (`/path?query`), still percent-encoded. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** The body, for services that sign its hash without an `x-amz-content-sha256` header. */
  readonly body?: Uint8Array;
}

export interface VerifyOptions {
  readonly region: string;
  readonly service: string;
  /** S3 signs the path as sent; other services normalize and encode it again. @default true */
  readonly uriEscapePath?: boolean;
}

export interface VerifiedRequest {
  readonly session: CredentialSession;
  /** True for a presigned-URL request. */
  readonly presigned: boolean;
  /** The signed payload hash (`x-amz-content-sha256`), when the client sent one. */
  readonly contentSha256?: string;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
/** AWS refuses header-signed requests whose date is more than 15 minutes off. */
const MAX_SKEW_MS = 15 * 60 * 1000;
const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

interface ParsedSignature {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
  readonly amzDate: string;
  readonly sessionToken?: string;
  readonly expiresSeconds?: number;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** Splits a raw query into decoded pairs; `+` stays a plus (SigV4 clients encode a space as %20). */
function parseQuery(raw: string): [string, string][] {
  if (!raw) return [];
  return raw.split('&').filter(Boolean).map((pair) => {
    const i = pair.indexOf('=');
    const [k, v] = i < 0 ? [pair, ''] : [pair.slice(0, i), pair.slice(i + 1)];
    try {
      return [decodeURIComponent(k), decodeURIComponent(v)];
    } catch {
      throw new SigV4Error('Malformed', `the query parameter ${JSON.stringify(k)} is not valid percent-encoding`);
    }
  });
}

function parseCredential(credential: string): Pick<ParsedSignature, 'accessKeyId' | 'date' | 'region' | 'service'> {
  const parts = credential.split('/');
  if (parts.length !== 5 || parts[4] !== 'aws4_request' || !/^\d{8}$/.test(parts[1]) || !parts[0]) {
    throw new SigV4Error('Malformed', `Credential = ${JSON.stringify(credential)}: expected <access key>/<yyyymmdd>/<region>/<service>/aws4_request`);
  }
  return { accessKeyId: parts[0], date: parts[1], region: parts[2], service: parts[3] };
}

function parseAuthorizationHeader(value: string, headers: IncomingHttpHeaders): ParsedSignature {
  if (!value.startsWith(`${ALGORITHM} `)) {
    throw new SigV4Error('Malformed', `Authorization: expected "${ALGORITHM} Credential=..., SignedHeaders=..., Signature=..."`);
  }
  const fields = Object.fromEntries(
    value
      .slice(ALGORITHM.length + 1)
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)
      .map((p) => {
        const i = p.indexOf('=');
        return i < 0 ? [p, ''] : [p.slice(0, i), p.slice(i + 1)];
      }),
  ) as Record<string, string>;
  for (const field of ['Credential', 'SignedHeaders', 'Signature']) {
    if (!fields[field]) throw new SigV4Error('Malformed', `Authorization: the ${field} field is missing or empty`);
  }
  if (!/^[0-9a-f]{64}$/.test(fields.Signature)) throw new SigV4Error('Malformed', 'Authorization: Signature is not 64 lowercase hex digits');
  const amzDate = header(headers, 'x-amz-date');
  if (!amzDate) throw new SigV4Error('Malformed', 'the X-Amz-Date header is missing');
  return {
    ...parseCredential(fields.Credential),
    signedHeaders: fields.SignedHeaders.split(';'),
    signature: fields.Signature,
    amzDate,
    sessionToken: header(headers, 'x-amz-security-token'),
  };
}

function parsePresigned(query: ReadonlyMap<string, string>): ParsedSignature {
  const need = (name: string) => {
    const v = query.get(name);
    if (!v) throw new SigV4Error('Malformed', `the presigned query parameter ${name} is missing`);
    return v;
  };
  if (need('X-Amz-Algorithm') !== ALGORITHM) throw new SigV4Error('Malformed', `X-Amz-Algorithm: expected ${ALGORITHM}`);
  const expires = Number(need('X-Amz-Expires'));
  if (!Number.isInteger(expires) || expires < 1 || expires > MAX_PRESIGN_SECONDS) {
    throw new SigV4Error('Malformed', `X-Amz-Expires = ${query.get('X-Amz-Expires')}: expected 1 to ${MAX_PRESIGN_SECONDS} seconds`);
  }
  const signature = need('X-Amz-Signature');
  if (!/^[0-9a-f]{64}$/.test(signature)) throw new SigV4Error('Malformed', 'X-Amz-Signature is not 64 lowercase hex digits');
  return {
    ...parseCredential(need('X-Amz-Credential')),
    signedHeaders: need('X-Amz-SignedHeaders').split(';'),
    signature,
    amzDate: need('X-Amz-Date'),
    sessionToken: query.get('X-Amz-Security-Token'),
    expiresSeconds: expires,
  };
}

function parseAmzDate(amzDate: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!m) throw new SigV4Error('Malformed', `X-Amz-Date = ${JSON.stringify(amzDate)}: expected yyyymmddThhmmssZ`);
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
}

const PRESIGN_PARAMS = new Set([
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
  'X-Amz-Security-Token',
]);

export class SigV4Verifier {
  /**
   * One signer per (access key, region, service, path escaping): the signer caches its signing
   * keys per (secret, date, region, service), so a warm key costs no key derivation. A key's
   * secret never changes, so a cached signer is never stale.
   */
  private readonly signers = new LRUCache<string, SignatureV4>({ max: 5_000 });

  constructor(private readonly store: CredentialStore, private readonly now: () => number = Date.now) {}

  private signerFor(session: CredentialSession, o: VerifyOptions): SignatureV4 {
    const key = `${session.accessKeyId}\u0000${o.region}\u0000${o.service}\u0000${o.uriEscapePath ?? true}`;
    let signer = this.signers.get(key);
    if (!signer) {
      signer = new SignatureV4({
        credentials: { accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey, sessionToken: session.sessionToken },
        region: o.region,
        service: o.service,
        sha256: NodeSha256,
        uriEscapePath: o.uriEscapePath ?? true,
        applyChecksum: false,
      });
      this.signers.set(key, signer);
    }
    return signer;
  }

  /** True when the request carries a SigV4 signature in either form (anything else is anonymous). */
  static isSigned(r: Pick<ReceivedRequest, 'url' | 'headers'>): boolean {
    const auth = header(r.headers, 'authorization');
    return (auth !== undefined && auth.startsWith('AWS4-')) || /[?&]X-Amz-Signature=/i.test(r.url) || /[?&]X-Amz-Algorithm=/i.test(r.url);
  }

  async verify(r: ReceivedRequest, o: VerifyOptions): Promise<VerifiedRequest> {
    const q = r.url.indexOf('?');
    const rawPath = q < 0 ? r.url : r.url.slice(0, q);
    const pairs = parseQuery(q < 0 ? '' : r.url.slice(q + 1));
    const queryMap = new Map(pairs);
    const auth = header(r.headers, 'authorization');
    const presigned = auth === undefined && queryMap.has('X-Amz-Signature');
    if (auth === undefined && !presigned) throw new SigV4Error('Missing', 'the request is not signed');
    const parsed = presigned ? parsePresigned(queryMap) : parseAuthorizationHeader(auth!, r.headers);
    if (parsed.service !== o.service) {
      throw new SigV4Error('WrongService', `the credential scope names service '${parsed.service}'; expecting '${o.service}'`);
    }
    if (parsed.region !== o.region) {
      throw new SigV4Error('WrongRegion', `the region '${parsed.region}' is wrong; expecting '${o.region}'`);
    }
    const signingDate = parseAmzDate(parsed.amzDate);
    if (parsed.amzDate.slice(0, 8) !== parsed.date) {
      throw new SigV4Error('Malformed', `the credential scope date ${parsed.date} is not the date of X-Amz-Date ${parsed.amzDate}`);
    }
    if (presigned) {
      if (signingDate.getTime() + parsed.expiresSeconds! * 1000 < this.now()) throw new SigV4Error('RequestExpired', 'Request has expired');
    } else if (Math.abs(signingDate.getTime() - this.now()) > MAX_SKEW_MS) {
      throw new SigV4Error('Skewed', 'The difference between the request time and the current time is too large.');
    }
    const session = this.store.lookup(parsed.accessKeyId, parsed.sessionToken);
    if (typeof session === 'string') throw new SigV4Error(session, credentialMessage(session));

    const signed = new Set(parsed.signedHeaders);
    const headers: Record<string, string> = {};
    for (const name of signed) {
      const v = header(r.headers, name);
      if (v === undefined) throw new SigV4Error('SignatureMismatch', `the signed header ${name} is not in the request`);
      headers[name] = v;
    }
    const contentSha256 = header(r.headers, 'x-amz-content-sha256');
    // A signed payload hash only vouches for the body if the body has that hash.
    if (r.body !== undefined && contentSha256 !== undefined && /^[0-9a-f]{64}$/.test(contentSha256)) {
      if (createHash('sha256').update(r.body).digest('hex') !== contentSha256) {
        throw new SigV4Error('ContentHashMismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.");
      }
    }
    const signer = this.signerFor(session, o);
    const query: Record<string, string | string[]> = {};
    for (const [k, v] of pairs) {
      if (presigned && PRESIGN_PARAMS.has(k)) continue;
      const prev = query[k];
      query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    const base = { method: r.method, protocol: 'https:', hostname: headers.host ?? 'localhost', path: rawPath, query };
    // Headers the signer adds on its own are left out of the signature when the client left them out.
    const extras = ['x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256'].filter((h) => !signed.has(h));
    let expected: string;
    if (presigned) {
      const out = await signer.presign(
        { ...base, headers: { ...headers, 'x-amz-content-sha256': contentSha256 ?? 'UNSIGNED-PAYLOAD' } },
        {
          signingDate,
          expiresIn: parsed.expiresSeconds,
          signableHeaders: signed,
          unsignableHeaders: new Set(extras),
          unhoistableHeaders: new Set(Object.keys(headers)),
        },
      );
      expected = String(out.query?.['X-Amz-Signature']);
    } else {
      if (contentSha256 !== undefined && !headers['x-amz-content-sha256']) headers['x-amz-content-sha256'] = contentSha256;
      const out = await signer.sign(
        { ...base, headers, body: r.body },
        { signingDate, signableHeaders: signed, unsignableHeaders: new Set(extras) },
      );
      expected = /Signature=([0-9a-f]{64})/.exec(String(out.headers.authorization ?? out.headers.Authorization))?.[1] ?? '';
    }
    if (expected.length !== parsed.signature.length || !timingSafeEqual(Buffer.from(expected), Buffer.from(parsed.signature))) {
      throw new SigV4Error(
        'SignatureMismatch',
        'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      );
    }
    return { session, presigned, contentSha256 };
  }
}

function credentialMessage(p: CredentialProblem): string {
  switch (p) {
    case 'UnknownKey':
      return 'The AWS Access Key Id you provided does not exist in our records.';
    case 'MissingToken':
      return 'The request uses temporary credentials without their session token (X-Amz-Security-Token).';
    case 'BadToken':
      return 'The provided token is malformed or otherwise invalid.';
    case 'Expired':
      return 'The provided token has expired.';
  }
}
