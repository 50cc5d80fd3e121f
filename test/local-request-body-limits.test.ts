import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { readBody, type BodyLimit } from '../local/http-body';
import { type TestLocalStack, useLocalStack } from './helpers/local-stack';

/**
 * Every local server reads request bodies through one bounded reader (local/http-body.ts) and
 * answers a body over its bound in its own wire shape; the answer reaches the client (the
 * socket is not cut before it).
 */

interface Answer {
  readonly status: number;
  readonly text: string;
}

/**
 * Sends `size` bytes in 16 KiB chunks, with or without a declared length, and resolves with the
 * server's answer (or the transport error, as text, when the server cuts the connection).
 */
function send(url: string, size: number, options: { declareLength: boolean; headers?: Record<string, string> }): Promise<Answer> {
  const u = new URL(url);
  const transport = u.protocol === 'https:' ? https : http;
  const headers: Record<string, string> = { host: u.host, ...options.headers };
  if (options.declareLength) headers['content-length'] = String(size);
  return new Promise((resolve) => {
    const req = transport.request(
      { host: u.hostname, port: u.port, path: `${u.pathname}${u.search}`, method: 'POST', headers, agent: false, rejectUnauthorized: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', (e) => resolve({ status: 0, text: e.message }));
    const chunk = Buffer.alloc(16 * 1024, 'a');
    let sent = 0;
    const pump = (): void => {
      while (sent < size) {
        const part = chunk.subarray(0, Math.min(chunk.length, size - sent));
        sent += part.length;
        if (!req.write(part)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

describe('the bounded reader (local/http-body.ts)', () => {
  class TooLarge extends Error {}
  const limit: BodyLimit = { maxBytes: 64 * 1024, tooLarge: (max) => new TooLarge(`over ${max}`) };
  let server: http.Server;
  let url: string;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      readBody(req, limit).then(
        (body) => res.writeHead(200).end(`read ${body.length}`),
        (e: unknown) => res.writeHead(e instanceof TooLarge ? 413 : 500).end(String(e)),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('a body at the limit is read whole, declared or chunked', async () => {
    expect(await send(url, limit.maxBytes, { declareLength: true })).toEqual({ status: 200, text: `read ${limit.maxBytes}` });
    expect(await send(url, limit.maxBytes, { declareLength: false })).toEqual({ status: 200, text: `read ${limit.maxBytes}` });
  });

  test("a declared length over the limit gets the server's error before the body is read", async () => {
    expect(await send(url, limit.maxBytes + 1, { declareLength: true })).toEqual({ status: 413, text: `Error: over ${limit.maxBytes}` });
  });

  test("a chunked body that passes the limit gets the server's error, which reaches the client", async () => {
    expect(await send(url, 2 * limit.maxBytes, { declareLength: false })).toEqual({ status: 413, text: `Error: over ${limit.maxBytes}` });
  });

  test('a client that goes on sending far past the limit is cut off after a few times the limit', async () => {
    let cut: (bytesRead: number) => void;
    const received = new Promise<number>((resolve) => (cut = resolve));
    const slow = http.createServer((req, res) => {
      // Answers only once the client stops: a client that never stops must be cut off by the reader.
      readBody(req, limit).catch(() => req.on('close', () => (cut(req.socket.bytesRead), res.destroy())));
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    try {
      const answer = await send(`http://127.0.0.1:${(slow.address() as AddressInfo).port}/`, 64 * limit.maxBytes, { declareLength: false });
      expect(answer.status).toBe(0);
      // What the server read before cutting: the limit, the dropped rest (bounded by the reader), one more socket read.
      const bytesRead = await received;
      expect(bytesRead).toBeGreaterThan(limit.maxBytes);
      expect(bytesRead).toBeLessThan(8 * limit.maxBytes);
    } finally {
      await new Promise<void>((resolve) => slow.close(() => resolve()));
    }
  });
});

describe("each local server's answer to a body over its bound", () => {
  let stack: TestLocalStack;
  useLocalStack((started) => (stack = started));

  test('GraphQL endpoint: 413 with an AppSync errors body, after the token check', async () => {
    const { accessToken } = await stack.signIn('reader@example.com');
    const answer = await send(stack.graphql.url, 1024 * 1024 + 1, { declareLength: false, headers: { 'content-type': 'application/json', authorization: accessToken } });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.text)).toEqual({ errors: [{ errorType: 'MalformedHttpRequestException', message: 'The request body is over 1048576 bytes.' }] });
  });

  test('identity pool: 400 InvalidParameterException in the identity service shape', async () => {
    const answer = await send(stack.aws.identityPool!.endpoint, 64 * 1024 + 1, {
      declareLength: false,
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityService.GetId' },
    });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text)).toEqual({ __type: 'InvalidParameterException', message: 'request body over 65536 bytes' });
  });

  test('managed login token endpoint: 413 invalid_request in the OAuth error shape', async () => {
    const answer = await send(`${stack.managedLogin.origin}/oauth2/token`, 64 * 1024 + 1, { declareLength: true, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.text)).toEqual({ error: 'invalid_request', error_description: 'request body larger than 65536 bytes' });
  });
});
