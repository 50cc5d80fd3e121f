/**
 * The emulator thread's messages (local/dynamodb/emulator-thread-client.ts): calls sent in one
 * turn of the event loop travel together and their replies come back together, yet every call
 * gets its own answer or its own error; an input that cannot be sent fails alone; close() waits
 * for the calls already sent.
 */
import { DynamoDbServiceError, type WireRequest, type WireResponse } from '../local/appsync-js/data-sources/dynamodb-transport';
import { localDynamoClient } from '../local/dynamodb';
import { type EmulatorThread, startEmulatorThread } from '../local/dynamodb/emulator-thread-client';
import { ensureTables } from '../local/dynamodb/tables';
import { articlesTable } from './helpers/dynamodb';

const TABLE = 'thread-test';

/** A thread in memory with the articles table `TABLE` (created over its HTTP API). */
async function startThread(): Promise<EmulatorThread> {
  const thread = await startEmulatorThread({ port: 0, host: '127.0.0.1' });
  const client = localDynamoClient(`http://127.0.0.1:${thread.port}`, 'eu-west-1');
  try {
    await ensureTables(client, [articlesTable(TABLE)], 'test/local-dynamodb-emulator-thread.test.ts');
  } finally {
    client.destroy();
  }
  return thread;
}

const item = (id: string) => ({ id: { S: id }, status: { S: 'PUBLISHED' }, createdAt: { S: `2026-01-01T00:00:${id.padStart(2, '0')}Z` }, title: { S: `Title ${id}` } });

/** What a call gave: its answer or its error's name and message. */
const settle = (p: Promise<WireResponse>) =>
  p.then(
    (ok) => ({ ok }),
    (err: Error) => ({ error: { name: err.name, message: err.message, isServiceError: err instanceof DynamoDbServiceError } }),
  );

describe('the DynamoDB emulator thread', () => {
  let thread: EmulatorThread | undefined;

  afterEach(async () => {
    await thread?.close();
    thread = undefined;
  });

  test('calls sent in one turn go in one message, their replies in fewer than one each, and each call gets its own answer or error', async () => {
    thread = await startThread();
    const { transport, messages } = thread;
    const ids = Array.from({ length: 12 }, (_, i) => String(i));
    await Promise.all(ids.map((id) => transport.send('PutItem', { TableName: TABLE, Item: item(id) })));

    const before = { ...messages };
    // Reads of different items, with calls that fail in between (unknown table, a validation error).
    const calls = ids.flatMap((id) => {
      const read = settle(transport.send('GetItem', { TableName: TABLE, Key: { id: { S: id } } }));
      if (id === '3') return [read, settle(transport.send('GetItem', { TableName: 'no-such-table', Key: { id: { S: id } } }))];
      if (id === '7') return [read, settle(transport.send('Query', { TableName: TABLE, KeyConditionExpression: 'id = :i', Limit: 0 }))];
      return [read];
    });
    const outcomes = await Promise.all(calls);

    expect(messages.calls - before.calls).toBe(1);
    expect(messages.replies - before.replies).toBeLessThan(calls.length);
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
    thread = await startThread();
    const { transport } = thread;
    await transport.send('PutItem', { TableName: TABLE, Item: item('1') });
    const good = transport.send('GetItem', { TableName: TABLE, Key: { id: { S: '1' } } });
    const bad = transport.send('GetItem', input());
    await expect(bad).rejects.toThrow(/a DynamoDB GetItem request could not be sent to the emulator: its input is not JSON/);
    await expect(bad).rejects.toThrow(why);
    expect(await good).toEqual({ Item: item('1') });
    // Nothing is left waiting for an answer that never comes: close() returns.
    const closing = thread.close();
    thread = undefined;
    await expect(closing).resolves.toBeUndefined();
  });

  test('close() waits for the calls already sent: they are answered, later calls fail', async () => {
    thread = await startThread();
    const { transport } = thread;
    const settled: string[] = [];
    const puts = ['a', 'b', 'c'].map((id) =>
      transport.send('PutItem', { TableName: TABLE, Item: item(id) }).then(
        () => settled.push(`put ${id}`),
        (err: Error) => settled.push(`put ${id} failed: ${err.message}`),
      ),
    );
    // In the same turn as the calls: they have not left yet.
    const closing = thread.close().then(() => settled.push('closed'));
    await expect(transport.send('GetItem', { TableName: TABLE, Key: { id: { S: 'a' } } })).rejects.toThrow(/the DynamoDB emulator is closing/);
    thread = undefined;
    await Promise.all([...puts, closing]);
    // Each put answered (in whatever order the thread finished them), then the close.
    expect(settled.slice(0, 3).sort()).toEqual(['put a', 'put b', 'put c']);
    expect(settled[3]).toBe('closed');
  });
});
