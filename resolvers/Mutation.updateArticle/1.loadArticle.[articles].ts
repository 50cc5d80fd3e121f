import type { Context, DynamoDBGetItemRequest } from '@aws-appsync/utils';
import { articleKey, requireArticle } from '../lib/articles';
import type { Article } from '../lib/articles';
import { raiseDataSourceError } from '../lib/data-source-error';
import type { UpdateArgs } from '../lib/update-article';

/**
 * Loads the article so a missing id is a clear NotFound. It deliberately does NOT check the
 * author: the next step's DynamoDB condition is what refuses other people's articles.
 */
export function request(ctx: Context<UpdateArgs>): DynamoDBGetItemRequest {
  return { operation: 'GetItem', key: articleKey(ctx.args.input.id) };
}

export function response(ctx: Context<UpdateArgs>): Article {
  raiseDataSourceError(ctx);
  return requireArticle(ctx.result as Article | null, ctx.args.input.id);
}
