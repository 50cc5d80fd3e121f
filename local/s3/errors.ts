import type { SigV4Problem } from '../credentials/sigv4';

/** An S3 error: its code, HTTP status and message, sent as S3's `<Error>` XML (no body for HEAD). */
export class S3Error extends Error {
  constructor(readonly code: string, readonly status: number, message: string, readonly resource?: string) {
    super(message);
  }
}

export const accessDenied = (resource?: string, message = 'Access Denied') => new S3Error('AccessDenied', 403, message, resource);

/** A failed signature check in S3's words. */
export function sigV4Error(problem: SigV4Problem, message: string): S3Error {
  switch (problem) {
    case 'Missing':
      return accessDenied();
    case 'Malformed':
    case 'WrongService':
      return new S3Error('AuthorizationHeaderMalformed', 400, `The authorization header is malformed; ${message}`);
    case 'WrongRegion':
      return new S3Error('AuthorizationHeaderMalformed', 400, `The authorization header is malformed; ${message}`);
    case 'SignatureMismatch':
      return new S3Error('SignatureDoesNotMatch', 403, message);
    case 'RequestExpired':
      return accessDenied(undefined, 'Request has expired');
    case 'Skewed':
      return new S3Error('RequestTimeTooSkewed', 403, message);
    case 'ContentHashMismatch':
      return new S3Error('XAmzContentSHA256Mismatch', 400, message);
    case 'UnknownKey':
    case 'MissingToken':
      return new S3Error('InvalidAccessKeyId', 403, message);
    case 'BadToken':
      return new S3Error('InvalidToken', 400, message);
    case 'Expired':
      return new S3Error('ExpiredToken', 400, message);
  }
}

export function xmlEscape(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

export function errorXml(e: S3Error, requestId: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${e.code}</Code><Message>${xmlEscape(e.message)}</Message>` +
    (e.resource ? `<Resource>${xmlEscape(e.resource)}</Resource>` : '') +
    `<RequestId>${requestId}</RequestId><HostId>local</HostId></Error>`
  );
}
