/**
 * The local mode's fast path into dynalite: the resolvers' DynamoDB calls run dynalite's own
 * validation and action code against the very store its HTTP server serves (so the aws CLI,
 * tests and the seeding see the same data), without the AWS SDK and HTTP in between.
 *
 * dynalite exports only its HTTP server; its store is captured while `dynalite()` creates it,
 * and each call runs what dynalite's HTTP handler runs once a request has passed auth
 * (node_modules/dynalite/index.js): checkTypes, checkValidations, then the action.
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { LRUCache } from 'lru-cache';
import {
  DYNAMODB_OPERATIONS,
  type DynamoDbOperation,
  type DynamoDbTransport,
  type WireRequest,
  type WireResponse,
  errorFromWireBody,
  withoutUndefined,
} from '../appsync-js/data-sources/dynamodb-transport';
import { dynaliteOperation, startDynalite, type DynaliteError, type DynaliteOperation, type DynaliteOptions, type DynaliteStore } from './dynalite-internals';
import { closeIteratorsOnReturn } from './iterator-cleanup';
import { useStreamFreeQueries } from './stream-free-query';
import { cacheTableDescriptions } from './table-description-cache';

/** Each operation's action and validation. */
const OPERATIONS = Object.fromEntries(DYNAMODB_OPERATIONS.map((operation) => [operation, dynaliteOperation(operation)])) as Record<
  DynamoDbOperation,
  DynaliteOperation
>;

/** `dynalite(options)`, plus the store that server serves and a transport into it. */
export function dynaliteWithTransport(options: DynaliteOptions): { server: Server; store: DynaliteStore; transport: InProcessTransport } {
  const { server, store } = startDynalite(options);
  // The store serves HTTP too: these help every client, not only this transport.
  closeIteratorsOnReturn(store.db);
  cacheTableDescriptions(store);
  useStreamFreeQueries();
  return { server, store, transport: inProcessTransport(store) };
}

/**
 * Reads whose validated form is kept: dynalite's validation of a request (types, then its
 * expressions parsed into the form the action reads) depends on the request alone, and the
 * actions of these operations only read it. A page of `articles` asks the same Query again and
 * again; validating it once saves ~30 µs a call. Writes are validated every time.
 */
const VALIDATION_KEPT: ReadonlySet<DynamoDbOperation> = new Set(['GetItem', 'Query', 'Scan']);
const VALIDATIONS_KEPT = 500;

/** The transport into the store, and what closing the emulator needs of it. */
export interface InProcessTransport extends DynamoDbTransport {
  /** Every call from now on fails with `reason` (the emulator stopped on its own). */
  fail(reason: Error): void;
  /** Refuses new calls and resolves when the calls already made have settled. */
  drain(): Promise<void>;
}

/**
 * Calls run on the caller's thread, one after the other as their store reads complete. An input
 * crosses as JSON, as it would to DynamoDB: it is serialized when the call is made (one that is
 * not JSON, a BigInt or a cycle, fails that call alone, with its operation named), and dynalite
 * validates a parsed copy, so nothing it keeps (the validated reads above, stored items) is an
 * object the caller still holds. Answers are read-only: a Query or Scan page's items are the
 * store's decoded items, shared with every other read and deep-frozen (decoded-items.ts); other
 * answers are decoded for the call.
 */
function inProcessTransport(store: DynaliteStore): InProcessTransport {
  const validated = new LRUCache<string, Record<string, unknown>>({ max: VALIDATIONS_KEPT });
  const validate = (operation: DynamoDbOperation, inputJson: string): Record<string, unknown> => {
    const key = VALIDATION_KEPT.has(operation) ? `${operation} ${inputJson}` : undefined;
    const kept = key === undefined ? undefined : validated.get(key);
    if (kept) return kept;
    const data = OPERATIONS[operation].validate(store, JSON.parse(inputJson) as WireRequest);
    if (key !== undefined) validated.set(key, Object.freeze(data));
    return data;
  };
  let stopped: Error | undefined;
  let closing = false;
  let running = 0;
  let drained: (() => void) | undefined;
  const settled = () => {
    if (--running === 0) drained?.();
  };
  return {
    send(operation: DynamoDbOperation, input: WireRequest): Promise<WireResponse> {
      if (stopped) return Promise.reject(stopped);
      if (closing) return Promise.reject(new Error('the DynamoDB emulator is closing'));
      let inputJson: string;
      try {
        inputJson = inputAsJson(operation, input);
      } catch (err) {
        return Promise.reject(err);
      }
      const { run } = OPERATIONS[operation];
      running += 1;
      const answer = new Promise<WireResponse>((resolve, reject) => {
        const fail = (err: DynaliteError) => reject(err.statusCode ? errorFromWireBody(err.body, err.statusCode, requestId()) : err);
        let data: Record<string, unknown>;
        try {
          data = validate(operation, inputJson);
        } catch (err) {
          return fail(err as DynaliteError);
        }
        run(store, data, (err, out) => (err ? fail(err) : resolve(withoutUndefined(out ?? {}))));
      });
      answer.then(settled, settled);
      return answer;
    },
    fail(reason) {
      stopped ??= reason;
    },
    drain() {
      closing = true;
      return running === 0 ? Promise.resolve() : new Promise<void>((resolve) => (drained = resolve));
    },
  };
}

/** A call's input as JSON text, or an error that names the operation and why it cannot be sent. */
function inputAsJson(operation: DynamoDbOperation, input: WireRequest): string {
  try {
    return JSON.stringify(input);
  } catch (err) {
    throw new Error(`a DynamoDB ${operation} request could not be sent to the emulator: its input is not JSON (${(err as Error).message})`);
  }
}

/** A request id like the one dynalite's HTTP answers carry (52 characters), for error messages. */
function requestId(): string {
  return randomBytes(39).toString('base64').toUpperCase().replace(/[+/]/g, '0');
}
