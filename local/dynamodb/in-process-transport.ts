/**
 * The local mode's fast path into dynalite: the resolvers' DynamoDB calls run dynalite's own
 * validation and action code against the very store its HTTP server serves (so the aws CLI,
 * tests and the seeding see the same data), without the AWS SDK, HTTP and JSON in between.
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
export function dynaliteWithTransport(options: DynaliteOptions): { server: Server; store: DynaliteStore; transport: DynamoDbTransport } {
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

function inProcessTransport(store: DynaliteStore): DynamoDbTransport {
  const validated = new LRUCache<string, Record<string, unknown>>({ max: VALIDATIONS_KEPT });
  const validate = (operation: DynamoDbOperation, input: WireRequest): Record<string, unknown> => {
    const key = VALIDATION_KEPT.has(operation) ? `${operation} ${JSON.stringify(input)}` : undefined;
    const kept = key === undefined ? undefined : validated.get(key);
    if (kept) return kept;
    const data = OPERATIONS[operation].validate(store, input);
    if (key !== undefined) validated.set(key, Object.freeze(data));
    return data;
  };
  return {
    send(operation: DynamoDbOperation, input: WireRequest): Promise<WireResponse> {
      const { run } = OPERATIONS[operation];
      return new Promise((resolve, reject) => {
        const fail = (err: DynaliteError) => reject(err.statusCode ? errorFromWireBody(err.body, err.statusCode, requestId()) : err);
        let data: Record<string, unknown>;
        try {
          data = validate(operation, input);
        } catch (err) {
          return fail(err as DynaliteError);
        }
        run(store, data, (err, out) => (err ? fail(err) : resolve(withoutUndefined(out ?? {}))));
      });
    },
  };
}

/** A request id like the one dynalite's HTTP answers carry (52 characters), for error messages. */
function requestId(): string {
  return randomBytes(39).toString('base64').toUpperCase().replace(/[+/]/g, '0');
}
