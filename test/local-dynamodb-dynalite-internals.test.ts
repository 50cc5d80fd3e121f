/**
 * The contract of local/dynamodb/dynalite-internals.ts: every shape and behaviour of dynalite's
 * internals the local mode's speed-ups rely on. An upgrade of dynalite that changes one fails
 * here, naming it, instead of making the local mode slower or wrong without a word.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { localDynamoClient } from '../local/dynamodb';
import {
  DYNALITE_VERSION,
  dynaliteOperation,
  dynaliteQueryTable,
  observeTableWrites,
  pageHelpers,
  setQueryTable,
  startDynalite,
  wrapGetTable,
  type DynaliteError,
  type DynaliteStore,
  type QueryTable,
} from '../local/dynamodb/dynalite-internals';
import { DYNAMODB_OPERATIONS } from '../local/appsync-js/data-sources/dynamodb-transport';
import { closeServer, listen } from '../local/server-lifecycle';

const root = path.join(__dirname, '..');
const TABLE = 'contract';

function packageJson(file: string): { version?: string; dependencies?: Record<string, string>; devDependencies?: Record<string, string> } {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** A dynalite server on a free port with one ACTIVE table, its store and an SDK client. */
async function withServedStore(run: (store: DynaliteStore, client: DynamoDBClient) => Promise<void>): Promise<void> {
  const { server, store } = startDynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const port = await listen(server, 0, '127.0.0.1');
  const client = localDynamoClient(`http://127.0.0.1:${port}`, 'eu-west-1');
  try {
    await run(store, client);
  } finally {
    client.destroy();
    await closeServer(server);
  }
}

async function createTable(client: DynamoDBClient): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: TABLE,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    }),
  );
  // Tables turn ACTIVE on the next timer tick with createTableMs 0.
  await new Promise((resolve) => setTimeout(resolve, 20));
}

/** Runs an operation on the store the way the in-process transport does. */
function send(store: DynaliteStore, operation: string, input: object): Promise<Record<string, unknown>> {
  const op = dynaliteOperation(operation);
  return new Promise((resolve, reject) => {
    const data = op.validate(store, input);
    op.run(store, data, (err, out) => (err ? reject(err) : resolve(out ?? {})));
  });
}

describe('dynalite internals the local DynamoDB relies on (dynalite-internals.ts)', () => {
  test(`the installed dynalite is the version the adapter was written for, pinned exactly`, () => {
    expect(packageJson(path.join(root, 'node_modules/dynalite/package.json')).version).toBe(DYNALITE_VERSION);
    const own = packageJson(path.join(root, 'package.json'));
    expect(own.dependencies?.dynalite ?? own.devDependencies?.dynalite).toBe(DYNALITE_VERSION);
  });

  test("dynalite/db exports the functions replaced or called, with dynalite's arities", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const db = require('dynalite/db') as Record<string, unknown>;
    const arity = (name: string) => (typeof db[name] === 'function' ? (db[name] as (...a: unknown[]) => unknown).length : `not a function: ${typeof db[name]}`);
    expect({
      create: arity('create'),
      queryTable: arity('queryTable'),
      itemSize: arity('itemSize'),
      matchesExprFilter: arity('matchesExprFilter'),
      matchesFilter: arity('matchesFilter'),
      mapPaths: arity('mapPaths'),
    }).toEqual({ create: 1, queryTable: 8, itemSize: 4, matchesExprFilter: 2, matchesFilter: 3, mapPaths: 2 });
    expect(dynaliteQueryTable).toBe(db.queryTable);
    expect(pageHelpers.itemSize).toBe(db.itemSize);
  });

  test('dynalite() creates its store through dynalite/db create(), and serves that store', async () => {
    await withServedStore(async (store, client) => {
      expect(typeof store.getTable).toBe('function');
      expect([typeof store.tableDb.put, typeof store.tableDb.del]).toEqual(['function', 'function']);
      expect([typeof store.db.keys, typeof store.db.values, typeof store.db.batch, typeof store.db.on]).toEqual(['function', 'function', 'function', 'function']);
      await createTable(client);
      // A table created over HTTP is in the captured store.
      const table = await new Promise((resolve, reject) => store.getTable(TABLE, false, (err, t) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(t))));
      expect(table).toMatchObject({ TableName: TABLE, TableStatus: 'ACTIVE', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] });
    });
  });

  test('every operation the transport sends has an action and a validation; a refused request carries its HTTP status and body', async () => {
    await withServedStore(async (store, client) => {
      for (const operation of DYNAMODB_OPERATIONS) {
        const op = dynaliteOperation(operation);
        expect([operation, typeof op.validate, typeof op.run, op.run.length]).toEqual([operation, 'function', 'function', 3]);
      }
      await createTable(client);
      await send(store, 'PutItem', { TableName: TABLE, Item: { pk: { S: 'a' }, n: { N: '1' } } });
      expect(await send(store, 'GetItem', { TableName: TABLE, Key: { pk: { S: 'a' } } })).toEqual({ Item: { pk: { S: 'a' }, n: { N: '1' } } });
      let refused: DynaliteError | undefined;
      try {
        await send(store, 'GetItem', { TableName: TABLE, Key: 'not a map' });
      } catch (err) {
        refused = err as DynaliteError;
      }
      expect(refused?.statusCode).toBe(400);
      expect(refused?.body).toMatchObject({ __type: expect.stringContaining('SerializationException') });
    });
  });

  test('Query and Scan read their pages through the replaceable db.queryTable', async () => {
    await withServedStore(async (store, client) => {
      await createTable(client);
      await send(store, 'PutItem', { TableName: TABLE, Item: { pk: { S: 'a' } } });
      const calls: string[] = [];
      const counting: QueryTable = (...args) => {
        calls.push(args[2].TableName);
        dynaliteQueryTable(...args);
      };
      setQueryTable(counting);
      try {
        const query = await send(store, 'Query', { TableName: TABLE, KeyConditionExpression: 'pk = :a', ExpressionAttributeValues: { ':a': { S: 'a' } } });
        const scan = await send(store, 'Scan', { TableName: TABLE });
        expect([query.Count, scan.Count]).toEqual([1, 1]);
      } finally {
        setQueryTable(dynaliteQueryTable);
      }
      expect(calls).toEqual([TABLE, TABLE]);
    });
  });

  test("actions read table descriptions through the store's getTable, and write them through tableDb put/del", async () => {
    await withServedStore(async (store, client) => {
      const written: string[] = [];
      observeTableWrites(store, (name) => written.push(name));
      const reads: string[] = [];
      wrapGetTable(store, (getTable) => (name, checkStatus, cb) => {
        reads.push(name);
        getTable(name, checkStatus, cb);
      });
      await createTable(client);
      // CreateTable writes CREATING, then ACTIVE: each write is seen starting and finishing.
      expect(written.filter((n) => n === TABLE).length).toBeGreaterThanOrEqual(4);
      reads.length = 0;
      await send(store, 'GetItem', { TableName: TABLE, Key: { pk: { S: 'a' } } });
      expect(reads).toContain(TABLE);
    });
  });

  test("the store's iterators have close() but no return() (iterator-cleanup.ts adds it), and writes emit abstract-level's write event", async () => {
    await withServedStore(async (store) => {
      const iterator = store.db.values({});
      expect([typeof iterator.close, typeof iterator.return]).toEqual(['function', 'undefined']);
      await iterator.close();
      const events: string[] = [];
      store.db.on('write', (ops) => events.push(...ops.map((o) => o.type)));
      await store.db.batch([{ type: 'put', key: 'contract-probe', value: { S: 'x' } }]);
      expect(events).toEqual(['put']);
    });
  });
});
