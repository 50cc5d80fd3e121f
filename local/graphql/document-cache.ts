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
 */

export type PreparedDocument =
  | { readonly ok: true; readonly document: DocumentNode }
  | { readonly ok: false; readonly errors: readonly GraphQLError[] };

export interface DocumentCacheOptions {
  readonly schema: GraphQLSchema;
  /** The API's introspection setting; false adds graphql-js's no-introspection rule. */
  readonly introspection: boolean;
}

/** Distinct query strings kept. */
const DOCUMENTS_KEPT = 500;

export interface DocumentCache {
  prepare(query: string): PreparedDocument;
}

export function createDocumentCache(options: DocumentCacheOptions): DocumentCache {
  const rules: readonly ValidationRule[] = options.introspection
    ? specifiedRules
    : [...specifiedRules, NoSchemaIntrospectionCustomRule];
  const cache = new LRUCache<string, PreparedDocument>({ max: DOCUMENTS_KEPT });
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
      let prepared = cache.get(query);
      if (!prepared) {
        prepared = compile(query);
        cache.set(query, prepared);
      }
      return prepared;
    },
  };
}
