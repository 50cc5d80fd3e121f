import * as path from 'node:path';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { startDynamoDb } from '../local/dynamodb';
import { readLocalStack } from '../local/stack-reader';
import { synthesizeLocalStack } from './helpers/local-stack';
import { removeTemporaryDirs, temporaryDir } from './helpers/temp-dirs';

const stack = readLocalStack(synthesizeLocalStack());
const table = stack.tables[0];

function newDataDir(): string {
  return path.join(temporaryDir('local-dynamo-'), 'dynamodb');
}

describe('DynamoDB emulator', () => {
  test('creates the stack tables with their keys and indexes', async () => {
    const db = await startDynamoDb({ stack, dataDir: newDataDir(), port: 0 });
    try {
      expect([...db.createdTables].sort()).toEqual(stack.tables.map((t) => t.name).sort());
      const { Table } = await db.client.send(new DescribeTableCommand({ TableName: table.name }));
      expect(Table?.KeySchema).toEqual([{ AttributeName: table.hashKey, KeyType: 'HASH' }]);
      expect(Table?.GlobalSecondaryIndexes?.map((g) => g.IndexName)).toEqual(table.globalSecondaryIndexes.map((g) => g.name));
      expect(Table?.TableStatus).toBe('ACTIVE');
    } finally {
      await db.close();
    }
  });

  test('data written before a stop is there after a start with the same data directory', async () => {
    const dataDir = newDataDir();
    const item = { [table.hashKey]: 'survives-restart', status: 'DRAFT', createdAt: '2026-01-01T00:00:00.000Z', title: 'kept' };
    const first = await startDynamoDb({ stack, dataDir, port: 0 });
    await DynamoDBDocumentClient.from(first.client).send(new PutCommand({ TableName: table.name, Item: item }));
    await first.close();

    const second = await startDynamoDb({ stack, dataDir, port: 0 });
    try {
      expect(second.createdTables).toEqual([]);
      const got = await DynamoDBDocumentClient.from(second.client).send(
        new GetCommand({ TableName: table.name, Key: { [table.hashKey]: 'survives-restart' } })
      );
      expect(got.Item).toEqual(item);
    } finally {
      await second.close();
    }
  });

  test('a stored table whose indexes differ from the stack asks for --reset', async () => {
    const dataDir = newDataDir();
    await (await startDynamoDb({ stack, dataDir, port: 0 })).close();
    const changed = { ...stack, tables: [{ ...table, globalSecondaryIndexes: [] }] };
    await expect(startDynamoDb({ stack: changed, dataDir, port: 0 })).rejects.toThrow(/--reset/);
  });

  test('a port in use is a clear error', async () => {
    const db = await startDynamoDb({ stack, port: 0 });
    try {
      const port = Number(new URL(db.endpoint).port);
      await expect(startDynamoDb({ stack, port })).rejects.toThrow(new RegExp(`port 127\\.0\\.0\\.1:${port} is in use`));
    } finally {
      await db.close();
    }
  });
});

// The temporary folders of the stacks and data above (after every server of the file has closed).
afterAll(removeTemporaryDirs);
