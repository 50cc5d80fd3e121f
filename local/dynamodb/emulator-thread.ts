/**
 * The DynamoDB emulator's own thread: dynalite (HTTP server and store) runs here, and the
 * resolvers' DynamoDB calls reach its store as messages from `emulator-thread-client.ts`.
 *
 * Why a thread: a DynamoDB-backed request spends about as much CPU inside the emulator as in
 * the GraphQL endpoint. On one thread the two add up; here the emulator uses the machine's
 * second core while the endpoint's thread goes on with other requests.
 *
 * Messages (see thread-protocol.ts): `call` → `reply` (answer or error), `close` → `closed`.
 * The thread starts with EmulatorThreadOptions as its workerData and posts `ready` (or
 * `failed`) once its server listens.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { DynamoDbServiceError } from '../appsync-js/data-sources/dynamodb-transport';
import { guardRequests, LoopbackGuard, sendForbidden } from '../loopback-guard';
import { closeServer, listen } from '../server-lifecycle';
import { type DiskMirror, mirrorToDisk } from './disk-mirror';
import { dynaliteWithTransport } from './in-process-transport';
import type { EmulatorThreadOptions, FromEmulatorThread, ThreadError, ToEmulatorThread } from './thread-protocol';
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
  port.on('message', (message: ToEmulatorThread) => {
    if (message.type === 'call') {
      const { id, operation, input } = message;
      transport.send(operation, input).then(
        (answer) => post({ type: 'reply', id, answerJson: JSON.stringify(answer) }),
        (err: unknown) => post({ type: 'reply', id, error: toThreadError(err) }),
      );
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
