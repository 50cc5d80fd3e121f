/**
 * The local mode's DynamoDB data lives in memory and is mirrored to LevelDB on disk
 * (local/dynamodb/disk-mirror.ts): what the store holds when it closes must be what the folder
 * holds, in the store's order, and a folder dynalite wrote itself must open unchanged.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ClassicLevel } from 'classic-level';
import { MemoryLevel } from 'memory-level';
import { startDynalite } from '../local/dynamodb/dynalite-internals';
import { mirrorToDisk } from '../local/dynamodb/disk-mirror';
import { localDynamoClient, startDynamoDb } from '../local/dynamodb';
import { closeServer, listen } from '../local/server-lifecycle';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { articlesTable } from './helpers/dynamodb';

const dirs: string[] = [];
function newDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'disk-mirror-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** Every entry of a LevelDB folder, as text. */
async function folderEntries(dir: string): Promise<[string, string][]> {
  const db = new ClassicLevel<string, string>(dir);
  try {
    return await db.iterator().all();
  } finally {
    await db.close();
  }
}

// Keys are strings here; the mirror loads Buffers (`keyEncoding: 'buffer'` per operation).
const memoryStore = () => new MemoryLevel<string | Buffer, unknown>({ valueEncoding: 'json' });
/** For mirrors that must not fail. */
const failOnCall = (err: Error) => {
  throw new Error(`unexpected mirror failure: ${err.message}`);
};

describe('disk mirror', () => {
  test('what the store holds at close is what the folder holds: puts, overwrites, deletes and batches, in order', async () => {
    const dir = path.join(newDir(), 'db');
    const memory = memoryStore();
    // A slow disk: every batch waits 20 ms, so writes queue up behind the one on its way.
    const mirror = await mirrorToDisk(memory, dir, failOnCall, (folder) => {
      const real = new ClassicLevel<Buffer, Buffer>(folder, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
      const batch = real.batch.bind(real) as (ops: never[]) => Promise<void>;
      return Object.assign(real, {
        batch: (ops: never[]) => new Promise((resolve) => setTimeout(resolve, 20)).then(() => batch(ops)),
      });
    });
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 300; i++) {
      writes.push(memory.put(`k${i % 50}`, { round: i, text: `value ${i} ✓` }));
      if (i % 7 === 0) writes.push(memory.del(`k${(i + 3) % 50}`));
      if (i % 11 === 0) writes.push(memory.batch([{ type: 'put', key: `b${i}`, value: [i] }, { type: 'del', key: `k${(i + 5) % 50}` }]));
    }
    await Promise.all(writes);
    // The store has every write now; the folder does not yet: close() must wait for them.
    await mirror.close();
    const expected = (await memory.iterator().all()).map(([k, v]) => [k, JSON.stringify(v)]);
    await memory.close();
    expect(expected.length).toBeGreaterThan(40);
    expect(await folderEntries(dir)).toEqual(expected);
  });

  test('a folder is loaded into the (empty) store at start, and later writes are added to it', async () => {
    const dir = path.join(newDir(), 'db');
    const first = memoryStore();
    const mirror1 = await mirrorToDisk(first, dir, failOnCall);
    await first.batch([
      { type: 'put', key: 'a', value: { n: 1 } },
      { type: 'put', key: 'b', value: { n: 2 } },
    ]);
    await mirror1.close();

    const second = memoryStore();
    const mirror2 = await mirrorToDisk(second, dir, failOnCall);
    expect(await second.iterator().all()).toEqual([
      ['a', { n: 1 }],
      ['b', { n: 2 }],
    ]);
    await second.del('a');
    await second.put('c', { n: 3 });
    await mirror2.flushed();
    await mirror2.close();
    expect(await folderEntries(dir)).toEqual([
      ['b', '{"n":2}'],
      ['c', '{"n":3}'],
    ]);
  });

  test('a write the folder refuses is reported once, naming the folder, and close() fails with it', async () => {
    const dir = path.join(newDir(), 'db');
    const failures: Error[] = [];
    let batches = 0;
    // The real folder, whose third batch fails as a full disk would.
    const memory = memoryStore();
    const mirror = await mirrorToDisk(memory, dir, (err) => failures.push(err), (folder) => {
      const real = new ClassicLevel<Buffer, Buffer>(folder, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
      const batch = real.batch.bind(real) as (ops: never[]) => Promise<void>;
      return Object.assign(real, {
        batch: (ops: never[]) => (++batches === 3 ? Promise.reject(new Error('IO error: No space left on device')) : batch(ops)),
      });
    });
    for (let i = 0; i < 6; i++) {
      await memory.put(`k${i}`, i);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(failures.map((e) => e.message)).toEqual([`could not save DynamoDB data to ${dir}: IO error: No space left on device`]);
    await expect(mirror.close()).rejects.toThrow(/No space left on device/);
    await memory.close();
  });

  test('a folder that is not readable LevelDB data is refused, naming the folder and --reset', async () => {
    const dir = newDir();
    writeFileSync(path.join(dir, 'CURRENT'), 'not a manifest name\n');
    const memory = memoryStore();
    await expect(mirrorToDisk(memory, dir, failOnCall)).rejects.toThrow(
      new RegExp(`^could not load the DynamoDB data in ${dir}: .*\\(start with --reset to begin empty\\)$`),
    );
    expect(await memory.iterator().all()).toEqual([]);
    await memory.close();
  });

  test('a folder dynalite wrote itself (as earlier versions of the local mode kept it) opens with its tables and items', async () => {
    const dir = path.join(newDir(), 'dynamodb');
    const stack = { region: 'eu-west-1', tables: [articlesTable('content-dev-articles')], source: 'test/local-dynamodb-disk-mirror.test.ts' };
    // dynalite on disk, on its own: its LevelDB format.
    const { server: own } = startDynalite({ path: dir, createTableMs: 0 });
    const port = await listen(own, 0, '127.0.0.1');
    const client = localDynamoClient(`http://127.0.0.1:${port}`, stack.region);
    await startAndStopWith(client, stack);
    client.destroy();
    await closeServer(own);

    const db = await startDynamoDb({ stack, dataDir: dir, port: 0 });
    try {
      expect(db.createdTables).toEqual([]);
      const { Items } = await db.client.send(new ScanCommand({ TableName: 'content-dev-articles' }));
      expect(Items).toEqual([{ id: { S: 'kept' }, status: { S: 'PUBLISHED' }, createdAt: { S: '2026-01-01' } }]);
    } finally {
      await db.close();
    }
  });
});

/** Creates the stack's table through the given client and writes one item. */
async function startAndStopWith(client: ReturnType<typeof localDynamoClient>, stack: Parameters<typeof startDynamoDb>[0]['stack']): Promise<void> {
  const { ensureTables } = await import('../local/dynamodb/tables');
  const { PutItemCommand } = await import('@aws-sdk/client-dynamodb');
  await ensureTables(client, stack.tables, stack.source);
  await client.send(new PutItemCommand({ TableName: 'content-dev-articles', Item: { id: { S: 'kept' }, status: { S: 'PUBLISHED' }, createdAt: { S: '2026-01-01' } } }));
}
