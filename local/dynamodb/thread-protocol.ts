/** The messages between the local mode and its DynamoDB emulator thread (emulator-thread.ts). */
import type { ErrorParts } from '../../config/errors';
import type { DynamoDbOperation, WireRequest } from '../appsync-js/data-sources/dynamodb-transport';

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

export interface ThreadCall {
  id: number;
  operation: DynamoDbOperation;
  input: WireRequest;
}
/**
 * An answer travels as JSON text: the emulator's thread, which has time to spare, serializes it,
 * and the endpoint's thread, the busier one, parses one string instead of deserializing a
 * structured clone of many small objects (~18 µs instead of ~35 µs for a page of 10 articles).
 */
export type ThreadReply = { id: number; answerJson: string } | { id: number; error: ThreadError };

/**
 * One message per call and per reply, sent at once. (Batching them per event-loop turn saved
 * wake-ups but held the first answers of a batch until the last was done: ~30% fewer
 * requests/s at 10 connections.)
 */
export type ToEmulatorThread = ({ type: 'call' } & ThreadCall) | { type: 'close' };

export type FromEmulatorThread =
  | { type: 'ready'; port: number }
  | { type: 'failed'; error: ThreadError }
  | ({ type: 'reply' } & ThreadReply)
  | { type: 'closed'; error?: ThreadError };
