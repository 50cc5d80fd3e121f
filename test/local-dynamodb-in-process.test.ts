/**
 * The emulator's transport (local/dynamodb/in-process-transport.ts, started by startDynamoDb):
 * calls made together each get their own answer or error; an input that is not JSON fails alone;
 * nothing the caller holds is shared with the store (inputs cross as JSON, answers are fresh);
 * close() waits for the calls already made; a write the folder refuses fails every later call and
 * is reported once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DynamoDbServiceError, type WireRequest, type WireResponse } from '../local/appsync-js/data-sources/dynamodb-transport';
import { type DynamoDbEmulator, startDynamoDb } from '../local/dynamodb';
import { articlesTable } from './helpers/dynamodb';

const TABLE = 'in-process-test';
const stack = { region: 'eu-west-1', tables: [articlesTable(TABLE)], source: 'test/local-dynamodb-in-process.test.ts' };

/** An emulator in memory with the articles table `TABLE`. */
const startEmulator = (): Promise<DynamoDbEmulator> => startDynamoDb({ stack, port: 0 });

const item = (id: string) => ({ id: { S: id }, status: { S: 'PUBLISHED' }, createdAt: { S: `2026-01-01T00:00:${id.padStart(2, '0')}Z` }, title: { S: `Title ${id}` } });

/** What a call gave: its answer or its error's name and message. */
const settle = (p: Promise<WireResponse>) =>
  p.then(
    (ok) => ({ ok }),
    (err: Error) => ({ error: { name: err.name, message: err.message, isServiceError: err instanceof DynamoDbServiceError } }),
  );

describe('the DynamoDB emulator, called in process', () => {
  let emulator: DynamoDbEmulator | undefined;

  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
  });

  test('calls made together each get their own answer or error', async () => {
    emulator = await startEmulator();
    const { transport } = emulator;
    const ids = Array.from({ length: 12 }, (_, i) => String(i));
    await Promise.all(ids.map((id) => transport.send('PutItem', { TableName: TABLE, Item: item(id) })));

    // Reads of different items, with calls that fail in between (unknown table, a validation error).
    const calls = ids.flatMap((id) => {
      const read = settle(transport.send('GetItem', { TableName: TABLE, Key: { id: { S: id } } }));
      if (id === '3') return [read, settle(transport.send('GetItem', { TableName: 'no-such-table', Key: { id: { S: id } } }))];
      if (id === '7') return [read, settle(transport.send('Query', { TableName: TABLE, KeyConditionExpression: 'id = :i', Limit: 0 }))];
      return [read];
    });
    const outcomes = await Promise.all(calls);

    const expected = ids.flatMap((id) => {
      const read = { ok: { Item: item(id) } };
      if (id === '3') return [read, { error: expect.objectContaining({ name: 'ResourceNotFoundException', isServiceError: true }) }];
      if (id === '7') return [read, { error: expect.objectContaining({ name: 'ValidationException', isServiceError: true }) }];
      return [read];
    });
    expect(outcomes).toEqual(expected);
  });

  test.each([
    ['a BigInt', () => ({ TableName: TABLE, Key: { id: { S: 'x' } }, Limit: 10n }) as unknown as WireRequest, /BigInt/],
    [
      'a cycle',
      () => {
        const input: Record<string, unknown> = { TableName: TABLE, Key: { id: { S: 'x' } } };
        input.self = input;
        return input as unknown as WireRequest;
      },
      /circular/i,
    ],
  ])('an input with %s fails alone with a clear error, and close() still resolves', async (_name, input, why) => {
    emulator = await startEmulator();
    const { transport } = emulator;
    await transport.send('PutItem', { TableName: TABLE, Item: item('1') });
    const good = transport.send('GetItem', { TableName: TABLE, Key: { id: { S: '1' } } });
    const bad = transport.send('GetItem', input());
    await expect(bad).rejects.toThrow(/a DynamoDB GetItem request could not be sent to the emulator: its input is not JSON/);
    await expect(bad).rejects.toThrow(why);
    expect(await good).toEqual({ Item: item('1') });
    // Nothing is left waiting for an answer that never comes: close() returns.
    const closing = emulator.close();
    emulator = undefined;
    await expect(closing).resolves.toBeUndefined();
  });

  test('close() waits for the calls already made: they are answered, later calls fail', async () => {
    emulator = await startEmulator();
    const { transport } = emulator;
    const settled: string[] = [];
    const puts = ['a', 'b', 'c'].map((id) =>
      transport.send('PutItem', { TableName: TABLE, Item: item(id) }).then(
        () => settled.push(`put ${id}`),
        (err: Error) => settled.push(`put ${id} failed: ${err.message}`),
      ),
    );
    // In the same turn as the calls: none has been answered yet.
    const closing = emulator.close().then(() => settled.push('closed'));
    await expect(transport.send('GetItem', { TableName: TABLE, Key: { id: { S: 'a' } } })).rejects.toThrow(/the DynamoDB emulator is closing/);
    emulator = undefined;
    await Promise.all([...puts, closing]);
    // Each put answered (in whatever order the store finished them), then the close.
    expect(settled.slice(0, 3).sort()).toEqual(['put a', 'put b', 'put c']);
    expect(settled[3]).toBe('closed');
  });

  test('nothing the caller holds is shared with the store: inputs cross as JSON, answers cannot be changed', async () => {
    emulator = await startEmulator();
    const { transport } = emulator;
    await transport.send('PutItem', { TableName: TABLE, Item: item('1') });
    await transport.send('PutItem', { TableName: TABLE, Item: item('2') });
    // A read whose validated form the transport keeps: changing the caller's input object after
    // the call must not change what the same request text reads next time.
    const query: WireRequest = { TableName: TABLE, KeyConditionExpression: 'id = :id', ExpressionAttributeValues: { ':id': { S: '1' } } };
    const first = await transport.send('Query', query);
    query.ExpressionAttributeValues![':id'] = { S: '2' };
    const again = await transport.send('Query', { TableName: TABLE, KeyConditionExpression: 'id = :id', ExpressionAttributeValues: { ':id': { S: '1' } } });
    expect(again.Items).toEqual([item('1')]);
    // A page's items are shared between reads, so frozen: the caller cannot change what the next call gets.
    expect(() => {
      (first.Items![0].title as { S: string }).S = 'changed by the caller';
    }).toThrow(TypeError);
    first.Items!.push(item('9'));
    expect(again).toEqual({ Items: [item('1')], Count: 1, ScannedCount: 1 });
    expect(await transport.send('GetItem', { TableName: TABLE, Key: { id: { S: '1' } } })).toEqual({ Item: item('1') });
    // A stored item is not the caller's object either.
    const written = item('3');
    await transport.send('PutItem', { TableName: TABLE, Item: written });
    written.title.S = 'changed after the put';
    expect(await transport.send('GetItem', { TableName: TABLE, Key: { id: { S: '3' } } })).toEqual({ Item: item('3') });
  });

  test('a write the data folder refuses fails every later call with the reason, reported once to onFailure', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dynamodb-in-process-'));
    const failures: Error[] = [];
    try {
      emulator = await startDynamoDb({ stack, port: 0, dataDir: path.join(dir, 'db'), onFailure: (err) => failures.push(err) });
      const { transport } = emulator;
      await transport.send('PutItem', { TableName: TABLE, Item: item('1') });
      // The folder goes away under the running emulator, as a removed disk would. LevelDB keeps
      // writing its open log file, but once its memory table is full (4 MB) it must create a new
      // table file there, and that fails.
      rmSync(dir, { recursive: true, force: true });
      const big = 'x'.repeat(350_000);
      for (let i = 0; i < 40 && failures.length === 0; i++) {
        await settle(transport.send('PutItem', { TableName: TABLE, Item: { ...item(String(i + 2)), body: { S: big } } }));
      }
      // The mirror saves in the background: wait for it to give up.
      for (let i = 0; i < 100 && failures.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(failures).toHaveLength(1);
      expect(failures[0].message).toMatch(new RegExp(`could not save DynamoDB data to ${path.join(dir, 'db')}`));
      await expect(transport.send('GetItem', { TableName: TABLE, Key: { id: { S: '1' } } })).rejects.toBe(failures[0]);
      const closing = emulator.close();
      emulator = undefined;
      await expect(closing).rejects.toThrow(/could not save DynamoDB data/);
      expect(failures).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
