/**
 * The articles table: item shape, keys and the `byStatus` listing shared by several resolvers.
 * Table: hash key `id`; GSI `byStatus` (hash `status`, range `createdAt`, projection ALL).
 */
import { util } from '@aws-appsync/utils';
import type { Context, DynamoDBQueryRequest } from '@aws-appsync/utils';
import { conditionFailed, raiseDataSourceError } from './data-source-error';

export type ArticleStatus = 'DRAFT' | 'PUBLISHED';

export interface Article {
  id: string;
  title: string;
  summary: string;
  body?: string | null;
  reviewNotes?: string | null;
  status: ArticleStatus;
  authorId: string;
  createdAt: string;
  updatedAt: string;
  publishedAt?: string | null;
}

export interface ArticleConnection {
  items: Article[];
  nextToken: string | null;
}

export interface PageArgs {
  limit?: number | null;
  nextToken?: string | null;
}

const BY_STATUS_INDEX = 'byStatus';
const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;

/** The DynamoDB key of one article. */
export function articleKey(id: string) {
  return util.dynamodb.toMapValues({ id });
}

/** The page size: `limit` if given and within 1..MAX_PAGE_SIZE, else a ValidationError. */
function pageSize(limit: number | null | undefined): number {
  if (limit === null || limit === undefined) {
    return DEFAULT_PAGE_SIZE;
  }
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    util.error(
      `limit must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${limit}`,
      'ValidationError',
      null,
      { field: 'limit', min: 1, max: MAX_PAGE_SIZE },
    );
  }
  return limit;
}

/** One page of articles in `status`, newest first; `nextToken` is passed through untouched. */
function listByStatusRequest(status: ArticleStatus, args: PageArgs): DynamoDBQueryRequest {
  const request: DynamoDBQueryRequest = {
    operation: 'Query',
    index: BY_STATUS_INDEX,
    query: {
      expression: '#status = :status',
      expressionNames: { '#status': 'status' },
      expressionValues: util.dynamodb.toMapValues({ ':status': status }),
    },
    scanIndexForward: false,
    limit: pageSize(args.limit),
  };
  if (args.nextToken) {
    request.nextToken = args.nextToken;
  }
  return request;
}

/** The Query result as an `ArticleConnection`. */
export function connectionResult(ctx: Context): ArticleConnection {
  raiseDataSourceError(ctx);
  const result = ctx.result as { items?: Article[]; nextToken?: string | null };
  return { items: result.items ?? [], nextToken: result.nextToken ?? null };
}

/** The `NotFound` error for article `id`. */
export function articleNotFound(id: string): never {
  return util.error(`Article ${id} not found`, 'NotFound', null, { id });
}

/** Refuses a missing article with a `NotFound` error naming it. */
export function requireArticle(item: Article | null | undefined, id: string): Article {
  if (!item) {
    articleNotFound(id);
  }
  return item;
}

/** `Query.articles`: published articles only. */
export function publishedPageRequest(ctx: Context<PageArgs>): DynamoDBQueryRequest {
  return listByStatusRequest('PUBLISHED', ctx.args);
}

/** `Query.drafts`: drafts only (the schema lets only staff reach that field). */
export function draftPageRequest(ctx: Context<PageArgs>): DynamoDBQueryRequest {
  return listByStatusRequest('DRAFT', ctx.args);
}

/** A write condition that refuses ids with no item (so writes never create stray items). */
export function itemExists() {
  return { expression: 'attribute_exists(#id)', expressionNames: { '#id': 'id' } };
}

/** Write results: a failed `itemExists()` condition is a NotFound; other errors pass through. */
export function writtenArticle(ctx: Context, id: string): Article {
  if (conditionFailed(ctx)) {
    articleNotFound(id);
  }
  raiseDataSourceError(ctx);
  return ctx.result as Article;
}
