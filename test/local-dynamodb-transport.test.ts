/**
 * The DynamoDB data source's two transports against ONE dynalite: the AWS SDK over HTTP and the
 * local mode's in-process call into the same store. The same operations must give the same
 * answers and the same errors through both, and the local endpoint (in-process) must answer
 * GraphQL exactly as an endpoint on the SDK path does.
 */
import * as path from 'node:path';
import { closeIteratorsOnReturn } from '../local/dynamodb/iterator-cleanup';
import { type DynamoDbEmulator, startDynamoDb } from '../local/dynamodb';
import { createSdkTransport } from '../local/appsync-js/data-sources/dynamodb-sdk-transport';
import {
  DynamoDbServiceError,
  type DynamoDbOperation,
  type DynamoDbTransport,
  type WireRequest,
} from '../local/appsync-js/data-sources/dynamodb-transport';
import { DynamoDbDataSource } from '../local/appsync-js/data-sources/dynamodb';
import { type GraphqlEndpoint, startGraphqlEndpoint } from '../local/graphql';
import { articlesTable } from './helpers/dynamodb';
import { startLocalEndpointEnv, type LocalEndpointEnv, type GraphqlResponse } from './helpers/local-endpoint-env';
import { LOCAL_AWS_CREDENTIALS } from '../local/aws-credentials';
import { startDynalite } from '../local/dynamodb/dynalite-internals';

const REGION = 'eu-west-1';
const INDEX = articlesTable('x').globalSecondaryIndexes[0].name;

/** What one call gave: its answer, or its error's class, name, message and status. */
type Outcome = { ok: unknown } | { error: { isServiceError: boolean; name: string; message: string; httpStatusCode?: number } };

async function outcome(transport: DynamoDbTransport, operation: DynamoDbOperation, input: WireRequest): Promise<Outcome> {
  try {
    return { ok: await transport.send(operation, input) };
  } catch (err) {
    const e = err as Error & { httpStatusCode?: number };
    return { error: { isServiceError: err instanceof DynamoDbServiceError, name: e.name, message: e.message, httpStatusCode: e.httpStatusCode } };
  }
}

const bytes = (text: string) => Buffer.from(text, 'utf8').toString('base64');

function article(id: string, createdAt: string, extra: Record<string, unknown> = {}) {
  return {
    id: { S: id },
    status: { S: 'PUBLISHED' },
    createdAt: { S: createdAt },
    title: { S: `Title ${id}` },
    hits: { N: '7' },
    ...extra,
  } as WireRequest['Item'];
}

/**
 * The sequence both transports run, each on its own table of the same store (so both start
 * empty). Later steps read what earlier ones wrote; Query paging uses the key page 1 returned.
 */
async function runSequence(transport: DynamoDbTransport, TableName: string): Promise<Record<string, Outcome>> {
  const out: Record<string, Outcome> = {};
  const step = async (name: string, operation: DynamoDbOperation, input: WireRequest) => (out[name] = await outcome(transport, operation, input));
  const notExists = { ConditionExpression: 'attribute_not_exists(id)' };
  await step('put a1', 'PutItem', {
    TableName,
    // Binaries, also nested: base64 on the wire, bytes in the SDK.
    Item: article('a1', '2026-01-01T00:00:00Z', {
      avatar: { B: bytes('\u0000\u00ffraw') },
      chunks: { BS: [bytes('one'), bytes('two')] },
      meta: { M: { thumb: { B: bytes('thumb') }, list: { L: [{ B: bytes('x') }, { S: 's' }] } } },
    }),
    ...notExists,
  });
  await step('put a1 again (condition fails)', 'PutItem', { TableName, Item: article('a1', '2026-01-09T00:00:00Z'), ...notExists });
  await step('put a2', 'PutItem', { TableName, Item: article('a2', '2026-01-02T00:00:00Z') });
  await step('put a3', 'PutItem', { TableName, Item: article('a3', '2026-01-03T00:00:00Z') });
  await step('get a1', 'GetItem', { TableName, Key: { id: { S: 'a1' } }, ConsistentRead: true });
  await step('get missing', 'GetItem', { TableName, Key: { id: { S: 'nope' } } });
  const published = { ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':p': { S: 'PUBLISHED' } } };
  await step('update a2 (condition holds)', 'UpdateItem', {
    TableName,
    Key: { id: { S: 'a2' } },
    UpdateExpression: 'SET title = :t ADD hits :one',
    ConditionExpression: '#s = :p',
    ExpressionAttributeNames: published.ExpressionAttributeNames,
    ExpressionAttributeValues: { ...published.ExpressionAttributeValues, ':t': { S: 'Edited' }, ':one': { N: '1' } },
    ReturnValues: 'ALL_NEW',
  });
  await step('update a2 (condition fails)', 'UpdateItem', {
    TableName,
    Key: { id: { S: 'a2' } },
    UpdateExpression: 'SET title = :t',
    ConditionExpression: '#s = :d',
    ExpressionAttributeNames: { '#s': 'status' },
    ExpressionAttributeValues: { ':t': { S: 'Never' }, ':d': { S: 'DRAFT' } },
    ReturnValues: 'ALL_NEW',
  });
  const query = { TableName, IndexName: INDEX, KeyConditionExpression: '#s = :p', ...published, ScanIndexForward: false, Limit: 2 };
  const page1 = await step('query page 1', 'Query', query);
  const lastKey = 'ok' in page1 ? (page1.ok as { LastEvaluatedKey?: WireRequest['Key'] }).LastEvaluatedKey : undefined;
  await step('query page 2', 'Query', { ...query, ExclusiveStartKey: lastKey });
  await step('scan', 'Scan', { TableName });
  await step('delete a3', 'DeleteItem', { TableName, Key: { id: { S: 'a3' } }, ReturnValues: 'ALL_OLD' });
  await step('scan after delete', 'Scan', { TableName, ProjectionExpression: 'id' });
  await step('query unknown index', 'Query', { ...query, IndexName: 'noSuchIndex' });
  await step('limit 0 (validation)', 'Query', { ...query, Limit: 0 });
  // Both send the string; dynalite's type check refuses it (SerializationException).
  await step('string limit (type check)', 'Query', { ...query, Limit: '2' as unknown as number });
  await step('unknown table', 'GetItem', { TableName: 'no-such-table', Key: { id: { S: 'a1' } } });
  return out;
}

/** Request ids are random per answer; everything else must match. */
function withoutRequestIds(outcomes: Record<string, Outcome>): Record<string, Outcome> {
  return JSON.parse(JSON.stringify(outcomes).replace(/Request ID: [A-Z0-9-]+/g, 'Request ID: <id>')) as Record<string, Outcome>;
}

describe('in-process and SDK transports into one dynalite', () => {
  let dynamo: DynamoDbEmulator;
  let inProcess: DynamoDbTransport;
  let sdk: ReturnType<typeof createSdkTransport>;

  beforeAll(async () => {
    const tables = ['via-sdk', 'via-in-process', 'shared'].map(articlesTable);
    dynamo = await startDynamoDb({ stack: { region: REGION, tables, source: 'test/local-dynamodb-transport.test.ts' }, port: 0 });
    inProcess = dynamo.transport;
    sdk = createSdkTransport({ endpoint: dynamo.endpoint, region: REGION, credentials: LOCAL_AWS_CREDENTIALS });
  });

  afterAll(async () => {
    sdk?.close();
    await dynamo?.close();
  });

  test('the same operations give the same answers and the same errors', async () => {
    const viaSdk = await runSequence(sdk, 'via-sdk');
    const viaInProcess = await runSequence(inProcess, 'via-in-process');
    expect(withoutRequestIds(viaInProcess)).toEqual(withoutRequestIds(viaSdk));

    // Not vacuous: the sequence did read data back, page, and fail the ways it means to.
    const failures = Object.fromEntries(
      Object.entries(viaInProcess).flatMap(([step, o]) => ('error' in o ? [[step, [o.error.isServiceError, o.error.name]]] : [])),
    );
    expect(failures).toEqual({
      'put a1 again (condition fails)': [true, 'ConditionalCheckFailedException'],
      'update a2 (condition fails)': [true, 'ConditionalCheckFailedException'],
      'query unknown index': [true, 'ValidationException'],
      'limit 0 (validation)': [true, 'ValidationException'],
      'string limit (type check)': [true, 'SerializationException'],
      'unknown table': [true, 'ResourceNotFoundException'],
    });
    const ok = (step: string) => (viaInProcess[step] as { ok: Record<string, unknown> }).ok;
    expect(ok('get a1').Item).toMatchObject({ avatar: { B: bytes('\u0000\u00ffraw') }, meta: { M: { thumb: { B: bytes('thumb') } } } });
    expect(ok('update a2 (condition holds)').Attributes).toMatchObject({ title: { S: 'Edited' }, hits: { N: '8' } });
    const ids = (step: string) => (ok(step).Items as { id: { S: string } }[]).map((i) => i.id.S);
    expect([ids('query page 1'), ids('query page 2')]).toEqual([['a3', 'a2'], ['a1']]);
    expect(ok('query page 1').LastEvaluatedKey).toBeDefined();
    expect(ids('scan after delete').sort()).toEqual(['a1', 'a2']);
  });

  test('the data source passes binaries as base64 and refuses text that is not base64, naming the field', async () => {
    for (const transport of [sdk, inProcess]) {
      const source = new DynamoDbDataSource({ name: 'articles', tableName: 'shared', transport });
      const key = { id: { S: 'binary-1' } };
      const put = await source.invoke({ operation: 'PutItem', key, attributeValues: { blob: { B: bytes('\u0001\u0002') }, set: { BS: [bytes('a')] } } });
      expect(put.error).toBeUndefined();
      expect(await source.invoke({ operation: 'GetItem', key })).toEqual({ result: { id: 'binary-1', blob: bytes('\u0001\u0002'), set: [bytes('a')] } });
      await expect(source.invoke({ operation: 'PutItem', key, attributeValues: { blob: { B: 'not base64!' } } })).rejects.toThrow(
        /attributeValues\.blob must be a base64 string/,
      );
    }
  });

  test('a failed condition is the same ctx.error through both', async () => {
    const errors = [];
    for (const transport of [sdk, inProcess]) {
      const source = new DynamoDbDataSource({ name: 'articles', tableName: 'shared', transport });
      const key = { id: { S: 'conditional-1' } };
      const condition = { expression: 'attribute_not_exists(id)' };
      await source.invoke({ operation: 'PutItem', key, attributeValues: {}, condition });
      errors.push((await source.invoke({ operation: 'PutItem', key, attributeValues: {}, condition })).error);
      await source.invoke({ operation: 'DeleteItem', key });
    }
    expect(errors[0]).toMatchObject({ type: 'DynamoDB:ConditionalCheckFailedException' });
    expect(JSON.stringify(errors[1]).replace(/Request ID: \w+/, '')).toBe(JSON.stringify(errors[0]).replace(/Request ID: \w+/, ''));
  });

  test('both see one store: what one writes, the other reads', async () => {
    const item = article('shared-1', '2026-02-01T00:00:00Z');
    await inProcess.send('PutItem', { TableName: 'shared', Item: item });
    expect(await sdk.send('GetItem', { TableName: 'shared', Key: { id: { S: 'shared-1' } } })).toEqual({ Item: item });
    await sdk.send('DeleteItem', { TableName: 'shared', Key: { id: { S: 'shared-1' } } });
    expect(await inProcess.send('GetItem', { TableName: 'shared', Key: { id: { S: 'shared-1' } } })).toEqual({});
  });

  test('the same Query asked again answers from the store each time: every write shows in the next read', async () => {
    // The emulator keeps the validated form of a repeated read (in-process-transport.ts), never
    // its answer: a write between two identical queries must change what the second returns.
    const query: WireRequest = {
      TableName: 'shared',
      IndexName: INDEX,
      KeyConditionExpression: '#s = :s',
      ExpressionAttributeNames: { '#s': 'status' },
      // A status of its own: the other tests' items in this table are not in its pages.
      ExpressionAttributeValues: { ':s': { S: 'QUEUED' } },
      ScanIndexForward: false,
      Limit: 10,
    };
    const queued = { status: { S: 'QUEUED' } };
    const ids = async () => ((await inProcess.send('Query', query)).Items ?? []).map((i) => i.id.S);
    expect(await ids()).toEqual([]);
    await inProcess.send('PutItem', { TableName: 'shared', Item: article('fresh-1', '2026-03-01T00:00:00Z', queued) });
    expect(await ids()).toEqual(['fresh-1']);
    // A write through the other door (HTTP) shows too.
    await sdk.send('PutItem', { TableName: 'shared', Item: article('fresh-2', '2026-03-02T00:00:00Z', queued) });
    expect(await ids()).toEqual(['fresh-2', 'fresh-1']);
    await inProcess.send('UpdateItem', {
      TableName: 'shared',
      Key: { id: { S: 'fresh-2' } },
      UpdateExpression: 'SET #s = :d',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':d': { S: 'DRAFT' } },
    });
    expect(await ids()).toEqual(['fresh-1']);
    await inProcess.send('DeleteItem', { TableName: 'shared', Key: { id: { S: 'fresh-1' } } });
    expect(await ids()).toEqual([]);
  });
});

describe('the local endpoint (in-process transport) answers as an endpoint on the SDK path', () => {
  let env: LocalEndpointEnv;
  let viaSdk: GraphqlEndpoint;

  beforeAll(async () => {
    env = await startLocalEndpointEnv();
    const { mode } = env;
    // A second endpoint over the same pool and dynalite, without a transport: the AWS SDK over HTTP.
    viaSdk = await startGraphqlEndpoint({
      stack: mode.stack,
      port: 0,
      userPool: { ...mode.userPool, clientIds: mode.stack.userPool.clients.map((c) => c.clientId) },
      dynamodb: { endpoint: mode.dynamodb.endpoint, region: mode.dynamodb.region },
      tlsDir: path.dirname(mode.graphql.caFile),
    });
  }, 120_000);

  afterAll(async () => {
    await viaSdk?.close();
    await env?.close();
  });

  async function post(url: string, token: string, query: string): Promise<GraphqlResponse['body']> {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: token }, body: JSON.stringify({ query }) });
    return (await res.json()) as GraphqlResponse['body'];
  }

  test('articles, page by page, for a reader and an admin', async () => {
    for (const email of ['reader@example.com', 'admin@example.com']) {
      const token = (await env.signIn(email)).accessToken;
      let nextToken: string | null = null;
      let pages = 0;
      do {
        const after: string = nextToken ? `, nextToken: ${JSON.stringify(nextToken)}` : '';
        const query = `{ articles(limit: 2${after}) { items { id title summary body status createdAt } nextToken } }`;
        const local = await post(env.url, token, query);
        expect(local).toEqual(await post(viaSdk.url, token, query));
        expect(local.data.articles.items.length).toBeGreaterThan(0);
        nextToken = local.data.articles.nextToken as string | null;
        pages += 1;
      } while (nextToken && pages < 5);
      expect(pages).toBeGreaterThan(1);
    }
  });
});

describe("dynalite's store streams close their iterators (closeIteratorsOnReturn)", () => {
  test('a value stream stopped early and one read to the end both close their iterator', async () => {
    // dynalite's own store and stream code; only the iterators are watched.
    // The store of a server that never listens: its db is closed below.
    const store = startDynalite({}).store as unknown as {
      db: Parameters<typeof closeIteratorsOnReturn>[0] & {
        put(key: string, value: unknown): Promise<void>;
        close(): Promise<void>;
        createValueStream(options: object): NodeJS.ReadableStream & { destroy(): void };
      };
    };
    const { db } = store;
    try {
      await Promise.all(['a', 'b', 'c'].map((k) => db.put(k, { k })));
      closeIteratorsOnReturn(db);
      const opened: { next(): Promise<unknown> }[] = [];
      const values = db.values.bind(db);
      db.values = (options) => {
        const iterator = values(options);
        opened.push(iterator as unknown as { next(): Promise<unknown> });
        return iterator;
      };
      const early = db.createValueStream({});
      await new Promise((resolve) => early.once('data', resolve));
      early.destroy();
      const full = db.createValueStream({});
      await new Promise((resolve) => full.on('data', () => undefined).on('close', resolve));
      await new Promise((resolve) => setImmediate(resolve));
      expect(opened).toHaveLength(2);
      for (const iterator of opened) await expect(iterator.next()).rejects.toMatchObject({ code: 'LEVEL_ITERATOR_NOT_OPEN' });
    } finally {
      await db.close();
    }
  });
});
