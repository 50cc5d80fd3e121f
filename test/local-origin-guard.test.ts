import * as http from 'node:http';
import * as https from 'node:https';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import WebSocket from 'ws';
import { loadConfig } from '../config';
import { readLocalStack } from '../local/stack-reader';
import { MAX_MESSAGE_BYTES, MAX_SUBSCRIPTIONS_PER_CONNECTION } from '../local/graphql/realtime';
import { startLocalStack, synthesizeLocalStack, type TestLocalStack } from './helpers/local-stack';
import { connectRealtime } from './helpers/realtime-client';

/**
 * Web pages cannot reach the local mode: a foreign Origin or a rebound Host is refused on the
 * GraphQL port (HTTP and WebSocket), the user pool, the identity pool, S3 and DynamoDB; the page's JSON (demo
 * password) is same-origin only; the real-time socket caps message size and subscriptions;
 * the API's query depth and resolver count limits hold. Real requests to a started local
 * stack whose API carries low limits (query_depth_limit 2, resolver_count_limit 1).
 */

const FOREIGN = 'https://evil.example';
const CONFIGURED = 'http://localhost:5173';
const CALLBACK_ORIGIN = 'http://localhost:3000'; // from the dev web client's callback/logout URLs

let stack: TestLocalStack;
let limitedStackFile: string;
let subscriberToken: string;

/** The synthesized dev stack with low AppSync limits, beside it (same assets). */
function stackWithLimits(): string {
  const source = synthesizeLocalStack();
  const doc = JSON.parse(readFileSync(source, 'utf8'));
  for (const api of Object.values<Record<string, unknown>>(doc.resource.aws_appsync_graphql_api)) {
    api.query_depth_limit = 2;
    api.resolver_count_limit = 1;
  }
  const file = path.join(path.dirname(source), 'cdk.limits.tf.json');
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

beforeAll(async () => {
  limitedStackFile = stackWithLimits();
  stack = await startLocalStack({ stackFile: limitedStackFile, allowedOrigins: [CONFIGURED] });
  subscriberToken = (await stack.signIn('subscriber@example.com')).accessToken;
}, 120_000);

afterAll(async () => {
  await stack?.close();
  if (stack) rmSync(stack.dataDir, { recursive: true, force: true });
});

interface RawResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
}

/** An HTTP request with exactly these headers (Host and Origin included), as a browser would send them. */
function raw(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<RawResponse> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: u.hostname, port: u.port, path: u.pathname, method: options.method ?? 'GET', headers: { host: u.host, ...options.headers }, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const pageOrigin = () => new URL(stack.graphql.pageUrl).origin;

function gqlPost(headers: Record<string, string>, query = '{ me { username } }'): Promise<RawResponse> {
  return raw(stack.graphql.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: subscriberToken, ...headers },
    body: JSON.stringify({ query }),
  });
}

function preflight(url: string, origin: string, headers = 'authorization, content-type'): Promise<RawResponse> {
  return raw(url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': headers } });
}

describe('GraphQL endpoint over HTTP', () => {
  test('a foreign Origin is refused with 403 naming it and how to allow it; no CORS header', async () => {
    const res = await gqlPost({ origin: FOREIGN });
    expect(res.status).toBe(403);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const message = JSON.parse(res.text).errors[0].message as string;
    expect(message).toContain(`Origin ${FOREIGN}`);
    expect(message).toContain('local.allowedOrigins');
    const pre = await preflight(stack.graphql.url, FOREIGN);
    expect(pre.status).toBe(403);
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
  });

  test('the page, the web client callback origin and a configured origin are answered with their own origin', async () => {
    for (const origin of [pageOrigin(), CALLBACK_ORIGIN, CONFIGURED]) {
      const pre = await preflight(stack.graphql.url, origin);
      expect([pre.status, pre.headers['access-control-allow-origin']]).toEqual([204, origin]);
      const res = await gqlPost({ origin });
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe(origin);
      expect(JSON.parse(res.text)).toEqual({ data: { me: { username: expect.any(String) } } });
    }
  });

  test('a request without Origin (curl, SDKs) still works and carries no CORS header', async () => {
    const res = await gqlPost({});
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  test('a Host that is not loopback with this port (DNS rebinding) is refused', async () => {
    for (const host of [`rebind.example:${stack.graphql.port}`, `127.0.0.1:${stack.graphql.port + 1}`]) {
      const res = await gqlPost({ host });
      expect(res.status).toBe(403);
      expect(JSON.parse(res.text).errors[0].message).toContain(`Host "${host}"`);
    }
    expect((await gqlPost({ host: `localhost:${stack.graphql.port}` })).status).toBe(200);
    const page = await raw(stack.graphql.pageUrl, { headers: { host: `rebind.example:${stack.graphql.port}` } });
    expect(page.status).toBe(403);
  });
});

describe('/local-config.json (holds the demo password)', () => {
  const configUrl = () => new URL('/local-config.json', stack.graphql.pageUrl).toString();

  test('served to the page itself, with no CORS and a same-origin resource policy', async () => {
    const res = await raw(configUrl(), { headers: { 'sec-fetch-site': 'same-origin' } });
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers['cross-origin-resource-policy']).toBe('same-origin');
    expect(JSON.parse(res.text).demoUsers[0].password).toBe(stack.userPool.demoPassword);
  });

  test('refused to another origin, even an admitted app origin, and to a cross-site request', async () => {
    for (const origin of [FOREIGN, CALLBACK_ORIGIN]) {
      const res = await raw(configUrl(), { headers: { origin } });
      expect(res.status).toBe(403);
      expect(res.text).not.toContain(stack.userPool.demoPassword);
    }
    const crossSite = await raw(configUrl(), { headers: { 'sec-fetch-site': 'cross-site' } });
    expect(crossSite.status).toBe(403);
    expect(crossSite.text).not.toContain(stack.userPool.demoPassword);
  });
});

describe('user pool port', () => {
  const initiateAuth = (headers: Record<string, string>) =>
    raw(stack.userPool.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth', ...headers },
      body: JSON.stringify({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: stack.stack.userPool.webClient.clientId,
        AuthParameters: { USERNAME: 'reader@example.com', PASSWORD: stack.userPool.demoPassword },
      }),
    });

  test('a foreign Origin gets 403 and no CORS header, also on preflight', async () => {
    const res = await initiateAuth({ origin: FOREIGN });
    expect(res.status).toBe(403);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(JSON.parse(res.text)).toEqual({ __type: 'ForbiddenException', message: expect.stringContaining(`Origin ${FOREIGN}`) });
    const pre = await preflight(stack.userPool.endpoint, FOREIGN, 'content-type, x-amz-target, x-amz-user-agent');
    expect(pre.status).toBe(403);
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
  });

  test('the GraphQL page and app origins sign in cross-origin, answered with their own origin (not *)', async () => {
    for (const origin of [pageOrigin(), CALLBACK_ORIGIN]) {
      const pre = await preflight(stack.userPool.endpoint, origin, 'content-type, x-amz-target, x-amz-user-agent');
      expect(pre.status).toBeLessThan(300);
      expect(pre.headers['access-control-allow-origin']).toBe(origin);
      const res = await initiateAuth({ origin });
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe(origin);
      expect(JSON.parse(res.text).AuthenticationResult.AccessToken).toEqual(expect.any(String));
    }
  });

  test('a rebound Host is refused', async () => {
    const res = await initiateAuth({ host: `rebind.example:${new URL(stack.userPool.endpoint).port}` });
    expect(res.status).toBe(403);
  });
});

describe('identity pool port', () => {
  const getId = (headers: Record<string, string>) =>
    raw(stack.aws.identityPool!.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityService.GetId', ...headers },
      body: JSON.stringify({ IdentityPoolId: stack.aws.identityPool!.identityPoolId }),
    });

  test('a foreign Origin gets 403 naming it and no CORS header, also on preflight', async () => {
    const res = await getId({ origin: FOREIGN });
    expect(res.status).toBe(403);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(JSON.parse(res.text)).toEqual({ __type: 'AccessDeniedException', message: expect.stringContaining(`Origin ${FOREIGN}`) });
    const pre = await preflight(stack.aws.identityPool!.endpoint, FOREIGN, 'content-type, x-amz-target');
    expect(pre.status).toBe(403);
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
  });

  test('the page, the callback origin and a configured origin are answered with their own origin (not *)', async () => {
    for (const origin of [pageOrigin(), CALLBACK_ORIGIN, CONFIGURED]) {
      const pre = await preflight(stack.aws.identityPool!.endpoint, origin, 'content-type, x-amz-target');
      expect([pre.status, pre.headers['access-control-allow-origin']]).toEqual([204, origin]);
      // No Logins: the pool's own answer (no guests), now readable by the admitted page.
      const res = await getId({ origin });
      expect(res.headers['access-control-allow-origin']).toBe(origin);
      expect(JSON.parse(res.text).__type).toBe('NotAuthorizedException');
    }
  });

  test('a rebound Host is refused before the pool answers', async () => {
    const res = await getId({ host: `rebind.example:${new URL(stack.aws.identityPool!.endpoint).port}` });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.text).message).toContain('DNS rebinding');
  });
});

describe('S3 port', () => {
  /** A raw https request to the local bucket (its certificate is the local CA's: not checked here). */
  const s3 = (method: string, key: string, headers: Record<string, string>): Promise<RawResponse> => {
    const u = new URL(`${stack.aws.s3!.endpoint}/${stack.aws.s3!.bucket}/${key}`);
    return new Promise((resolve, reject) => {
      const req = https.request(
        { host: u.hostname, port: u.port, path: u.pathname, method, headers: { host: u.host, ...headers }, agent: false, rejectUnauthorized: false },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        },
      );
      req.on('error', reject);
      req.end();
    });
  };

  test('a foreign Origin gets AccessDenied naming it, no CORS header, also on preflight', async () => {
    const res = await s3('GET', 'public/welcome.md', { origin: FOREIGN });
    expect(res.status).toBe(403);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.text).toContain('<Code>AccessDenied</Code>');
    expect(res.text).toContain(`Origin ${FOREIGN}`);
    const pre = await s3('OPTIONS', 'public/welcome.md', { origin: FOREIGN, 'access-control-request-method': 'GET' });
    expect(pre.status).toBe(403);
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
  });

  test('the page, the callback origin and a configured origin get CORS naming them (not *); the bucket still wants a signature', async () => {
    for (const origin of [pageOrigin(), CALLBACK_ORIGIN, CONFIGURED]) {
      const pre = await s3('OPTIONS', 'public/welcome.md', { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' });
      expect([pre.status, pre.headers['access-control-allow-origin']]).toEqual([200, origin]);
      const res = await s3('GET', 'public/welcome.md', { origin });
      expect(res.status).toBe(403);
      expect(res.headers['access-control-allow-origin']).toBe(origin);
      expect(res.text).not.toContain(`Origin ${origin}`);
    }
  });

  test('a rebound Host is refused', async () => {
    const res = await s3('GET', 'public/welcome.md', { host: `rebind.example:${new URL(stack.aws.s3!.endpoint).port}` });
    expect(res.status).toBe(403);
    expect(res.text).toContain('DNS rebinding');
  });
});

describe('DynamoDB port', () => {
  const listTables = (headers: Record<string, string>) =>
    raw(stack.dynamodb.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.ListTables',
        authorization: 'AWS4-HMAC-SHA256 Credential=local/20260101/eu-west-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00',
        'x-amz-date': '20260101T000000Z',
        ...headers,
      },
      body: '{}',
    });

  test('no web page at all, not even the local page: 403, no CORS header, preflight refused', async () => {
    for (const origin of [FOREIGN, pageOrigin(), CALLBACK_ORIGIN]) {
      const res = await listTables({ origin });
      expect(res.status).toBe(403);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      expect(res.text).not.toContain('TableNames');
      const pre = await preflight(stack.dynamodb.endpoint, origin, 'content-type, x-amz-target, authorization');
      expect(pre.status).toBe(403);
      expect(pre.headers['access-control-allow-origin']).toBeUndefined();
    }
  });

  test('SDK-style requests (no Origin, loopback Host) work; a rebound Host does not', async () => {
    const res = await listTables({});
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text).TableNames.length).toBeGreaterThan(0);
    expect((await listTables({ host: `rebind.example:${new URL(stack.dynamodb.endpoint).port}` })).status).toBe(403);
  });
});

describe('real-time WebSocket', () => {
  /** Opens the socket with these headers; resolves with the HTTP status of a refused upgrade, or 101. */
  function upgradeStatus(options: { origin?: string; host?: string }): Promise<number> {
    const ws = new WebSocket(stack.graphql.realtimeUrl, ['graphql-ws'], {
      ca: readFileSync(stack.graphql.caFile),
      origin: options.origin,
      headers: options.host ? { host: options.host } : {},
    });
    return new Promise((resolve, reject) => {
      ws.once('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        ws.terminate();
      });
      ws.once('open', () => {
        resolve(101);
        ws.terminate();
      });
      ws.once('error', (e) => reject(e));
    });
  }

  test('a foreign Origin or a rebound Host cannot open the socket; the page origin can', async () => {
    expect(await upgradeStatus({ origin: FOREIGN })).toBe(403);
    expect(await upgradeStatus({ origin: 'null' })).toBe(403);
    expect(await upgradeStatus({ host: `rebind.example:${stack.graphql.port}` })).toBe(403);
    expect(await upgradeStatus({ origin: pageOrigin() })).toBe(101);
    const client = await connectRealtime(stack.graphql.realtimeUrl, stack.graphql.caFile, subscriberToken, { origin: CALLBACK_ORIGIN });
    try {
      expect(await client.start('s', 'subscription { onArticlePublished { id } }', subscriberToken)).toEqual({ type: 'start_ack', id: 's' });
    } finally {
      client.close();
    }
  });

  test(`a message over ${MAX_MESSAGE_BYTES} bytes gets an error and the connection goes on`, async () => {
    const client = await connectRealtime(stack.graphql.realtimeUrl, stack.graphql.caFile, subscriberToken);
    try {
      const padding = ' '.repeat(MAX_MESSAGE_BYTES);
      client.sendRaw(JSON.stringify({ id: 'big', type: 'start', payload: { data: JSON.stringify({ query: `subscription { onArticlePublished { id } }${padding}` }) } }));
      const error = await client.next((m) => m.type === 'error', 'size error');
      expect(error.payload.errors[0]).toMatchObject({ errorType: 'LimitExceededError', message: expect.stringContaining('240 KB') });
      expect(await client.start('ok', 'subscription { onArticlePublished { id } }', subscriberToken)).toEqual({ type: 'start_ack', id: 'ok' });
    } finally {
      client.close();
    }
  });

  test(`at most ${MAX_SUBSCRIPTIONS_PER_CONNECTION} subscriptions per connection; a stop frees one`, async () => {
    const client = await connectRealtime(stack.graphql.realtimeUrl, stack.graphql.caFile, subscriberToken);
    try {
      for (let i = 0; i < MAX_SUBSCRIPTIONS_PER_CONNECTION; i++) {
        expect((await client.start(`s${i}`, 'subscription { onArticlePublished { id } }', subscriberToken)).type).toBe('start_ack');
      }
      const over = await client.start('over', 'subscription { onArticlePublished { id } }', subscriberToken);
      expect(over).toMatchObject({ type: 'error', id: 'over', payload: { errors: [{ errorType: 'MaxSubscriptionsReachedError' }] } });
      await client.stop('s0');
      expect((await client.start('over', 'subscription { onArticlePublished { id } }', subscriberToken)).type).toBe('start_ack');
    } finally {
      client.close();
    }
  });
});

describe("the API's limits, read from the synthesized stack", () => {
  test('the dev stack carries the configured limits', () => {
    const api = readLocalStack(synthesizeLocalStack()).api;
    expect([api.queryDepthLimit, api.resolverCountLimit]).toEqual([loadConfig().api.queryDepthLimit, loadConfig().api.resolverCountLimit]);
    expect(readLocalStack(limitedStackFile).api).toMatchObject({ queryDepthLimit: 2, resolverCountLimit: 1 });
  });

  test('a field nested deeper than query_depth_limit is null with an error; within it, the query runs', async () => {
    const shallow = await gqlPost({}, '{ me { username } }');
    expect(JSON.parse(shallow.text)).toEqual({ data: { me: { username: expect.any(String) } } });
    const deep = JSON.parse((await gqlPost({}, '{ articles(limit: 1) { items { title } } }')).text);
    expect(deep.data).toBeNull();
    expect(deep.errors).toEqual([
      expect.objectContaining({ errorType: 'QueryDepthLimitReached', path: ['articles', 'items', 0, 'title'], message: expect.stringContaining('depth limit of 2') }),
    ]);
  });

  test('resolver runs past resolver_count_limit are null with ResolverExecutionLimitReached', async () => {
    const two = JSON.parse((await gqlPost({}, '{ me { username } again: me { username } }')).text);
    expect(two.data).toBeNull();
    expect(two.errors).toEqual([expect.objectContaining({ errorType: 'ResolverExecutionLimitReached', path: ['again'] })]);
  });
});
