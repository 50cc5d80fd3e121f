import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { repoPath } from '../../config/paths';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../config';
import { startDynamoDb } from '../../local/dynamodb';
import { defaultStackPath, readLocalStack } from '../../local/stack-reader';
import { reportError } from '../../config/errors';

/**
 * What one `articles` query costs in the DynamoDB emulator alone, with no endpoint around it:
 * the local mode's own table (kept on disk, as `npm start` keeps it), 10 published items, the
 * GSI Query the `Query.articles` resolver sends, through the transport the endpoint uses (called
 * in process), 10 at a time like the endpoint bench. Prints µs per query (wall).
 */
const QUERIES = Number(process.env.BENCH_QUERIES ?? 5000);
const CONCURRENCY = 10;

async function main(): Promise<void> {
  const stack = readLocalStack(defaultStackPath(loadConfig().local.environment));
  const table = stack.tables[0];
  const index = table.globalSecondaryIndexes[0];
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-emulator-'));
  const db = await startDynamoDb({ stack, dataDir: path.join(dir, 'dynamodb'), port: 0 });
  try {
    for (let i = 0; i < 10; i++) {
      await db.transport.send('PutItem', {
        TableName: table.name,
        Item: {
          [table.hashKey]: { S: `a${i}` },
          [index.hashKey]: { S: 'PUBLISHED' },
          [index.rangeKey!]: { S: `2026-01-0${i}T00:00:00.000Z` },
          title: { S: 'x'.repeat(60) },
          body: { S: 'y'.repeat(600) },
        },
      });
    }
    const query = () =>
      db.transport.send('Query', {
        TableName: table.name,
        IndexName: index.name,
        KeyConditionExpression: '#k = :v',
        ExpressionAttributeNames: { '#k': index.hashKey },
        ExpressionAttributeValues: { ':v': { S: 'PUBLISHED' } },
        ScanIndexForward: false,
        Limit: 10,
      });
    for (let i = 0; i < 300; i++) await query(); // warm-up
    const started = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = 0; i < QUERIES / CONCURRENCY; i++) await query();
      }),
    );
    const micros = Number(process.hrtime.bigint() - started) / 1000 / QUERIES;
    console.log(`  emulator alone: GSI Query of 10 items ${micros.toFixed(0)} µs each (${QUERIES} queries, ${CONCURRENCY} at a time)`);
    console.log(`  -> ${Math.floor(1e6 / micros)} queries/s through the emulator's transport, before any endpoint work`);
    mkdirSync(repoPath('.tmp'), { recursive: true });
    writeFileSync(repoPath('.tmp/bench-emulator.json'), `${JSON.stringify({ queries: QUERIES, concurrency: CONCURRENCY, microsPerQuery: Math.round(micros), queriesPerSecond: Math.floor(1e6 / micros) }, null, 2)}\n`);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  reportError(e, 'bench failed: ');
  process.exit(1);
});
