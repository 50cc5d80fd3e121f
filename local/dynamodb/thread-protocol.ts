/** The messages between the local mode and its DynamoDB emulator thread (emulator-thread.ts). */
import type { ErrorParts } from '../../config/errors';
import type { DynamoDbOperation } from '../appsync-js/data-sources/dynamodb-transport';

/** The thread's workerData. */
export interface EmulatorThreadOptions {
  /** LevelDB folder the data is kept in (loaded at start, every write mirrored); in memory only when omitted. */
  readonly dataDir?: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly host: string;
}

/**
 * An error crossing the thread boundary (class instances do not survive structured cloning).
 * `userFacing` carries a UserFacingError's parts, so it arrives as one (printed without a stack).
 */
export type ThreadError =
  | { service: true; name: string; message: string; httpStatusCode: number; requestId?: string }
  | { service: false; name: string; message: string; stack?: string; userFacing?: ErrorParts };

/**
 * A call's input travels as JSON text, made when the call is sent: a request that cannot be
 * serialized fails alone, then and there, instead of failing the whole message it would share
 * (and JSON is what DynamoDB itself receives: what the SDK path sends, this sends).
 */
export interface ThreadCall {
  id: number;
  operation: DynamoDbOperation;
  inputJson: string;
}
/**
 * An answer travels as JSON text: the emulator's thread, which has time to spare, serializes it,
 * and the endpoint's thread, the busier one, parses one string instead of deserializing a
 * structured clone of many small objects (~18 µs instead of ~35 µs for a page of 10 articles).
 */
export type ThreadReply = { id: number; answerJson: string } | { id: number; error: ThreadError };

/**
 * Calls and replies travel in batches: the calls sent in one turn of the endpoint's event loop
 * go in one message, and the thread sends the replies that are ready together. Under load most
 * of a message's cost is per message (posting, waking the other thread, dispatching), not per
 * call; see emulator-thread-client.ts for when each side sends.
 */
export type ToEmulatorThread = { type: 'calls'; calls: ThreadCall[] } | { type: 'close' };

export type FromEmulatorThread =
  | { type: 'ready'; port: number }
  | { type: 'failed'; error: ThreadError }
  | { type: 'replies'; replies: ThreadReply[] }
  | { type: 'closed'; error?: ThreadError };
