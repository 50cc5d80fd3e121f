import type { Context, DynamoDBDeleteItemRequest } from '@aws-appsync/utils';
import { articleKey, itemExists, writtenArticle } from './lib/articles';

/** Deletes one article; a missing article is a NotFound error. Returns the id. */
export function request(ctx: Context<{ id: string }>): DynamoDBDeleteItemRequest {
  return { operation: 'DeleteItem', key: articleKey(ctx.args.id), condition: itemExists() };
}

export function response(ctx: Context<{ id: string }>): string {
  return writtenArticle(ctx, ctx.args.id).id;
}
