/**
 * Items read by a Query or Scan page, decoded once per stored value and shared, read-only.
 *
 * dynalite keeps each item as JSON text in a Buffer (memory-level's store), and every read
 * decodes it again: for the `articles` page that JSON.parse of ten ~730-byte items was the
 * largest single cost of a request (11% of the local mode's CPU under load). A stored value is
 * never changed in place (a put stores a new Buffer), so its parse is kept, keyed by that Buffer
 * (weakly: a value overwritten or deleted takes its parse with it), and every read of the value
 * gets that same object, deep-frozen. Frozen, so no reader can change what the next one reads:
 * a change throws in strict code (ours, the data sources'), and dynalite's own page code only
 * reads items (its projections build new objects; test/local-dynamodb-query.test.ts compares
 * every page with dynalite's own reads). Readers that need to change an answer copy it first;
 * the APPSYNC_JS data source converts it into new objects anyway (fromWireItem).
 *
 * Memory: one parsed copy per stored item read at least once, beside its stored text: the local
 * mode holds all of its data in memory anyway (disk-mirror.ts).
 */
import type { DynaliteItem } from './dynalite-internals';

const parsed = new WeakMap<Buffer, DynaliteItem>();

/** The item stored as `stored` (JSON text), deep-frozen and shared with every other read of it. */
export function decodedItem(stored: Buffer): DynaliteItem {
  let item = parsed.get(stored);
  if (item === undefined) {
    item = deepFreeze(JSON.parse(stored.toString('utf8'))) as DynaliteItem;
    parsed.set(stored, item);
  }
  return item;
}

/** Freezes a value JSON.parse made (plain objects, arrays, primitives) and everything in it. */
function deepFreeze(value: unknown): unknown {
  if (typeof value === 'object' && value !== null) {
    for (const member of Object.values(value)) deepFreeze(member);
    Object.freeze(value);
  }
  return value;
}
