/**
 * The DynamoDB emulator's own thread: dynalite (HTTP server and store) runs here, and the
 * resolvers' DynamoDB calls reach its store as messages from `emulator-thread-client.ts`.
 *
 * Why a thread: a DynamoDB-backed request spends about as much CPU inside the emulator as in
 * the GraphQL endpoint. On one thread the two add up; here the emulator uses the machine's
 * second core while the endpoint's thread goes on with other requests.
 *
 * Messages (see thread-protocol.ts): `calls` → `replies` (each call's answer or error, batched),
 * `close` → `closed`.
 * The thread starts with EmulatorThreadOptions as its workerData and posts `ready` (or
 * `failed`) once its server listens.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { DynamoDbServiceError, type DynamoDbTransport, type WireRequest } from '../appsync-js/data-sources/dynamodb-transport';
import { guardRequests, LoopbackGuard, sendForbidden } from '../loopback-guard';
import { closeServer, listen } from '../server-lifecycle';
import { type DiskMirror, mirrorToDisk } from './disk-mirror';
import { dynaliteWithTransport } from './in-process-transport';
import type { EmulatorThreadOptions, FromEmulatorThread, ThreadCall, ThreadError, ThreadReply, ToEmulatorThread } from './thread-protocol';
import { UserFacingError } from '../../config/errors';

function toThreadError(err: unknown): ThreadError {
  if (err instanceof DynamoDbServiceError) {
    return { service: true, name: err.name, message: err.message, httpStatusCode: err.httpStatusCode, requestId: err.requestId };
  }
  if (err instanceof UserFacingError) {
    return { service: false, name: err.name, message: err.message, userFacing: { location: err.location, problem: err.problem, fix: err.fix } };
  }
  const e = err as { name?: unknown; message?: unknown; stack?: unknown };
  return { service: false, name: String(e?.name ?? 'Error'), message: String(e?.message ?? err), stack: typeof e?.stack === 'string' ? e.stack : undefined };
}

/** One call run against the store: its answer as JSON text; any failure rejects (for its reply alone). */
async function answer(transport: DynamoDbTransport, call: ThreadCall): Promise<ThreadReply> {
  const input = JSON.parse(call.inputJson) as WireRequest;
  return { id: call.id, answerJson: JSON.stringify(await transport.send(call.operation, input)) };
}

/**
 * Replies wait to be posted until the end of this turn of the thread's event loop
 * (`setImmediate`): the calls of one message run side by side and finish in the same turn, so
 * their replies leave in one message instead of one each.
 */
function replyBatcher(post: (message: FromEmulatorThread) => void): { add(reply: ThreadReply): void } {
  let ready: ThreadReply[] = [];
  const flush = () => {
    const replies = ready;
    ready = [];
    post({ type: 'replies', replies });
  };
  return {
    add(reply) {
      if (ready.push(reply) === 1) setImmediate(flush);
    },
  };
}

async function main(port: NonNullable<typeof parentPort>, options: EmulatorThreadOptions): Promise<void> {
  const post = (message: FromEmulatorThread) => port.postMessage(message);
  // In memory, kept on disk by the mirror (disk-mirror.ts says why). Tables turn ACTIVE on the
  // next timer tick instead of after 500 ms (ensureTables waits for it).
  const { server, store, transport } = dynaliteWithTransport({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  // No web page may call DynamoDB: every Origin is refused, and dynalite's own CORS (`*`) is
  // never reached for one. SDKs, the aws CLI and the resolvers (by messages) send none.
  const guard = new LoopbackGuard('DynamoDB emulator', [], 'No web page may call the DynamoDB emulator; pages read data through the GraphQL endpoint.');
  guardRequests(server, guard, (res, message) =>
    sendForbidden(res, { __type: 'com.amazon.coral.service#AccessDeniedException', message }, 'application/x-amz-json-1.0'),
  );
  let bound: number;
  let mirror: DiskMirror | undefined;
  try {
    // A write that cannot be saved ends the thread: the local mode stops and says why.
    const fail = (err: Error) =>
      setImmediate(() => {
        throw err;
      });
    if (options.dataDir) mirror = await mirrorToDisk(store.db, options.dataDir, fail);
    bound = await listen(server, options.port, options.host);
    guard.listeningOn(bound);
  } catch (err) {
    await new Promise((resolve) => server.close(resolve));
    await mirror?.close();
    post({ type: 'failed', error: toThreadError(err) });
    return;
  }
  const replies = replyBatcher(post);
  port.on('message', (message: ToEmulatorThread) => {
    if (message.type === 'calls') {
      for (const call of message.calls) answer(transport, call).then(replies.add, (err: unknown) => replies.add({ id: call.id, error: toThreadError(err) }));
    } else {
      // The server closes the store once its pending operations end; then the last writes reach the disk.
      closeServer(server)
        .then(() => mirror?.close())
        .then(
          () => post({ type: 'closed' }),
          (err: unknown) => post({ type: 'closed', error: toThreadError(err) }),
        );
    }
  });
  post({ type: 'ready', port: bound });
}

if (!parentPort) throw new Error('local/dynamodb/emulator-thread runs as a worker thread (started by startDynamoDb)');
void main(parentPort, workerData as EmulatorThreadOptions);
