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
  import type { IteratingDb } from './iterator-cleanup';
  /** The LevelDB-backed store one `dynalite()` server serves; only its database is used directly. */
  interface DynaliteStore {
    /** The abstract-level database (classic-level on disk, memory-level in memory). */
    readonly db: IteratingDb;
  }
  function create(options: object): DynaliteStore;
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
