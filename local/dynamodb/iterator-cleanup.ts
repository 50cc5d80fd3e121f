/**
 * Works around an iterator leak in dynalite 4.0.0 (db/index.js, createKeyStream/createValueStream):
 * it wraps abstract-level iterators in streams and, when a stream ends or is destroyed (a Query
 * or Scan stopping at its Limit), frees the iterator with `iterator.return()` — a method
 * abstract-level iterators do not have (theirs is `close()`). Every Query and Scan thus left an
 * iterator open, which the database keeps referenced until it closes: the local mode's memory
 * grew with every DynamoDB-backed request. Giving the iterators a `return` that closes them
 * lets dynalite's own cleanup work.
 */

/** What this needs of an abstract-level database (dynalite's `store.db`). */
export interface IteratingDb {
  keys(options?: object): ClosableIterator;
  values(options?: object): ClosableIterator;
}

interface ClosableIterator {
  close(): Promise<void>;
  return?: () => Promise<void>;
}

export function closeIteratorsOnReturn(db: IteratingDb): void {
  for (const method of ['keys', 'values'] as const) {
    const open = db[method].bind(db);
    db[method] = (options) => {
      const iterator = open(options);
      iterator.return ??= () => iterator.close();
      return iterator;
    };
  }
}
