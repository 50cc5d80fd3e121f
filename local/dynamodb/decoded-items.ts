/**
 * Items read by a Query or Scan page, decoded once per stored value.
 *
 * dynalite keeps each item as JSON text in a Buffer (memory-level's store), and every read
 * decodes it again: for the `articles` page that JSON.parse of ten ~730-byte items was the
 * largest single cost of a request (11% of the local mode's CPU under load). A stored value is
 * never changed in place (a put stores a new Buffer), so the parse of one is kept, keyed by that
 * Buffer (weakly: a value overwritten or deleted takes its parse with it), and each read gets
 * its own copy of it, about 3× cheaper than parsing (~0.85 against ~2.7 µs per item here).
 * Callers may change what they get (dynalite's filters and projections build new objects, but a
 * data source may not), so nothing read is ever shared with the cache or another read.
 *
 * Memory: one parsed copy per stored item read at least once, beside its stored text: the local
 * mode holds all of its data in memory anyway (disk-mirror.ts).
 */
import type { DynaliteItem } from './dynalite-internals';

const parsed = new WeakMap<Buffer, DynaliteItem>();

/** The item stored as `stored` (JSON text), as a fresh object the caller owns. */
export function decodedItem(stored: Buffer): DynaliteItem {
  let item = parsed.get(stored);
  if (item === undefined) {
    item = JSON.parse(stored.toString('utf8')) as DynaliteItem;
    parsed.set(stored, item);
  }
  return copyOfParsedJson(item) as DynaliteItem;
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
