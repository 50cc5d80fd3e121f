import {
  DocumentNode,
  GraphQLError,
  GraphQLSchema,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
  ValidationRule,
} from 'graphql';
import { LRUCache } from 'lru-cache';

/**
 * Parsed and validated documents, cached per query string. Validation is most of the cost of
 * an uncached graphql-js request (toolchain-facts.md), and clients send the same few query
 * strings over and over, so each is parsed and validated once.
 *
 * Bounded by bytes, not by count: 500 entries of 1 MB queries would be half a gigabyte. Only
 * valid documents are kept: a client sending junk cannot push the real queries out, and an
 * invalid query is parsed again each time (the caller made a mistake; speed is not owed).
 */

export type PreparedDocument =
  | { readonly ok: true; readonly document: DocumentNode }
  | { readonly ok: false; readonly errors: readonly GraphQLError[] };

export interface DocumentCacheOptions {
  readonly schema: GraphQLSchema;
  /** The API's introspection setting; false adds graphql-js's no-introspection rule. */
  readonly introspection: boolean;
}

/** Query text kept, in bytes (UTF-8); a parsed document takes memory in proportion to its text. */
export const DOCUMENT_CACHE_BYTES = 2 * 1024 * 1024;
/** One query larger than this is validated but not kept (it would push out many others). */
export const DOCUMENT_CACHE_MAX_ENTRY_BYTES = 64 * 1024;

export interface DocumentCache {
  prepare(query: string): PreparedDocument;
  /** Bytes of query text kept now (for tests and diagnostics). */
  readonly keptBytes: number;
  /** Query strings kept now. */
  readonly kept: number;
}

export function createDocumentCache(options: DocumentCacheOptions): DocumentCache {
  const rules: readonly ValidationRule[] = options.introspection
    ? specifiedRules
    : [...specifiedRules, NoSchemaIntrospectionCustomRule];
  const cache = new LRUCache<string, PreparedDocument & { ok: true }>({
    maxSize: DOCUMENT_CACHE_BYTES,
    maxEntrySize: DOCUMENT_CACHE_MAX_ENTRY_BYTES,
    sizeCalculation: (_value, query) => Buffer.byteLength(query),
  });
  function compile(query: string): PreparedDocument {
    let document: DocumentNode;
    try {
      document = parse(query);
    } catch (error) {
      return { ok: false, errors: [error as GraphQLError] };
    }
    const errors = validate(options.schema, document, rules);
    return errors.length ? { ok: false, errors } : { ok: true, document };
  }
  return {
    prepare(query) {
      const cached = cache.get(query);
      if (cached) return cached;
      const prepared = compile(query);
      if (prepared.ok) cache.set(query, prepared);
      return prepared;
    },
    get keptBytes() {
      return cache.calculatedSize;
    },
    get kept() {
      return cache.size;
    },
  };
}
