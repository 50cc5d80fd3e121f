/**
 * The local emulator's two speed-ups to dynalite against dynalite itself:
 * - stream-free-query.ts must answer every Query and Scan exactly as dynalite's own queryTable
 *   does, page after page (a grid of key conditions, directions, limits, filters, projections,
 *   capacity reports, scan segments and the 1 MB page limit), on disk and in memory;
 * - table-description-cache.ts must never answer with a stale table description.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CreateTableCommand, type CreateTableCommandInput, DeleteTableCommand, DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { localDynamoClient } from '../local/dynamodb';
import { dynaliteWithTransport } from '../local/dynamodb/in-process-transport';
import { closeServer, listen } from '../local/server-lifecycle';
import { streamFreeQueryTable } from '../local/dynamodb/stream-free-query';
import { dynaliteQueryTable, setQueryTable } from '../local/dynamodb/dynalite-internals';
import type { DynamoDbOperation, DynamoDbTransport, WireItem, WireRequest } from '../local/appsync-js/data-sources/dynamodb-transport';

const TABLE = 'posts';

/** A table with a range key, a GSI (ALL), an LSI (KEYS_ONLY: still read by dynalite's own code). */
const CREATE_TABLE: CreateTableCommandInput = {
  TableName: TABLE,
  BillingMode: 'PAY_PER_REQUEST',
  AttributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' },
    { AttributeName: 'sk', AttributeType: 'N' },
    { AttributeName: 'status', AttributeType: 'S' },
    { AttributeName: 'createdAt', AttributeType: 'S' },
  ],
  KeySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ],
  GlobalSecondaryIndexes: [
    {
      IndexName: 'byStatus',
      KeySchema: [
        { AttributeName: 'status', KeyType: 'HASH' },
        { AttributeName: 'createdAt', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    },
  ],
  LocalSecondaryIndexes: [
    {
      IndexName: 'byCreatedAt',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'createdAt', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'KEYS_ONLY' },
    },
  ],
};

function item(i: number): WireItem {
  return {
    pk: { S: `user${i % 3}` },
    sk: { N: String(i) },
    status: { S: i % 4 === 0 ? 'DRAFT' : 'PUBLISHED' },
    createdAt: { S: `2026-01-${String((i % 28) + 1).padStart(2, '0')}T${String(i % 24).padStart(2, '0')}:00:00Z` },
    title: { S: `Post ${i}` },
    hits: { N: String((i * 37) % 100) },
    tags: { SS: [`t${i % 5}`, 'all'] },
    meta: { M: { words: { N: String(i * 10) }, draft: { BOOL: i % 4 === 0 } } },
  };
}

/** Large items: four of them pass the 1 MB page limit. */
function bigItem(i: number): WireItem {
  return { pk: { S: 'big' }, sk: { N: String(i) }, status: { S: 'BIG' }, createdAt: { S: `2026-02-0${i + 1}` }, blob: { S: 'x'.repeat(350 * 1024) } };
}

/** What the grid sends: the data source's request fields, plus one it never sets. */
type GridRequest = WireRequest & { ReturnConsumedCapacity?: 'TOTAL' | 'INDEXES' };

const query = (fields: Partial<GridRequest>): [DynamoDbOperation, WireRequest] => ['Query', { TableName: TABLE, ...fields }];
const byUser = (user: string, more: Partial<GridRequest> = {}) =>
  query({ KeyConditionExpression: 'pk = :pk', ...more, ExpressionAttributeValues: { ':pk': { S: user }, ...more.ExpressionAttributeValues } });
const byStatus = (status: string, more: Partial<GridRequest> = {}) =>
  query({
    IndexName: 'byStatus',
    KeyConditionExpression: '#s = :s',
    ...more,
    ExpressionAttributeNames: { '#s': 'status', ...more.ExpressionAttributeNames },
    ExpressionAttributeValues: { ':s': { S: status }, ...more.ExpressionAttributeValues },
  });

/** Every request is read to its last page (following LastEvaluatedKey). */
const REQUESTS: [string, [DynamoDbOperation, WireRequest]][] = [
  ['table, whole partition', byUser('user1')],
  ['table, reverse, limit 4', byUser('user2', { ScanIndexForward: false, Limit: 4 })],
  ['table, limit 1', byUser('user0', { Limit: 1 })],
  ['table, sk < 20', byUser('user1', { KeyConditionExpression: 'pk = :pk AND sk < :n', ExpressionAttributeValues: { ':n': { N: '20' } }, Limit: 3 })],
  ['table, sk <= 20', byUser('user2', { KeyConditionExpression: 'pk = :pk AND sk <= :n', ExpressionAttributeValues: { ':n': { N: '20' } } })],
  ['table, sk > 20', byUser('user2', { KeyConditionExpression: 'pk = :pk AND sk > :n', ExpressionAttributeValues: { ':n': { N: '20' } }, Limit: 5 })],
  ['table, sk >= 20 reverse', byUser('user0', { KeyConditionExpression: 'pk = :pk AND sk >= :n', ExpressionAttributeValues: { ':n': { N: '21' } }, ScanIndexForward: false, Limit: 2 })],
  ['table, sk = 7', byUser('user1', { KeyConditionExpression: 'pk = :pk AND sk = :n', ExpressionAttributeValues: { ':n': { N: '7' } } })],
  ['table, BETWEEN', byUser('user1', { KeyConditionExpression: 'pk = :pk AND sk BETWEEN :a AND :b', ExpressionAttributeValues: { ':a': { N: '4' }, ':b': { N: '31' } }, Limit: 3 })],
  ['table, no such partition', byUser('nobody')],
  ['table, filter', byUser('user1', { FilterExpression: 'hits > :h', ExpressionAttributeValues: { ':h': { N: '40' } }, Limit: 4 })],
  ['table, filter on a nested path', byUser('user2', { FilterExpression: 'meta.draft = :t', ExpressionAttributeValues: { ':t': { BOOL: true } } })],
  ['table, projection', byUser('user0', { ProjectionExpression: 'title, meta.words, tags', Limit: 6 })],
  ['table, COUNT', byUser('user1', { Select: 'COUNT', Limit: 5 })],
  ['table, capacity TOTAL', byUser('user2', { ReturnConsumedCapacity: 'TOTAL', Limit: 7 })],
  ['table, capacity INDEXES, consistent', byUser('user0', { ReturnConsumedCapacity: 'INDEXES', ConsistentRead: true })],
  ['table, legacy KeyConditions + QueryFilter', ['Query', { TableName: TABLE, KeyConditions: { pk: { ComparisonOperator: 'EQ', AttributeValueList: [{ S: 'user1' }] } }, QueryFilter: { hits: { ComparisonOperator: 'LT', AttributeValueList: [{ N: '50' }] } }, Limit: 3 } as unknown as WireRequest]],
  ['table, legacy AttributesToGet', ['Query', { TableName: TABLE, KeyConditions: { pk: { ComparisonOperator: 'EQ', AttributeValueList: [{ S: 'user2' }] } }, AttributesToGet: ['title', 'hits'] } as unknown as WireRequest]],
  ['GSI, newest first, limit 10', byStatus('PUBLISHED', { ScanIndexForward: false, Limit: 10 })],
  ['GSI, oldest first, no limit', byStatus('PUBLISHED')],
  ['GSI, begins_with', byStatus('PUBLISHED', { KeyConditionExpression: '#s = :s AND begins_with(createdAt, :m)', ExpressionAttributeValues: { ':m': { S: '2026-01-1' } }, Limit: 2 })],
  ['GSI, createdAt > x, reverse', byStatus('DRAFT', { KeyConditionExpression: '#s = :s AND createdAt > :c', ExpressionAttributeValues: { ':c': { S: '2026-01-10' } }, ScanIndexForward: false, Limit: 3 })],
  ['GSI, filter + projection + capacity', byStatus('PUBLISHED', { FilterExpression: 'contains(tags, :t)', ProjectionExpression: 'pk, sk, #s', ExpressionAttributeValues: { ':t': { S: 't2' } }, ReturnConsumedCapacity: 'INDEXES', Limit: 8 })],
  ['GSI, 1 MB page limit', byStatus('BIG')],
  ['GSI, 1 MB page limit, reverse, limit 3', byStatus('BIG', { ScanIndexForward: false, Limit: 3 })],
  ['LSI (KEYS_ONLY), ALL_PROJECTED', byUser('user1', { IndexName: 'byCreatedAt', Limit: 4 })],
  ['scan, whole table', ['Scan', { TableName: TABLE }]],
  ['scan, limit 7', ['Scan', { TableName: TABLE, Limit: 7 }]],
  ['scan, filter', ['Scan', { TableName: TABLE, FilterExpression: 'attribute_exists(tags) AND hits < :h', ExpressionAttributeValues: { ':h': { N: '30' } }, Limit: 9 }]],
  ['scan, segment 1 of 3', ['Scan', { TableName: TABLE, Segment: 1, TotalSegments: 3, Limit: 5 }]],
  ['scan, segment 0 of 2, projection', ['Scan', { TableName: TABLE, Segment: 0, TotalSegments: 2, ProjectionExpression: 'pk, title' }]],
  ['scan, GSI', ['Scan', { TableName: TABLE, IndexName: 'byStatus', Limit: 11, ReturnConsumedCapacity: 'TOTAL' } as GridRequest]],
];

type Outcome = { pages: unknown[] } | { error: string };

async function readAllPages(transport: DynamoDbTransport, [operation, request]: [DynamoDbOperation, WireRequest]): Promise<Outcome> {
  const pages: unknown[] = [];
  let start: WireItem | undefined;
  try {
    do {
      const page = await transport.send(operation, { ...request, ...(start ? { ExclusiveStartKey: start } : {}) });
      pages.push(page);
      start = page.LastEvaluatedKey;
    } while (start && pages.length < 100);
    return { pages };
  } catch (err) {
    return { error: `${(err as Error).name}: ${(err as Error).message}` };
  }
}

/** dynalite with the local mode's speed-ups: the in-process transport, and an SDK client for table operations. */
async function withDynalite(
  dataDir: string | undefined,
  run: (transport: DynamoDbTransport, client: DynamoDBClient) => Promise<void>,
  createTableMs = 0,
): Promise<void> {
  const { server, transport } = dynaliteWithTransport({ path: dataDir, createTableMs, deleteTableMs: 0, updateTableMs: 0 });
  const port = await listen(server, 0, '127.0.0.1');
  const client = localDynamoClient(`http://127.0.0.1:${port}`, 'eu-west-1');
  try {
    await run(transport, client);
  } finally {
    setQueryTable(streamFreeQueryTable);
    client.destroy();
    await closeServer(server);
  }
}

async function untilActive(client: DynamoDBClient, TableName: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${TableName} did not become ACTIVE`);
}

describe.each([
  ['on disk', true],
  ['in memory', false],
])("Query and Scan without streams answer as dynalite's own queryTable (%s)", (_where, onDisk) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dynalite-query-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('every request of the grid, every page', async () => {
    await withDynalite(onDisk ? path.join(dir, 'db') : undefined, async (transport, client) => {
      await client.send(new CreateTableCommand(CREATE_TABLE));
      await untilActive(client, TABLE);
      for (let i = 0; i < 45; i++) await transport.send('PutItem', { TableName: TABLE, Item: item(i) });
      for (let i = 0; i < 5; i++) await transport.send('PutItem', { TableName: TABLE, Item: bigItem(i) });

      for (const [name, request] of REQUESTS) {
        setQueryTable(dynaliteQueryTable);
        const expected = await readAllPages(transport, request);
        setQueryTable(streamFreeQueryTable);
        const actual = await readAllPages(transport, request);
        // Named, so a failure says which request differs.
        expect({ name, outcome: actual }).toEqual({ name, outcome: expected });
        if ('pages' in expected) expect({ name, pages: expected.pages.length }).not.toEqual({ name, pages: 0 });
      }
      // The grid exercises what it says: multi-page reads, the 1 MB stop, filters that drop items.
      setQueryTable(streamFreeQueryTable);
      const big = (await readAllPages(transport, byStatus('BIG'))) as { pages: { Count: number }[] };
      expect(big.pages.map((p) => p.Count)).toEqual([3, 2]);
      const filtered = (await readAllPages(transport, REQUESTS.find(([n]) => n === 'table, filter')![1])) as { pages: { Count: number; ScannedCount: number }[] };
      expect(filtered.pages.some((p) => p.Count < p.ScannedCount)).toBe(true);
    });
  });
});

describe('table descriptions are cached but never stale', () => {
  const articles = (indexName: string): CreateTableCommandInput => ({
    TableName: 'articles',
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'id', AttributeType: 'S' },
      { AttributeName: 'status', AttributeType: 'S' },
    ],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    GlobalSecondaryIndexes: [{ IndexName: indexName, KeySchema: [{ AttributeName: 'status', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
  });
  const onIndex = (IndexName: string): WireRequest => ({
    TableName: 'articles',
    IndexName,
    KeyConditionExpression: '#s = :s',
    ExpressionAttributeNames: { '#s': 'status' },
    ExpressionAttributeValues: { ':s': { S: 'PUBLISHED' } },
  });
  const errorOf = (promise: Promise<unknown>) =>
    promise.then(
      () => 'no error',
      (err: Error) => `${err.name}: ${err.message}`,
    );

  test('a table deleted and created again with another index is read with its new description', async () => {
    await withDynalite(undefined, async (transport, client) => {
      await client.send(new CreateTableCommand(articles('byStatus')));
      await untilActive(client, 'articles');
      await transport.send('PutItem', { TableName: 'articles', Item: { id: { S: 'a' }, status: { S: 'PUBLISHED' } } });
      expect((await transport.send('Query', onIndex('byStatus'))).Count).toBe(1);

      await client.send(new DeleteTableCommand({ TableName: 'articles' }));
      for (let i = 0; i < 200 && (await errorOf(client.send(new DescribeTableCommand({ TableName: 'articles' })))) === 'no error'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(await errorOf(transport.send('Query', onIndex('byStatus')))).toMatch(/^ResourceNotFoundException/);

      await client.send(new CreateTableCommand(articles('byState')));
      await untilActive(client, 'articles');
      expect(await errorOf(transport.send('Query', onIndex('byStatus')))).toBe('ValidationException: The table does not have the specified index: byStatus');
      expect((await transport.send('Query', onIndex('byState'))).Count).toBe(0);
    });
  });

  test('a table still CREATING is not found by Query, though DescribeTable has read (and cached) it', async () => {
    await withDynalite(
      undefined,
      async (transport, client) => {
        await client.send(new CreateTableCommand(articles('byStatus')));
        const described = await client.send(new DescribeTableCommand({ TableName: 'articles' }));
        expect(described.Table?.TableStatus).toBe('CREATING');
        expect(await errorOf(transport.send('Query', onIndex('byStatus')))).toMatch(/^ResourceNotFoundException/);
        await untilActive(client, 'articles');
        expect((await transport.send('Query', onIndex('byStatus'))).Count).toBe(0);
      },
      300,
    );
  });
});

describe("the in-process transport keeps a read's validation, never its answer", () => {
  test('the same Query, asked again after writes, answers from the data as it is now', async () => {
    await withDynalite(undefined, async (transport, client) => {
      await client.send(new CreateTableCommand(CREATE_TABLE));
      await untilActive(client, TABLE);
      const [, request] = byStatus('PUBLISHED', { ScanIndexForward: false, Limit: 3, ProjectionExpression: 'sk, title' });
      const titles = async () => ((await transport.send('Query', request)).Items ?? []).map((i) => i.title);
      expect(await titles()).toEqual([]);
      await transport.send('PutItem', { TableName: TABLE, Item: item(1) });
      expect(await titles()).toEqual([{ S: 'Post 1' }]);
      await transport.send('PutItem', { TableName: TABLE, Item: item(2) });
      await transport.send('DeleteItem', { TableName: TABLE, Key: { pk: item(1).pk, sk: item(1).sk } });
      expect(await titles()).toEqual([{ S: 'Post 2' }]);
      // A request that fails validation fails every time.
      const bad = { ...request, Limit: 0 };
      for (let i = 0; i < 2; i++) await expect(transport.send('Query', bad)).rejects.toThrow(/'limit' failed to satisfy constraint/);
    });
  });
});

describe('a page decodes each stored item once and shares it, frozen (decoded-items.ts)', () => {
  const [, query] = byStatus('PUBLISHED', { ScanIndexForward: false });
  const firstItem = async (transport: DynamoDbTransport) => (await transport.send('Query', query)).Items![0];

  test('an item written again under the same key reads as written, on the next Query', async () => {
    await withDynalite(undefined, async (transport, client) => {
      await client.send(new CreateTableCommand(CREATE_TABLE));
      await untilActive(client, TABLE);
      await transport.send('PutItem', { TableName: TABLE, Item: item(1) });
      expect((await firstItem(transport)).title).toEqual({ S: 'Post 1' });
      await transport.send('PutItem', { TableName: TABLE, Item: { ...item(1), title: { S: 'rewritten' } } });
      expect((await firstItem(transport)).title).toEqual({ S: 'rewritten' });
      await transport.send('UpdateItem', {
        TableName: TABLE,
        Key: { pk: item(1).pk, sk: item(1).sk },
        UpdateExpression: 'SET title = :t',
        ExpressionAttributeValues: { ':t': { S: 'updated' } },
      });
      expect((await firstItem(transport)).title).toEqual({ S: 'updated' });
    });
  });

  test('an answer cannot be changed by its caller (frozen), and reads as dynalite itself reads the item', async () => {
    await withDynalite(undefined, async (transport, client) => {
      await client.send(new CreateTableCommand(CREATE_TABLE));
      await untilActive(client, TABLE);
      await transport.send('PutItem', { TableName: TABLE, Item: item(1) });
      const first = await firstItem(transport);
      expect(() => {
        (first.title as { S: string }).S = 'changed by the caller';
      }).toThrow(TypeError);
      expect(() => {
        (first.tags as { SS: string[] }).SS.push('added');
      }).toThrow(TypeError);
      expect(() => delete (first.meta as { M: WireItem }).M.words).toThrow(TypeError);
      // The second read shares the first's parse; it is the stored item, as dynalite's own code reads it.
      expect(await firstItem(transport)).toEqual(item(1));
      setQueryTable(dynaliteQueryTable);
      const dynalites = await firstItem(transport);
      setQueryTable(streamFreeQueryTable);
      expect(JSON.stringify(await firstItem(transport))).toBe(JSON.stringify(dynalites));
    });
  });
});
