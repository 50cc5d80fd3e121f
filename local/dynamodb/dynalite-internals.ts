/**
 * Every reach into dynalite's internals, in one module. dynalite 4.0.0 exports only its HTTP
 * server and ships no types; the local mode's speed-ups use parts of it that are not its API.
 * Nothing else in the repository (but its contract test) requires a `dynalite/...` path or
 * touches a dynalite store's methods: the speed-ups (in-process-transport.ts, stream-free-query.ts,
 * table-description-cache.ts, iterator-cleanup.ts) go through the functions below, and
 * test/local-dynamodb-dynalite-internals.test.ts checks each shape and behaviour relied on here,
 * so an upgrade that changes one fails that test by name instead of slowing or breaking the
 * local mode quietly. dynalite is pinned exactly (package.json) for the same reason.
 *
 * Each reach, and the measured gain that pays for it. The totals are `npm run bench`'s (README
 * "Measured": the rows `DynamoDB emulator alone` and `local: articles`); the per-reach shares were
 * measured on the same query when each speed-up was added (local/dynamodb/README.md: ~290 µs as
 * dynalite ships, ~90 µs with all of them before decoded-items.ts):
 *
 * | reach | used by | gain |
 * |---|---|---|
 * | `db.create` (capture the store `dynalite()` creates) | in-process-transport.ts | the data sources call dynalite's validation and actions on the served store without the AWS SDK and HTTP between (the local mode's resolvers call it directly; without it every resolver call is an HTTP round trip) |
 * | `dynalite/actions/*`, `dynalite/validations/*` (`checkTypes`, `checkValidations`) | in-process-transport.ts | the same; keeping the validated form of reads saves ~30 µs a call |
 * | `db.queryTable` (replaced), `itemSize`, `matchesExprFilter`, `matchesFilter`, `mapPaths` | stream-free-query.ts | a Query/Scan page read without three layers of streams: ~150 of ~270 µs per `articles` query on disk |
 * | `store.getTable` (wrapped), `store.tableDb.put`/`del` (observed) | table-description-cache.ts | table descriptions from memory: ~27 µs per action on disk |
 * | `store.db` (abstract-level `keys`/`values`, `write` event) | iterator-cleanup.ts, disk-mirror.ts | no iterator leaked per Query/Scan (memory: 162 MB after load instead of growing with every request); reads from memory with writes mirrored to disk (~80 µs per query) |
 */
import type { Server } from 'node:http';

/** The dynalite version whose internals this module was written against (package.json pins it). */
export const DYNALITE_VERSION = '4.0.0';

// ---- the types of what is used (dynalite ships none) ---------------------------------------

export interface DynaliteOptions {
  /** LevelDB directory; in memory when omitted. */
  path?: string;
  /** Milliseconds a table stays CREATING. @default 500 */
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
  verbose?: boolean;
}

/** An item as dynalite stores it: DynamoDB's wire JSON. */
export type DynaliteItem = Record<string, Record<string, unknown>>;

export interface LevelIterator<T> {
  nextv(size: number): Promise<T[]>;
  close(): Promise<void>;
  return?: () => Promise<void>;
}

/** The abstract-level database (classic-level on disk, memory-level in memory). */
export interface DynaliteLevel {
  keys(options?: object): LevelIterator<string>;
  /** Decoded items, or with `valueEncoding: 'buffer'` the stored values themselves (`V` = Buffer). */
  values<V = DynaliteItem>(options?: object): LevelIterator<V>;
  batch(operations: object[]): Promise<void>;
  /** abstract-level's `write` event: every put, del and batch, after it succeeded. */
  on(event: 'write', listener: (operations: { type: 'put' | 'del'; encodedKey: Uint8Array | string; encodedValue?: Uint8Array | string }[]) => void): void;
}

export type Callback<T> = (err: unknown, value?: T) => void;

/** A table's description, as DescribeTable answers it. */
export interface TableDescription {
  TableName: string;
  TableStatus: string;
  KeySchema: { AttributeName: string; KeyType: string }[];
  [field: string]: unknown;
}

/** The table descriptions, keyed by table name (a prefixed view of the database). */
interface TableDb {
  put(name: string, table: TableDescription, cb?: Callback<void>): void;
  del(name: string, cb?: Callback<void>): void;
}

/** dynalite's getTable: with `checkStatus`, a CREATING or DELETING table is not found. */
export type GetTable = (name: string, checkStatus: boolean | Callback<TableDescription>, cb?: Callback<TableDescription>) => void;

/** The LevelDB-backed store one `dynalite()` server serves. */
export interface DynaliteStore {
  readonly db: DynaliteLevel;
  readonly tableDb: TableDb;
  getTable: GetTable;
}

/** A Query or Scan request after dynalite's validation (expressions parsed). */
export interface ValidatedListRequest {
  TableName: string;
  IndexName?: string;
  Limit?: number;
  Select?: string;
  ConsistentRead?: boolean;
  ReturnConsumedCapacity?: string;
  QueryFilter?: object;
  ScanFilter?: object;
  ConditionalOperator?: string;
  AttributesToGet?: string[];
  _filter?: { expression: object };
  _projection?: { paths: unknown[] };
}

/** The key range dynalite reads, relative to a table's or index's key prefix. */
export interface KeyRange {
  reverse?: boolean;
  limit?: number;
  gt?: string;
  gte?: string;
  lt?: string;
  lte?: string;
}

/** Reads one Query or Scan page (actions/query.js and actions/scan.js call it through the exports). */
export type QueryTable = (
  store: DynaliteStore,
  table: TableDescription,
  data: ValidatedListRequest,
  opts: KeyRange,
  isLocal: boolean | undefined,
  fetchFromItemDb: boolean,
  startKeyNames: string[],
  cb: Callback<Record<string, unknown>>,
) => void;

/** `dynalite/db`: the module object (not a copy), so replacing `queryTable` or `create` is seen by dynalite. */
interface DynaliteDbModule {
  create(options: object): DynaliteStore;
  queryTable: QueryTable;
  /** An item's size in bytes as DynamoDB counts it (`compress` etc.: the page-size variant). */
  itemSize(item: DynaliteItem, compress?: boolean, addMetaSize?: boolean, rangeKey?: string): number;
  matchesExprFilter(item: DynaliteItem, expression: object): boolean;
  matchesFilter(item: DynaliteItem, filter: object, conditionalOperator?: string): boolean;
  mapPaths(paths: unknown[], item: DynaliteItem): DynaliteItem;
}

interface DynaliteValidationsModule {
  /** A copy of `data` with the fields `types` knows, type-checked; throws a DynaliteError. */
  checkTypes(data: object, types: object): Record<string, unknown>;
  checkValidations(data: object, types: object, custom: unknown, store: DynaliteStore): void;
}

/** How dynalite refuses a request: the HTTP status and the JSON error body it would send. */
export interface DynaliteError extends Error {
  statusCode?: number;
  body?: unknown;
}

type DynaliteAction = (store: DynaliteStore, data: Record<string, unknown>, cb: (err: DynaliteError | null, data?: Record<string, unknown>) => void) => void;

/** An operation's validation module (`dynalite/validations/<operation>`). */
interface OperationValidation {
  types: object;
  custom?: unknown;
}

/* eslint-disable @typescript-eslint/no-require-imports -- untyped CommonJS internals, typed above */
const dynalite = require('dynalite') as (options?: DynaliteOptions) => Server;
const dynaliteDb = require('dynalite/db') as DynaliteDbModule;
const validations = require('dynalite/validations') as DynaliteValidationsModule;
/* eslint-enable @typescript-eslint/no-require-imports */

// ---- db.create: the served store ---------------------------------------------------------

/** `dynalite(options)` and the store that server serves (captured from `db.create`, which index.js calls). */
export function startDynalite(options: DynaliteOptions): { server: Server; store: DynaliteStore } {
  const create = dynaliteDb.create;
  let store: DynaliteStore | undefined;
  dynaliteDb.create = (opts) => (store = create(opts));
  let server: Server;
  try {
    server = dynalite(options);
  } finally {
    dynaliteDb.create = create;
  }
  if (!store) throw new Error(`dynalite did not create its store through dynalite/db create(): its internals changed (written for ${DYNALITE_VERSION})`);
  return { server, store };
}

// ---- actions and validations --------------------------------------------------------------

/** One operation as dynalite's HTTP handler runs it once a request has passed auth (index.js). */
export interface DynaliteOperation {
  /** checkTypes then checkValidations: the request as the action reads it. Throws a DynaliteError. */
  validate(store: DynaliteStore, input: object): Record<string, unknown>;
  run: DynaliteAction;
}

/** The action and validation of an operation (e.g. `Query`), loaded the way dynalite's index.js loads them. */
export function dynaliteOperation(operation: string): DynaliteOperation {
  const file = operation[0].toLowerCase() + operation.slice(1);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const run = require(`dynalite/actions/${file}`) as DynaliteAction;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const validation = require(`dynalite/validations/${file}`) as OperationValidation;
  return {
    validate(store, input) {
      // A copy: checkTypes deletes the fields it does not know from its argument.
      const data = validations.checkTypes({ ...input }, validation.types);
      validations.checkValidations(data, validation.types, validation.custom, store);
      return data;
    },
    run,
  };
}

// ---- db.queryTable and the page helpers -----------------------------------------------------

/** dynalite's own page reader, as shipped. */
export const dynaliteQueryTable: QueryTable = dynaliteDb.queryTable;

/** Makes every dynalite store in this process read Query/Scan pages with `queryTable`. */
export function setQueryTable(queryTable: QueryTable): void {
  dynaliteDb.queryTable = queryTable;
}

/** dynalite's helpers for what happens to a page after it is read, unchanged. */
export const pageHelpers: Pick<DynaliteDbModule, 'itemSize' | 'matchesExprFilter' | 'matchesFilter' | 'mapPaths'> = {
  itemSize: dynaliteDb.itemSize,
  matchesExprFilter: dynaliteDb.matchesExprFilter,
  matchesFilter: dynaliteDb.matchesFilter,
  mapPaths: dynaliteDb.mapPaths,
};

// ---- store.getTable and store.tableDb -------------------------------------------------------

/** Puts `wrap(dynalite's getTable)` in place of the store's getTable, which every action calls. */
export function wrapGetTable(store: DynaliteStore, wrap: (original: GetTable) => GetTable): void {
  store.getTable = wrap(store.getTable.bind(store));
}

/**
 * Calls `written(name)` when a write of a table description (`tableDb.put`/`del`: CreateTable,
 * UpdateTable, DeleteTable and their status timers) starts and again when it has finished.
 */
export function observeTableWrites(store: DynaliteStore, written: (name: string) => void): void {
  const { tableDb } = store;
  for (const method of ['put', 'del'] as const) {
    const write = tableDb[method].bind(tableDb) as (name: string, ...rest: unknown[]) => void;
    tableDb[method] = (name: string, ...rest: unknown[]) => {
      written(name);
      const cb = rest[rest.length - 1];
      const args = typeof cb === 'function' ? rest.slice(0, -1) : rest;
      write(name, ...args, (err: unknown) => {
        written(name);
        if (typeof cb === 'function') (cb as Callback<void>)(err);
      });
    };
  }
}
