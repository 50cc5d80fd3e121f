import { mkdirSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDbTransport } from '../appsync-js/data-sources/dynamodb-transport';
import type { LocalStack } from '../stack-reader';
import { ensureTables } from './tables';
import { LOCAL_AWS_CREDENTIALS } from '../aws-credentials';
import { guardRequests, LoopbackGuard, sendForbidden } from '../loopback-guard';
import { closeServer, listen } from '../server-lifecycle';
import { type DiskMirror, mirrorToDisk } from './disk-mirror';
import { dynaliteWithTransport } from './in-process-transport';

export interface DynamoDbOptions {
  /** What of the stack the emulator needs: its region and tables (`source` names it in errors). */
  readonly stack: Pick<LocalStack, 'region' | 'tables' | 'source'>;
  /**
   * LevelDB folder (e.g. `.local-data/dynamodb`) the data is kept in: read into memory at start,
   * every write saved to it (disk-mirror.ts); data survives restarts. In memory only when omitted.
   */
  readonly dataDir?: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /**
   * Called once if the emulator stops on its own after it started (e.g. its data could not be
   * saved); every DynamoDB call fails from then on. @default nothing is called
   */
  readonly onFailure?: (err: Error) => void;
}

export interface DynamoDbEmulator {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly region: string;
  /** Tables this start created (empty when all existed: not a first start). */
  readonly createdTables: readonly string[];
  /** A client for the emulator (dummy credentials); closed by `close()`. */
  readonly client: DynamoDBClient;
  /**
   * The same store without HTTP: dynalite's validation and actions, called directly, for the
   * APPSYNC_JS runtime
   * (`createAppSyncJsRuntime({ dynamodb: { transport } })`). Fails once closed.
   */
  readonly transport: DynamoDbTransport;
  close(): Promise<void>;
}

/** A DynamoDB client for a local endpoint: the emulator ignores signatures, the SDK needs some credentials. */
export function localDynamoClient(endpoint: string, region: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region, credentials: LOCAL_AWS_CREDENTIALS });
}

/**
 * Starts dynalite in this process (README.md says why not on a thread of its own) and creates
 * the stack's tables with their indexes when missing.
 * A table that exists with other keys or indexes than the stack's is an error that says to
 * start with `--reset`, rather than resolvers failing later on a missing index.
 */
export async function startDynamoDb(options: DynamoDbOptions): Promise<DynamoDbEmulator> {
  const host = options.host ?? '127.0.0.1';
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  // In memory, kept on disk by the mirror (disk-mirror.ts says why). Tables turn ACTIVE on the
  // next timer tick instead of after 500 ms (ensureTables waits for it).
  const { server, store, transport } = dynaliteWithTransport({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  // No web page may call DynamoDB: every Origin is refused, and dynalite's own CORS (`*`) is
  // never reached for one. SDKs, the aws CLI and the resolvers (called directly) send none.
  const guard = new LoopbackGuard('DynamoDB emulator', [], 'No web page may call the DynamoDB emulator; pages read data through the GraphQL endpoint.');
  guardRequests(server, guard, (res, message) =>
    sendForbidden(res, { __type: 'com.amazon.coral.service#AccessDeniedException', message }, 'application/x-amz-json-1.0'),
  );
  let ready = false;
  let closing: Promise<void> | undefined;
  // A write that cannot be saved fails every later resolver call with the reason, and the local
  // mode is told (npm start then stops everything, this HTTP server included, and prints it):
  // data kept only in memory would be lost at the next start.
  const failed = (err: Error) => {
    transport.fail(err);
    if (ready && !closing) options.onFailure?.(err);
  };
  let mirror: DiskMirror | undefined;
  let port: number;
  try {
    if (options.dataDir) mirror = await mirrorToDisk(store.db, options.dataDir, failed);
    port = await listen(server, options.port, host);
    guard.listeningOn(port);
  } catch (err) {
    await new Promise((resolve) => server.close(resolve));
    await mirror?.close().catch(() => undefined);
    throw err;
  }
  const endpoint = `http://${host}:${port}`;
  const client = localDynamoClient(endpoint, options.stack.region);
  const close = () => {
    closing ??= (async () => {
      client.destroy();
      // The calls already made are answered first; then the server closes the store once its
      // pending operations end, and the last writes reach the disk.
      await transport.drain();
      transport.fail(new Error('the DynamoDB emulator is closed'));
      await closeServer(server);
      await mirror?.close();
    })();
    return closing;
  };
  try {
    const createdTables = await ensureTables(client, options.stack.tables, options.stack.source);
    // Creating the tables wrote to the folder: a failure to save them fails the start (flushed()
    // rejects with it), and any later one is reported through onFailure.
    await mirror?.flushed();
    ready = true;
    return { endpoint, region: options.stack.region, createdTables, client, transport, close };
  } catch (e) {
    await close();
    throw e;
  }
}
