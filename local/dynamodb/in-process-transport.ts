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

/** `dynalite(options)`, plus a transport into the store that server serves. */
export function dynaliteWithTransport(options: DynaliteOptions): { server: Server; transport: DynamoDbTransport } {
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
  // The store serves HTTP too: the fix helps every client, not only this transport.
  closeIteratorsOnReturn(store.db);
  return { server, transport: inProcessTransport(store) };
}

function inProcessTransport(store: DynaliteStore): DynamoDbTransport {
  return {
    send(operation: DynamoDbOperation, input: WireRequest): Promise<WireResponse> {
      const { action, validation } = OPERATIONS[operation];
      return new Promise((resolve, reject) => {
        const fail = (err: DynaliteError) => reject(err.statusCode ? errorFromWireBody(err.body, err.statusCode, requestId()) : err);
        let data: Record<string, unknown>;
        try {
          // A copy: checkTypes deletes the fields it does not know from its argument.
          data = checkTypes({ ...input }, validation.types);
          checkValidations(data, validation.types, validation.custom, store);
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
