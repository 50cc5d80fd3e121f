/**
 * A real DynamoDB emulator for tests: the local mode's (local/dynamodb: dynalite in process),
 * in memory, on an ephemeral 127.0.0.1 port, with the articles table created from the same
 * key/index contract the construct deploys (constructs/article-table.ts). Each call gets its
 * own server; close it in afterAll.
 */
import { ARTICLE_TABLE, ARTICLE_TABLE_ATTRIBUTES } from '../../constructs/article-table';
import { startDynamoDb, type DynamoDbEmulator } from '../../local/dynamodb';
import type { LocalTable } from '../../local/stack-reader';

/** The emulator (`client` for direct reads/writes in assertions) and the articles table's name. */
export interface TestDynamoDb extends DynamoDbEmulator {
  readonly tableName: string;
}

const REGION = 'eu-west-1';

/** The articles table as the stack defines it: hash `id`; GSI byStatus (status, createdAt), ALL. */
export function articlesTable(name: string): LocalTable {
  const index = ARTICLE_TABLE.statusIndex;
  return {
    name,
    hashKey: ARTICLE_TABLE.hashKey,
    attributes: ARTICLE_TABLE_ATTRIBUTES,
    globalSecondaryIndexes: [{ name: index.name, hashKey: index.hashKey, rangeKey: index.rangeKey, projectionType: 'ALL' }],
  };
}

/** Starts the local mode's emulator (in memory) with the articles table `tableName`. */
export async function startTestDynamoDb(tableName = 'articles-test'): Promise<TestDynamoDb> {
  const stack = { region: REGION, tables: [articlesTable(tableName)], source: 'test/helpers/dynamodb.ts' };
  return { ...(await startDynamoDb({ stack, port: 0 })), tableName };
}
