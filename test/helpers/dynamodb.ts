/**
 * A real DynamoDB emulator for tests: dynalite in process, in memory, on an ephemeral
 * 127.0.0.1 port, with the articles table created from the same key/index contract the
 * construct deploys (constructs/article-table.ts). Each call gets its own server; close it
 * in afterAll.
 */
import dynalite from 'dynalite';
import { ARTICLE_TABLE } from '../../constructs/article-table';
import { localDynamoClient } from '../../local/dynamodb';
import { ensureTables } from '../../local/dynamodb/tables';
import { closeServer, listen } from '../../local/server-lifecycle';
import type { LocalTable } from '../../local/stack-reader';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface TestDynamoDb {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  region: string;
  tableName: string;
  /** A client for direct reads/writes in assertions (closed by `close`). */
  client: DynamoDBClient;
  close(): Promise<void>;
}

const REGION = 'eu-west-1';

/** The articles table as the stack defines it: hash `id`; GSI byStatus (status, createdAt), ALL. */
export function articlesTable(name: string): LocalTable {
  const index = ARTICLE_TABLE.statusIndex;
  return {
    name,
    hashKey: ARTICLE_TABLE.hashKey,
    attributes: [
      { name: ARTICLE_TABLE.hashKey, type: 'S' },
      { name: index.hashKey, type: 'S' },
      { name: index.rangeKey, type: 'S' },
    ],
    globalSecondaryIndexes: [{ name: index.name, hashKey: index.hashKey, rangeKey: index.rangeKey, projectionType: 'ALL' }],
  };
}

/** Starts dynalite and creates the articles table `tableName`. Fails clearly when it cannot. */
export async function startTestDynamoDb(tableName = 'articles-test'): Promise<TestDynamoDb> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  let port: number;
  try {
    port = await listen(server, 0, '127.0.0.1');
  } catch (err) {
    throw new Error(`dynalite could not start on 127.0.0.1: ${(err as Error).message}`);
  }
  const endpoint = `http://127.0.0.1:${port}`;
  const client = localDynamoClient(endpoint, REGION);
  const close = async () => {
    client.destroy();
    await closeServer(server);
  };
  try {
    await ensureTables(client, [articlesTable(tableName)], 'test/helpers/dynamodb.ts');
  } catch (err) {
    await close();
    throw err;
  }
  return { endpoint, region: REGION, tableName, client, close };
}
