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
import { LRUCache } from 'lru-cache';
import dynalite from 'dynalite';
import type { Server } from 'node:http';
import type { DynaliteStore } from 'dynalite/db';
import { checkTypes, checkValidations } from 'dynalite/validations';
import {
  DYNAMODB_OPERATIONS,
  type DynamoDbOperation,
  type DynamoDbTransport,
  type WireRequest,
  type WireResponse,
  errorFromWireBody,
  withoutUndefined,
} from '../appsync-js/data-sources/dynamodb-transport';
import { closeIteratorsOnReturn } from './iterator-cleanup';
import { useStreamFreeQueries } from './stream-free-query';
import { cacheTableDescriptions } from './table-description-cache';
// The module object index.js calls `db.create(options)` on: `import =` keeps it (not a copy) so
// wrapping `create` is seen by dynalite.
import dynaliteDb = require('dynalite/db');

type DynaliteCallback = (err: DynaliteError | null, data?: Record<string, unknown>) => void;
type DynaliteAction = (store: DynaliteStore, data: Record<string, unknown>, cb: DynaliteCallback) => void;
interface OperationValidation {
  types: object;
  custom?: unknown;
}
/** How dynalite refuses a request: the HTTP status and the JSON error body it would send. */
interface DynaliteError extends Error {
  statusCode?: number;
  body?: unknown;
}

/** Each operation's action and validation module, loaded the way dynalite's index.js loads them. */
const OPERATIONS = Object.fromEntries(
  DYNAMODB_OPERATIONS.map((operation) => {
    const file = operation[0].toLowerCase() + operation.slice(1);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const action = require(`dynalite/actions/${file}`) as DynaliteAction;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const validation = require(`dynalite/validations/${file}`) as OperationValidation;
    return [operation, { action, validation }];
  }),
) as Record<DynamoDbOperation, { action: DynaliteAction; validation: OperationValidation }>;

type DynaliteOptions = Parameters<typeof dynalite>[0];

/** `dynalite(options)`, plus the store that server serves and a transport into it. */
export function dynaliteWithTransport(options: DynaliteOptions): { server: Server; store: DynaliteStore; transport: DynamoDbTransport } {
  const create = dynaliteDb.create;
  let store: DynaliteStore | undefined;
  dynaliteDb.create = (opts) => (store = create(opts));
  let server: Server;
  try {
    server = dynalite(options);
  } finally {
    dynaliteDb.create = create;
  }
  if (!store) throw new Error('dynalite did not create its store through dynalite/db create(): its internals changed');
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
    const { validation } = OPERATIONS[operation];
    const key = VALIDATION_KEPT.has(operation) ? `${operation} ${JSON.stringify(input)}` : undefined;
    const kept = key === undefined ? undefined : validated.get(key);
    if (kept) return kept;
    // A copy: checkTypes deletes the fields it does not know from its argument.
    const data = checkTypes({ ...input }, validation.types);
    checkValidations(data, validation.types, validation.custom, store);
    if (key !== undefined) validated.set(key, Object.freeze(data));
    return data;
  };
  return {
    send(operation: DynamoDbOperation, input: WireRequest): Promise<WireResponse> {
      const { action } = OPERATIONS[operation];
      return new Promise((resolve, reject) => {
        const fail = (err: DynaliteError) => reject(err.statusCode ? errorFromWireBody(err.body, err.statusCode, requestId()) : err);
        let data: Record<string, unknown>;
        try {
          data = validate(operation, input);
        } catch (err) {
          return fail(err as DynaliteError);
        }
        action(store, data, (err, out) => (err ? fail(err) : resolve(withoutUndefined(out ?? {}) as WireResponse)));
      });
    },
  };
}

/** A request id like the one dynalite's HTTP answers carry (52 characters), for error messages. */
function requestId(): string {
  return randomBytes(39).toString('base64').toUpperCase().replace(/[+/]/g, '0');
}
