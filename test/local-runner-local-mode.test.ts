import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { loadConfig } from '../config';
import { LOCK_FILE } from '../local/data-lock';
import { articlesTableName, seedAuthor } from '../local/seed-articles';
import { closeStartedStacks, isListening, startLocalStack, synthesizeLocalStack, type TestLocalStack, useLocalStack } from './helpers/local-stack';
import { temporaryDir } from './helpers/temp-dirs';

const config = loadConfig();

async function putArticle(mode: TestLocalStack, id: string): Promise<void> {
  const doc = DynamoDBDocumentClient.from(mode.dynamodb.client);
  const item = {
    id,
    title: 'mine',
    summary: 's',
    status: 'DRAFT',
    authorId: 'x',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  };
  await doc.send(new PutCommand({ TableName: articlesTableName(mode.stack), Item: item }));
}

async function getArticle(mode: TestLocalStack, id: string): Promise<unknown> {
  const doc = DynamoDBDocumentClient.from(mode.dynamodb.client);
  return (await doc.send(new GetCommand({ TableName: articlesTableName(mode.stack), Key: { id } }))).Item;
}

describe('local mode (whole, in process)', () => {
  let mode: TestLocalStack;
  useLocalStack((started) => (mode = started));

  test('outputs have the client_config shape with local values, plus the demo users', () => {
    const { outputs } = mode;
    expect(outputs.Auth.Cognito).toEqual({
      userPoolId: mode.stack.userPool.poolId,
      userPoolClientId: mode.stack.userPool.webClient.clientId,
      userPoolEndpoint: mode.userPool.endpoint,
      loginWith: {
        email: true,
        oauth: {
          domain: mode.managedLogin.domain,
          scopes: mode.stack.userPool.webClient.allowedOauthScopes,
          redirectSignIn: mode.stack.userPool.webClient.callbackUrls,
          redirectSignOut: mode.stack.userPool.webClient.logoutUrls,
          responseType: 'code',
        },
      },
      identityPoolId: mode.aws.identityPool!.identityPoolId,
      identityPoolEndpoint: mode.aws.identityPool!.endpoint,
    });
    expect(outputs.API.GraphQL).toEqual({ endpoint: mode.graphql.url, region: config.region, defaultAuthMode: 'userPool' });
    // Each demo user with what its sign-in needs: the password, a temporary password, or a TOTP secret too.
    expect(outputs.demoUsers).toEqual(
      config.local.demoUsers.map((u) => ({
        email: u.email,
        groups: u.groups,
        ...(u.signIn === 'temporaryPassword'
          ? { temporaryPassword: expect.stringMatching(/^\S{12,}$/) }
          : { password: mode.userPool.demoPassword }),
        ...(u.signIn === 'totp' ? { totpSecret: expect.stringMatching(/^[A-Z2-7]{32}$/) } : {}),
      }))
    );
    expect(outputs.demoUsers.find((u) => u.email === 'newhire@example.com')).toMatchObject({ groups: ['editors'] });
    expect(outputs.demoUsers.find((u) => u.email === 'mfa@example.com')?.totpSecret).toBeDefined();
  });

  test('demo articles are seeded on a first start, authored by the seed author', async () => {
    const author = mode.userPool.demoUsers.find((u) => u.email === seedAuthor(config));
    const doc = DynamoDBDocumentClient.from(mode.dynamodb.client);
    const byStatus = async (status: string) =>
      (
        await doc.send(
          new QueryCommand({
            TableName: articlesTableName(mode.stack),
            IndexName: mode.stack.tables[0].globalSecondaryIndexes[0].name,
            KeyConditionExpression: '#s = :s',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':s': status },
          })
        )
      ).Items ?? [];
    const published = await byStatus('PUBLISHED');
    const drafts = await byStatus('DRAFT');
    expect(published.length).toBeGreaterThan(0);
    expect(drafts.length).toBeGreaterThan(0);
    expect(published.length + drafts.length).toBe(mode.seededArticles);
    for (const a of [...published, ...drafts]) expect(a.authorId).toBe(author?.sub);
  });

  test('a demo user signs in with the web client and gets the configured groups', async () => {
    const editor = config.local.demoUsers.find((u) => u.groups.length > 0);
    const tokens = await mode.signIn(editor?.email as string);
    const claims = JSON.parse(Buffer.from(tokens.idToken.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
    expect(claims.iss).toBe(mode.userPool.issuer);
    expect(claims['cognito:groups']).toEqual(editor?.groups);
  });
});

describe('local mode across restarts', () => {
  // Every stack started below (closed by its test), their temporary data and the folder made by hand.
  afterAll(closeStartedStacks);

  test('data survives a stop and start; nothing is seeded twice; close frees every port', async () => {
    const stackFile = synthesizeLocalStack();
    const first = await startLocalStack({ stackFile });
    await putArticle(first, 'kept-across-restart');
    const urls = [first.graphql.url, first.userPool.endpoint, first.dynamodb.endpoint];
    await first.close();
    for (const url of urls) expect(await isListening(url)).toBe(false);

    const second = await startLocalStack({ stackFile, dataDir: first.dataDir });
    try {
      expect(await getArticle(second, 'kept-across-restart')).toMatchObject({ title: 'mine' });
      expect(second.seededArticles).toBe(0);
    } finally {
      await second.close();
    }
  });

  test('a data directory in use by a running local mode is refused; a stale lock is taken over', async () => {
    const stackFile = synthesizeLocalStack();
    const running = await startLocalStack({ stackFile });
    try {
      await expect(startLocalStack({ stackFile, dataDir: running.dataDir })).rejects.toThrow(
        new RegExp(`in use by another local mode \\(pid ${process.pid}\\)`)
      );
    } finally {
      await running.close();
    }
    // A lock whose process is gone (a crash): the next start takes it over.
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(path.join(running.dataDir, LOCK_FILE), String(deadPid));
    const next = await startLocalStack({ stackFile, dataDir: running.dataDir });
    await next.close();
    expect(existsSync(path.join(running.dataDir, LOCK_FILE))).toBe(false);
  });

  test('reset refuses a directory with files the local mode did not write', async () => {
    const dir = temporaryDir('not-local-data-');
    writeFileSync(path.join(dir, 'precious.txt'), 'keep me');
    await expect(startLocalStack({ dataDir: dir, reset: true })).rejects.toThrow(/refusing to reset .*precious\.txt/);
    expect(existsSync(path.join(dir, 'precious.txt'))).toBe(true);
  });

  test('reset wipes the data and seeds again', async () => {
    const stackFile = synthesizeLocalStack();
    const first = await startLocalStack({ stackFile });
    await putArticle(first, 'wiped-by-reset');
    await first.close();

    const second = await startLocalStack({ stackFile, dataDir: first.dataDir, reset: true });
    try {
      expect(await getArticle(second, 'wiped-by-reset')).toBeUndefined();
      expect(second.seededArticles).toBeGreaterThan(0);
    } finally {
      await second.close();
    }
  });
});
