/**
 * dynalite's Query and Scan, read without Node streams.
 *
 * dynalite 4.0.0 reads a Query or Scan page by wrapping a LevelDB iterator in a Readable
 * stream, then in a `lazy` stream, then filtering it with takeWhile: for a 10-item page that
 * machinery costs more than the reading itself (~150 of ~270 µs per articles query on disk),
 * and it is what bounded the local mode's throughput. This is the same function
 * (`db.queryTable`, which actions/query.js and actions/scan.js call through the module's
 * exports) reading the same keys of the same store with `iterator.nextv()`; everything after
 * the read (page limits, LastEvaluatedKey, filters, projections, consumed capacity) is
 * dynalite's code, copied from `queryTable` in node_modules/dynalite/db/index.js or called
 * through its exports. test/local-dynamodb-query.test.ts compares both functions' answers over
 * a grid of queries and scans; the one case not rewritten (an index whose projection is not
 * ALL, read back from the table) still runs dynalite's own code.
 */
import {
  dynaliteQueryTable,
  pageHelpers,
  setQueryTable,
  type DynaliteItem,
  type DynaliteStore,
  type KeyRange,
  type QueryTable,
  type TableDescription,
  type ValidatedListRequest,
} from './dynalite-internals';
import { decodedItem } from './decoded-items';

/** A page stops at 1 MB of items, as in DynamoDB and dynalite. */
const PAGE_BYTES = 1024 * 1024;
/** Values read per `nextv()` when the request sets no Limit. */
const UNLIMITED_BATCH = 100;

/** Makes every dynalite store in this process read pages without streams (idempotent). */
export function useStreamFreeQueries(): void {
  setQueryTable(streamFreeQueryTable);
}

export const streamFreeQueryTable: QueryTable = (store, table, data, opts, isLocal, fetchFromItemDb, startKeyNames, cb) => {
  if (fetchFromItemDb) {
    dynaliteQueryTable(store, table, data, opts, isLocal, fetchFromItemDb, startKeyNames, cb);
    return;
  }
  // The callback runs outside the promise chain, as dynalite's stream callbacks do: an error it
  // throws is not turned into this query's error.
  queryPage(store, table, data, opts, isLocal, startKeyNames).then(
    (result) => process.nextTick(cb, null, result),
    (err: unknown) => process.nextTick(cb, err),
  );
};

/**
 * The store's key prefix of a table or index: what `getItemDb` / `getIndexDb` put before each
 * key (createPrefixedDbWrapper in dynalite's db/index.js).
 */
function keyPrefix(data: ValidatedListRequest, isLocal: boolean | undefined): string {
  return data.IndexName ? `index-${isLocal ? 'local' : 'global'}~${data.TableName}~${data.IndexName}~` : `item-${data.TableName}~`;
}

/** The range `createValueStream` of dynalite's prefixed wrapper passes on (its truthiness checks included). */
function prefixedKeyRange(prefix: string, opts: KeyRange): KeyRange {
  const range = { ...opts };
  if (range.gte) range.gte = prefix + range.gte;
  else if (range.gt) range.gt = prefix + range.gt;
  else range.gte = prefix;
  if (range.lte) range.lte = prefix + range.lte;
  else if (range.lt) range.lt = prefix + range.lt;
  else range.lt = `${prefix}\xFF`;
  return range;
}

async function queryPage(
  store: DynaliteStore,
  table: TableDescription,
  data: ValidatedListRequest,
  opts: KeyRange,
  isLocal: boolean | undefined,
  startKeyNames: string[],
): Promise<Record<string, unknown>> {
  const calculateCapacity = data.ReturnConsumedCapacity === 'TOTAL' || data.ReturnConsumedCapacity === 'INDEXES';
  const rangeKey = table.KeySchema[1]?.AttributeName;
  let tableCapacity = 0;
  let indexCapacity = 0;
  let size = 0;
  let count = 0;
  let items: DynaliteItem[] = [];

  // dynalite's takeWhile, checked after each item instead of before the next (same page).
  const pageIsFull = () => count >= (data.Limit ?? Infinity) || size >= PAGE_BYTES;
  // The stored values themselves (valueEncoding 'buffer': no decode by the level), decoded
  // through decoded-items.ts's cache of their parses.
  const iterator = store.db.values<Buffer>({ ...prefixedKeyRange(keyPrefix(data, isLocal), opts), valueEncoding: 'buffer' });
  try {
    while (!pageIsFull()) {
      const batch = await iterator.nextv(data.Limit ? data.Limit - count : UNLIMITED_BATCH);
      if (batch.length === 0) break;
      for (const stored of batch) {
        const val = decodedItem(stored);
        if (calculateCapacity) {
          const capacitySize = pageHelpers.itemSize(val);
          if (data.IndexName) indexCapacity += capacitySize;
          else tableCapacity += capacitySize;
        }
        count++;
        size += pageHelpers.itemSize(val, true, true, rangeKey);
        items.push(val);
        if (pageIsFull()) break;
      }
    }
  } finally {
    await iterator.close();
  }

  // From here on, dynalite's queryTable after its `vals.join(...)`.
  const lastItem = items[items.length - 1];
  const queryFilter = data.QueryFilter || data.ScanFilter;
  if (data._filter) {
    const expression = data._filter.expression;
    items = items.filter((val) => pageHelpers.matchesExprFilter(val, expression));
  } else if (queryFilter) {
    items = items.filter((val) => pageHelpers.matchesFilter(val, queryFilter, data.ConditionalOperator));
  }

  const result: Record<string, unknown> = { ScannedCount: count };
  // (dynalite also cuts the items to Limit here; a page read as above never holds more.)
  if (pageIsFull()) {
    if (lastItem) {
      result.LastEvaluatedKey = startKeyNames.reduce<DynaliteItem>((key, attr) => {
        key[attr] = lastItem[attr];
        return key;
      }, {});
    }
  }

  const paths = data._projection ? data._projection.paths : data.AttributesToGet;
  if (paths) items = items.map((item) => pageHelpers.mapPaths(paths, item));

  result.Count = items.length;
  if (data.Select !== 'COUNT') result.Items = items;
  if (calculateCapacity) {
    const tableUnits = Math.ceil(tableCapacity / 1024 / 4) * (data.ConsistentRead ? 1 : 0.5);
    const indexUnits = Math.ceil(indexCapacity / 1024 / 4) * (data.ConsistentRead ? 1 : 0.5);
    const consumed: Record<string, unknown> = { CapacityUnits: tableUnits + indexUnits, TableName: data.TableName };
    if (data.ReturnConsumedCapacity === 'INDEXES') {
      consumed.Table = { CapacityUnits: tableUnits };
      if (data.IndexName) {
        consumed[isLocal ? 'LocalSecondaryIndexes' : 'GlobalSecondaryIndexes'] = { [data.IndexName]: { CapacityUnits: indexUnits } };
      }
    }
    result.ConsumedCapacity = consumed;
  }
  return result;
}
