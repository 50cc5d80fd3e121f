// dynalite 4.0.0 ships no types; only what local/dynamodb uses.
declare module 'dynalite' {
  import type { Server } from 'node:http';

  interface DynaliteOptions {
    /** LevelDB directory; in memory when omitted. */
    path?: string;
    /** Milliseconds a table stays CREATING. @default 500 */
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    verbose?: boolean;
  }

  function dynalite(options?: DynaliteOptions): Server;
  export = dynalite;
}

// dynalite's internals that its HTTP handler (index.js) runs after auth; the in-process
// transport (in-process-transport.ts) runs the same for one operation.
declare module 'dynalite/db' {
  /** An item as dynalite stores it: DynamoDB's wire JSON. */
  type DynaliteItem = Record<string, Record<string, unknown>>;

  /** The abstract-level database (classic-level on disk, memory-level in memory). */
  interface DynaliteLevel {
    keys(options?: object): LevelIterator<string>;
    values(options?: object): LevelIterator<DynaliteItem>;
    batch(operations: object[]): Promise<void>;
    /** abstract-level's `write` event: every put, del and batch, after it succeeded. */
    on(event: 'write', listener: (operations: { type: 'put' | 'del'; encodedKey: Uint8Array | string; encodedValue?: Uint8Array | string }[]) => void): void;
  }
  interface LevelIterator<T> {
    nextv(size: number): Promise<T[]>;
    close(): Promise<void>;
    return?: () => Promise<void>;
  }

  type Callback<T> = (err: unknown, value?: T) => void;

  /** A table's description, as DescribeTable answers it. */
  interface TableDescription {
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

  /** The LevelDB-backed store one `dynalite()` server serves. */
  interface DynaliteStore {
    readonly db: DynaliteLevel;
    readonly tableDb: TableDb;
    /** The description of a table; with `checkStatus`, a CREATING or DELETING table is not found. */
    getTable(name: string, checkStatus: boolean | Callback<TableDescription>, cb?: Callback<TableDescription>): void;
  }

  /** A Query or Scan request after dynalite's validation (expressions parsed). */
  interface ValidatedListRequest {
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
  interface KeyRange {
    reverse?: boolean;
    limit?: number;
    gt?: string;
    gte?: string;
    lt?: string;
    lte?: string;
  }

  type QueryTable = (
    store: DynaliteStore,
    table: TableDescription,
    data: ValidatedListRequest,
    opts: KeyRange,
    isLocal: boolean | undefined,
    fetchFromItemDb: boolean,
    startKeyNames: string[],
    cb: Callback<Record<string, unknown>>,
  ) => void;

  function create(options: object): DynaliteStore;
  /** Reads one Query or Scan page (called by actions/query.js and actions/scan.js through the exports). */
  let queryTable: QueryTable;
  /** An item's size in bytes as DynamoDB counts it (`compress` etc.: the page-size variant). */
  function itemSize(item: DynaliteItem, compress?: boolean, addMetaSize?: boolean, rangeKey?: string): number;
  function matchesExprFilter(item: DynaliteItem, expression: object): boolean;
  function matchesFilter(item: DynaliteItem, filter: object, conditionalOperator?: string): boolean;
  function mapPaths(paths: unknown[], item: DynaliteItem): DynaliteItem;
}

declare module 'dynalite/validations' {
  import type { DynaliteStore } from 'dynalite/db';
  /** An operation's validation module (`dynalite/validations/<operation>`). */
  interface OperationValidation {
    types: object;
    custom?: unknown;
  }
  /** A copy of `data` with the fields `types` knows, type-checked; throws a DynaliteError. */
  function checkTypes(data: object, types: object): Record<string, unknown>;
  function checkValidations(data: object, types: object, custom: unknown, store: DynaliteStore): void;
}
