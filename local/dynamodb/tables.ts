import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ListTablesCommand,
  type ScalarAttributeType,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import type { LocalTable } from '../stack-reader';

function keySchema(hashKey: string, rangeKey?: string) {
  return [
    { AttributeName: hashKey, KeyType: 'HASH' as const },
    ...(rangeKey ? [{ AttributeName: rangeKey, KeyType: 'RANGE' as const }] : []),
  ];
}

/** The table's keys and indexes as one comparable string. */
function shapeOfStack(t: LocalTable): string {
  const indexes = t.globalSecondaryIndexes.map((g) => `${g.name}(${g.hashKey},${g.rangeKey ?? ''})`).sort();
  return `(${t.hashKey},${t.rangeKey ?? ''}) ${indexes.join(' ')}`;
}

function shapeOfTable(d: TableDescription): string {
  const keys = (schema: TableDescription['KeySchema']) => {
    const hash = schema?.find((k) => k.KeyType === 'HASH')?.AttributeName ?? '';
    const range = schema?.find((k) => k.KeyType === 'RANGE')?.AttributeName ?? '';
    return `${hash},${range}`;
  };
  const indexes = (d.GlobalSecondaryIndexes ?? []).map((g) => `${g.IndexName}(${keys(g.KeySchema)})`).sort();
  return `(${keys(d.KeySchema)}) ${indexes.join(' ')}`;
}

/**
 * Waits until a table is ACTIVE. dynalite marks a new table ACTIVE on a timer after
 * CreateTable returns (even with createTableMs 0), and answers ResourceNotFoundException for
 * items of a table that is still CREATING — as DynamoDB does — so callers must not write first.
 */
async function waitUntilActive(client: DynamoDBClient, tableName: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    if (Date.now() > deadline) {
      throw new Error(`local DynamoDB table ${tableName} is still ${Table?.TableStatus ?? 'missing'} after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Creates the tables that do not exist, with the stack's keys, attributes and GSIs; checks the
 * ones that do. Returns (once they are ACTIVE) the names of the tables it created.
 */
export async function ensureTables(client: DynamoDBClient, tables: readonly LocalTable[], source: string): Promise<string[]> {
  const { TableNames: existing = [] } = await client.send(new ListTablesCommand({}));
  const created: string[] = [];
  for (const t of tables) {
    if (existing.includes(t.name)) {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: t.name }));
      const have = shapeOfTable(Table ?? {});
      const want = shapeOfStack(t);
      if (have !== want) {
        throw new Error(
          `local DynamoDB table ${t.name} has keys/indexes ${have} but ${source} defines ${want}: start with --reset to recreate the local data`
        );
      }
      continue;
    }
    await client.send(
      new CreateTableCommand({
        TableName: t.name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: t.attributes.map((a) => ({ AttributeName: a.name, AttributeType: a.type as ScalarAttributeType })),
        KeySchema: keySchema(t.hashKey, t.rangeKey),
        GlobalSecondaryIndexes:
          t.globalSecondaryIndexes.length === 0
            ? undefined
            : t.globalSecondaryIndexes.map((g) => ({
                IndexName: g.name,
                KeySchema: keySchema(g.hashKey, g.rangeKey),
                Projection: {
                  ProjectionType: g.projectionType as 'ALL' | 'KEYS_ONLY' | 'INCLUDE',
                  NonKeyAttributes: g.nonKeyAttributes ? [...g.nonKeyAttributes] : undefined,
                },
              })),
      })
    );
    created.push(t.name);
  }
  for (const name of created) await waitUntilActive(client, name);
  return created;
}
