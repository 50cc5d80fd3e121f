import * as https from 'node:https';
import { readFileSync } from 'node:fs';
import { InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import * as path from 'node:path';
import { type GraphqlEndpointOptions, startGraphqlEndpoint } from '../local/graphql';
import { decodeJwt } from './helpers/forged-tokens';
import { localCognitoClient } from '../local/user-pool/sign-in';
import { startLocalEndpointEnv, type LocalEndpointEnv } from './helpers/local-endpoint-env';
import { connectRealtime } from './helpers/realtime-client';

/**
 * The local endpoint beyond the auth matrix: row rules enforced by the resolvers (through the
 * real APPSYNC_JS runtime, DynamoDB and the local Cognito), ctx.identity, AppSync's error
 * shapes, introspection, TLS on the same port, and the page's files.
 */

let env: LocalEndpointEnv;
const access = async (email: string) => (await env.signIn(email)).accessToken;

beforeAll(async () => {
  env = await startLocalEndpointEnv();
}, 120_000);

afterAll(async () => {
  await env?.close();
});

/** Options for another endpoint over the running pool, table and CA (port 0). */
function secondEndpoint(): GraphqlEndpointOptions {
  const { mode } = env;
  return {
    stack: mode.stack,
    port: 0,
    userPool: { ...mode.userPool, clientIds: mode.stack.userPool.clients.map((c) => c.clientId) },
    dynamodb: { endpoint: mode.dynamodb.endpoint, region: mode.dynamodb.region },
    tlsDir: path.dirname(mode.graphql.caFile),
  };
}

async function createDraft(token: string, title: string): Promise<string> {
  const res = await env.gql(token, `mutation { createArticle(input: {title: "${title}", summary: "s", body: "b", reviewNotes: "n"}) { id status } }`);
  expect(res.body.errors).toBeUndefined();
  expect(res.body.data.createArticle.status).toBe('DRAFT');
  return res.body.data.createArticle.id;
}

describe('row rules (resolvers, through the APPSYNC_JS runtime)', () => {
  test('editor2 cannot update an article editor wrote; editor can', async () => {
    const editor = await access('editor@example.com');
    const editor2 = await access('editor2@example.com');
    const id = await createDraft(editor, 'Editor one');
    const theirs = await env.gql(editor2, `mutation { updateArticle(input: {id: "${id}", title: "hijacked"}) { id title } }`);
    expect(theirs.status).toBe(200);
    expect(theirs.body.data).toBeNull();
    expect(theirs.body.errors).toHaveLength(1);
    // The resolver's row rule (util.error with errorType and errorInfo), not a directive denial.
    expect(theirs.body.errors![0]).toMatchObject({
      path: ['updateArticle'],
      errorType: 'Unauthorized',
      errorInfo: { id },
      message: expect.stringContaining('only its author or an admin'),
    });
    const own = await env.gql(editor, `mutation { updateArticle(input: {id: "${id}", title: "Edited"}) { id title } }`);
    expect(own.body).toEqual({ data: { updateArticle: { id, title: 'Edited' } } });
    const admin = await access('admin@example.com');
    const check = await env.gql(admin, `{ article(id: "${id}") { title } }`);
    expect(check.body.data.article.title).toBe('Edited');
  });

  test('a reader cannot see a draft through article(id); staff can', async () => {
    const id = await createDraft(await access('editor@example.com'), 'Secret draft');
    const q = `{ article(id: "${id}") { id title status } }`;
    const reader = await env.gql(await access('reader@example.com'), q);
    expect(reader.body).toEqual({ data: { article: null } });
    const subscriber = await env.gql(await access('subscriber@example.com'), q);
    expect(subscriber.body).toEqual({ data: { article: null } });
    const admin = await env.gql(await access('admin@example.com'), q);
    expect(admin.body.data.article).toEqual({ id, title: 'Secret draft', status: 'DRAFT' });
  });

  test('after an admin adds reader to subscribers and reader refreshes its token, reader reads body', async () => {
    const reader = await env.signIn('reader@example.com');
    const q = '{ articles(limit: 1) { items { id body } } }';
    const before = await env.gql(reader.accessToken, q);
    expect(before.body.data.articles.items[0].body).toBeNull();
    expect(before.body.errors?.[0]).toMatchObject({ errorType: 'Unauthorized', path: ['articles', 'items', 0, 'body'] });

    const admin = await access('admin@example.com');
    const username = decodeJwt(reader.accessToken).payload.username as string;
    const added = await env.gql(admin, `mutation { addUserToGroup(username: "${username}", group: "subscribers") { username groups } }`);
    expect(added.body).toEqual({ data: { addUserToGroup: { username, groups: ['subscribers'] } } });

    // The old token still carries the old groups (AppSync reads groups from the token).
    expect((await env.gql(reader.accessToken, q)).body.errors?.[0]?.errorType).toBe('Unauthorized');

    const cognito = localCognitoClient(env.mode.userPool);
    try {
      const refreshed = await cognito.send(
        new InitiateAuthCommand({
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          ClientId: env.mode.outputs.Auth.Cognito.userPoolClientId,
          AuthParameters: { REFRESH_TOKEN: reader.refreshToken },
        }),
      );
      const token = refreshed.AuthenticationResult!.AccessToken!;
      expect(decodeJwt(token).payload['cognito:groups']).toEqual(['subscribers']);
      const after = await env.gql(token, q);
      expect(after.body.errors).toBeUndefined();
      expect(after.body.data.articles.items[0].body).toEqual(expect.any(String));
    } finally {
      cognito.destroy();
      await env.gql(admin, `mutation { removeUserFromGroup(username: "${username}", group: "subscribers") { username } }`);
    }
  });

  test('addUserToGroup refuses a group the config does not name', async () => {
    const admin = await access('admin@example.com');
    const res = await env.gql(admin, 'mutation { addUserToGroup(username: "reader@example.com", group: "root") { username } }');
    expect(res.body.data).toBeNull();
    expect(res.body.errors![0].path).toEqual(['addUserToGroup']);
    expect(res.body.errors![0].message).toMatch(/root/);
  });
});

describe('real-time', () => {
  test('payload follows the mutation selection (aliases undone); each start carries its own auth; stop completes', async () => {
    const subscriber = await access('subscriber@example.com');
    const client = await connectRealtime(env.mode.graphql.realtimeUrl, env.mode.graphql.caFile, subscriber);
    try {
      const bad = await client.start('bad', 'subscription { onArticlePublished { id } }', `Bearer ${subscriber}`);
      expect(bad).toMatchObject({ type: 'error', id: 'bad', payload: { errors: [{ errorType: 'UnauthorizedException', message: 'Unable to parse JWT token.' }] } });
      const notSubscription = await client.start('q', '{ me { username } }', subscriber);
      expect(notSubscription.type).toBe('error');
      expect(await client.start('s1', 'subscription { onArticlePublished { id title summary publishedAt } }', subscriber)).toEqual({ type: 'start_ack', id: 's1' });

      const editor = await access('editor@example.com');
      const id = await createDraft(editor, 'Aliased');
      const published = await env.gql(editor, `mutation { pub: publishArticle(id: "${id}") { ident: id title summary publishedAt } }`);
      const { ident, ...rest } = published.body.data.pub;
      const event = await client.nextData('s1');
      expect(event.payload).toEqual({ data: { onArticlePublished: { id: ident, ...rest } } });

      // After stop, s1 hears nothing: s2, started after it, receives the next publish alone
      // (both would be served by the same fan-out).
      expect(await client.stop('s1')).toEqual({ type: 'complete', id: 's1' });
      expect((await client.start('s2', 'subscription { onArticlePublished { id } }', subscriber)).type).toBe('start_ack');
      const again = await createDraft(editor, 'After stop');
      await env.gql(editor, `mutation { publishArticle(id: "${again}") { id } }`);
      expect((await client.nextData('s2')).payload.data.onArticlePublished).toEqual({ id: again });
      expect(client.messages.filter((m) => m.type === 'data' && m.id === 's1')).toEqual([]);
    } finally {
      client.close();
    }
  });
});

describe('requests like AppSync', () => {
  test('ctx.identity comes from the verified token (me)', async () => {
    const token = await access('editor@example.com');
    const res = await env.gql(token, '{ me { username groups } }');
    expect(res.body).toEqual({ data: { me: { username: decodeJwt(token).payload.username, groups: ['editors'] } } });
  });

  test('denied and allowed siblings: denied is null with an error carrying path and locations', async () => {
    const query = '{ me { groups } articles(limit: 1) { items { title reviewNotes } } }';
    const res = await env.gql(await access('reader@example.com'), query);
    expect(res.body.data.me).toEqual({ groups: [] });
    expect(res.body.data.articles.items[0]).toEqual({ title: expect.any(String), reviewNotes: null });
    expect(res.body.errors).toEqual([
      {
        path: ['articles', 'items', 0, 'reviewNotes'],
        data: null,
        errorType: 'Unauthorized',
        errorInfo: null,
        locations: [{ line: 1, column: query.indexOf('reviewNotes') + 1 }],
        message: 'Not Authorized to access reviewNotes on type Article',
      },
    ]);
  });

  test('a denied non-null root field nulls data (GraphQL null propagation)', async () => {
    const res = await env.gql(await access('subscriber@example.com'), '{ me { groups } drafts { items { id } } }');
    expect(res.body.data).toBeNull();
    expect(res.body.errors).toEqual([expect.objectContaining({ errorType: 'Unauthorized', path: ['drafts'] })]);
  });

  test('invalid documents and bodies', async () => {
    const token = await access('reader@example.com');
    const invalid = await env.gql(token, '{ articles { nope } }');
    expect(invalid.status).toBe(200);
    expect(invalid.body.errors![0]).toMatchObject({ errorType: 'ValidationError', message: expect.stringContaining('nope') });
    const syntax = await env.gql(token, '{ articles ');
    expect(syntax.body.errors![0].errorType).toBe('MalformedHttpRequestException');
    const res = await fetch(env.url, { method: 'POST', headers: { authorization: token }, body: 'not json' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ errors: [{ errorType: 'MalformedHttpRequestException', message: 'The request body is not JSON.' }] });
  });

  test('introspection follows the API setting', async () => {
    const token = await access('reader@example.com');
    const { mode } = env;
    const answers: Record<string, unknown> = {};
    for (const introspection of [true, false]) {
      // A second endpoint over the same pool and table, its stack differing only in the setting.
      const endpoint = await startGraphqlEndpoint({ ...secondEndpoint(), stack: { ...mode.stack, api: { ...mode.stack.api, introspection } } });
      try {
        const res = await fetch(endpoint.url, {
          method: 'POST',
          headers: { authorization: token, 'content-type': 'application/json' },
          body: JSON.stringify({ query: '{ __schema { queryType { name } } }' }),
        });
        answers[String(introspection)] = await res.json();
      } finally {
        await endpoint.close();
      }
    }
    expect(answers.true).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
    const refused = answers.false as { data: unknown; errors: { errorType: string; message: string }[] };
    expect(refused.data).toBeNull();
    expect(refused.errors.length).toBeGreaterThan(0);
    for (const e of refused.errors) expect(e).toMatchObject({ errorType: 'ValidationError', message: expect.stringMatching(/introspection has been disabled/) });
  });

  test('a setup the endpoint cannot verify tokens with is refused at start, naming the value', async () => {
    const { mode } = env;
    const base = secondEndpoint();
    await expect(startGraphqlEndpoint({ ...base, userPool: { ...base.userPool, issuer: 'http://127.0.0.1:9229/x' } })).rejects.toThrow(
      /userPool\.issuer = "http:\/\/127\.0\.0\.1:9229\/x": expected "https:\/\/cognito-idp\./,
    );
    await expect(startGraphqlEndpoint({ ...base, userPool: { ...base.userPool, clientIds: [] } })).rejects.toThrow(/clientIds is empty/);
    await expect(startGraphqlEndpoint({ ...base, port: mode.graphql.port })).rejects.toThrow(/port 127\.0\.0\.1:\d+ is in use/);
  });

  test('the same port speaks TLS (for wss:) with the local CA', async () => {
    const token = await access('reader@example.com');
    const url = new URL(env.url);
    const body = await new Promise<string>((resolve, reject) => {
      const req = https.request(
        { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', ca: readFileSync(env.mode.graphql.caFile), headers: { authorization: token, 'content-type': 'application/json' } },
        (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve(text));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ query: '{ me { groups } }' }));
    });
    expect(JSON.parse(body)).toEqual({ data: { me: { groups: [] } } });
  });

  test('the page and its config are served from the same origin', async () => {
    const base = env.mode.graphql.pageUrl;
    const page = await fetch(base);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('<script src="/app.js">');
    const config = await (await fetch(new URL('/local-config.json', base))).json();
    expect(config).toMatchObject({ graphqlUrl: env.url, userPoolEndpoint: env.mode.userPool.endpoint, clientId: env.mode.outputs.Auth.Cognito.userPoolClientId });
    expect(config.demoUsers.map((u: { email: string }) => u.email).sort()).toEqual(env.mode.userPool.demoUsers.map((u) => u.email).sort());
  });
});
