import type { IncomingMessage } from 'node:http';

/**
 * The one reader of request bodies for every local HTTP server (GraphQL endpoint, identity pool,
 * managed login, S3, the federation IdPs' forms). Each server bounds what it buffers and answers
 * a body over its bound in its own wire shape, through `tooLarge`.
 */
export interface BodyLimit {
  /** The largest body accepted, in bytes. */
  readonly maxBytes: number;
  /** The server's own error for a larger body (its status and error shape), thrown by the reader. */
  readonly tooLarge: (maxBytes: number) => Error;
}

/**
 * After a refusal the rest of the body is read and dropped, so that the server's answer reaches
 * the client (destroying the socket would lose it); a client that sends more than this many
 * times the limit after that is cut off.
 */
const DISCARD_FACTOR = 4;

/**
 * Buffers the request body. Refuses early when `content-length` already says it is too large,
 * otherwise as soon as the bytes read pass `maxBytes`; rejects when the client goes away first.
 */
export function readBody(req: IncomingMessage, limit: BodyLimit): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      outcome();
    };
    const refuse = () => {
      req.removeListener('data', collect);
      let discarded = 0;
      req.on('data', (c: Buffer) => {
        discarded += c.length;
        if (discarded > DISCARD_FACTOR * limit.maxBytes) req.destroy();
      });
      req.resume();
      settle(() => reject(limit.tooLarge(limit.maxBytes)));
    };
    function collect(c: Buffer): void {
      size += c.length;
      if (size > limit.maxBytes) refuse();
      else chunks.push(c);
    }
    req.on('end', () => settle(() => resolve(Buffer.concat(chunks))));
    req.on('error', (e) => settle(() => reject(e)));
    req.on('close', () => settle(() => reject(new Error('the client closed the connection before the request body ended'))));
    if (Number(req.headers['content-length'] ?? 0) > limit.maxBytes) return refuse();
    req.on('data', collect);
  });
}

/** The body as UTF-8 text. */
export async function readText(req: IncomingMessage, limit: BodyLimit): Promise<string> {
  return (await readBody(req, limit)).toString('utf8');
}

/** An `application/x-www-form-urlencoded` body (the content type is the caller's to check). */
export async function readForm(req: IncomingMessage, limit: BodyLimit): Promise<URLSearchParams> {
  return new URLSearchParams(await readText(req, limit));
}
