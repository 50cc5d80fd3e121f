import { getCanonicalHeaders, SignatureV4Base } from '@smithy/signature-v4';
import type { HeaderBag, HttpRequest } from '@smithy/types';
import { LRUCache } from 'lru-cache';
import { NodeSha256 } from './node-sha256';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { CredentialProblem, CredentialSession, CredentialStore } from './credential-store';

/**
 * Verifies AWS Signature Version 4 on a request received by a local service: parses the
 * `Authorization` header (or the presigned `X-Amz-*` query), checks the scope's region and
 * service, looks the key up in the credential store and recomputes the signature over exactly
 * the headers the client signed. The canonical request is built by `@smithy/signature-v4` (the
 * signer the AWS SDK itself uses: its path escaping, query sorting and encoding, header value
 * trimming); the hashing and HMACs are Node's, with the signing key derived once per (key,
 * date, region, service). The caller maps a `SigV4Error` to its service's error shape.
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

/**
 * The one parser of `AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...` (fields
 * in any order, the space after a comma optional), naming what is wrong. One scan with indexOf
 * and no regular expression or intermediate arrays: it runs on every S3 request.
 */
function parseAuthorizationHeader(value: string, headers: IncomingHttpHeaders): ParsedSignature {
  if (!value.startsWith(`${ALGORITHM} `)) {
    throw new SigV4Error('Malformed', `Authorization: expected "${ALGORITHM} Credential=..., SignedHeaders=..., Signature=..."`);
  }
  const fields = { Credential: '', SignedHeaders: '', Signature: '' };
  for (let start = ALGORITHM.length + 1; start <= value.length; ) {
    const comma = value.indexOf(',', start);
    const end = comma < 0 ? value.length : comma;
    const part = value.slice(start, end).trim();
    start = end + 1;
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    // Other fields are ignored; a repeated one counts with its last value.
    if (name === 'Credential' || name === 'SignedHeaders' || name === 'Signature') fields[name] = eq < 0 ? '' : part.slice(eq + 1);
  }
  for (const field of ['Credential', 'SignedHeaders', 'Signature'] as const) {
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

/**
 * smithy's canonical request (path escaping or not, query sorting and encoding), without its
 * signing: SignatureV4Base needs a hash constructor but building the canonical form never hashes.
 */
class CanonicalForm extends SignatureV4Base {
  constructor(uriEscapePath: boolean) {
    super({ service: 'canonical-form', region: 'canonical-form', credentials: { accessKeyId: '', secretAccessKey: '' }, sha256: NodeSha256, uriEscapePath });
  }

  of(request: HttpRequest, headers: HeaderBag, payloadHash: string): string {
    return this.createCanonicalRequest(request, headers, payloadHash);
  }
}

const CANONICAL = { escaped: new CanonicalForm(true), raw: new CanonicalForm(false) };
const EMPTY_SHA256 = createHash('sha256').digest('hex');

export class SigV4Verifier {
  /**
   * Signing keys (`kSigning`, four HMACs away from the secret) per (access key, date, region,
   * service): a key's secret never changes, so a cached signing key is never stale; the date in
   * the key makes a new day derive a new one, as the signer does.
   */
  private readonly signingKeys = new LRUCache<string, Buffer>({ max: 5_000 });

  constructor(private readonly store: CredentialStore, private readonly now: () => number = Date.now) {}

  private signingKey(session: CredentialSession, date: string, region: string, service: string): Buffer {
    const cacheKey = `${session.accessKeyId}\u0000${date}\u0000${region}\u0000${service}`;
    let key = this.signingKeys.get(cacheKey);
    if (!key) {
      key = createHmac('sha256', `AWS4${session.secretAccessKey}`).update(date).digest();
      for (const part of [region, service, 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
      this.signingKeys.set(cacheKey, key);
    }
    return key;
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
    const query: Record<string, string | string[]> = {};
    for (const [k, v] of pairs) {
      // A presigned URL signs every query parameter but the signature itself (getCanonicalQuery skips it).
      const prev = query[k];
      query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    // The payload hash: the signed x-amz-content-sha256 when sent; S3's presigned URLs sign
    // UNSIGNED-PAYLOAD; otherwise the body's own hash (services that hash the body).
    const payloadHash =
      contentSha256 ??
      (presigned ? 'UNSIGNED-PAYLOAD' : r.body !== undefined ? createHash('sha256').update(r.body).digest('hex') : EMPTY_SHA256);
    const request = { method: r.method, protocol: 'https:', hostname: headers.host ?? 'localhost', path: rawPath, query, headers };
    const canonical = ((o.uriEscapePath ?? true) ? CANONICAL.escaped : CANONICAL.raw).of(request, getCanonicalHeaders(request, undefined, signed), payloadHash);
    const stringToSign = `${ALGORITHM}\n${parsed.amzDate}\n${parsed.date}/${parsed.region}/${parsed.service}/aws4_request\n${createHash('sha256').update(canonical).digest('hex')}`;
    const expected = createHmac('sha256', this.signingKey(session, parsed.date, parsed.region, parsed.service)).update(stringToSign).digest('hex');
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
