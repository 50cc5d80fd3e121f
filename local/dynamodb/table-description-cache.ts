/**
 * Keeps dynalite's table descriptions in memory.
 *
 * Every dynalite action starts with `store.getTable(name)`, a LevelDB read and JSON decode that
 * costs about as much as reading a 10-item page (~27 µs on disk). Descriptions change only
 * through `store.tableDb.put`/`del` (CreateTable, UpdateTable, DeleteTable and their status
 * timers), so a cache that forgets a name whenever one of those starts or finishes is never
 * stale. Each hit returns a fresh object (actions modify the description they get before
 * writing it back). A hit that dynalite would answer with an error (a CREATING or DELETING
 * table read with `checkStatus`) goes to dynalite's own getTable, which builds that error.
 */
import { observeTableWrites, wrapGetTable, type DynaliteStore, type TableDescription } from './dynalite-internals';

export function cacheTableDescriptions(store: DynaliteStore): void {
  /** Parsed descriptions, never handed out: each hit gets a copy (~3× cheaper than parsing JSON text again). */
  const cached = new Map<string, TableDescription>();
  /** Bumped when a write to a name starts and ends: a read that overlapped a write is not cached. */
  const writes = new Map<string, number>();
  const written = (name: string) => {
    writes.set(name, (writes.get(name) ?? 0) + 1);
    cached.delete(name);
  };

  observeTableWrites(store, written);

  wrapGetTable(store, (getTable) => (name, checkStatus, cb) => {
    const callback = (typeof checkStatus === 'function' ? checkStatus : cb)!;
    // dynalite checks the status when called as getTable(name, cb) too (its checkStatus is then the callback).
    const check = typeof checkStatus === 'function' || checkStatus;
    const kept = cached.get(name);
    if (kept !== undefined) {
      const table = copyOfParsedJson(kept) as TableDescription;
      if (!(check && (table.TableStatus === 'CREATING' || table.TableStatus === 'DELETING'))) {
        // Asynchronous, as a LevelDB read is: callers must not depend on the difference.
        process.nextTick(callback, null, table);
        return;
      }
    }
    const writesBefore = writes.get(name);
    getTable(name, check, (err, table) => {
      // A copy (dynalite decoded `table` from JSON): the callback may modify the object it gets.
      if (!err && table && writes.get(name) === writesBefore) cached.set(name, copyOfParsedJson(table) as TableDescription);
      callback(err, table);
    });
  });
}

/**
 * A deep copy of a value JSON.parse made: only plain objects, arrays, strings, numbers,
 * booleans and null. A `__proto__` key is an own property there (JSON.parse defines it), so it
 * is defined, not assigned, here (assigning would set the copy's prototype instead).
 */
export function copyOfParsedJson(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const copy = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) copy[i] = copyOfParsedJson(value[i]);
    return copy;
  }
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const member = copyOfParsedJson((value as Record<string, unknown>)[key]);
    if (key === '__proto__') Object.defineProperty(copy, key, { value: member, enumerable: true, writable: true, configurable: true });
    else copy[key] = member;
  }
  return copy;
}
