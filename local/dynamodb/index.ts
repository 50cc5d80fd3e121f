import { mkdirSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDbTransport } from '../appsync-js/data-sources/dynamodb-transport';
import type { LocalStack } from '../stack-reader';
import { startEmulatorThread } from './emulator-thread-client';
import { ensureTables } from './tables';
import { LOCAL_AWS_CREDENTIALS } from '../aws-credentials';

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
   * The same store without HTTP: dynalite's validation and actions, run on the emulator's thread
   * and reached by messages, for the APPSYNC_JS runtime
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
 * Starts dynalite on its own thread of this process (emulator-thread.ts says why) and creates
 * the stack's tables with their indexes when missing.
 * A table that exists with other keys or indexes than the stack's is an error that says to
 * start with `--reset`, rather than resolvers failing later on a missing index.
 */
export async function startDynamoDb(options: DynamoDbOptions): Promise<DynamoDbEmulator> {
  const host = options.host ?? '127.0.0.1';
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const thread = await startEmulatorThread({ dataDir: options.dataDir, port: options.port, host }, options.onFailure);
  const { transport } = thread;
  const endpoint = `http://${host}:${thread.port}`;
  const client = localDynamoClient(endpoint, options.stack.region);
  const close = async () => {
    client.destroy();
    await thread.close();
  };
  try {
    const createdTables = await ensureTables(client, options.stack.tables, options.stack.source);
    return { endpoint, region: options.stack.region, createdTables, client, transport, close };
  } catch (e) {
    await close();
    throw e;
  }
}
