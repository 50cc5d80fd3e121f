import type { Context, DynamoDBGetItemRequest } from '@aws-appsync/utils';
import { articleKey } from './lib/articles';
import type { Article } from './lib/articles';
import { callerInEnvGroups, STAFF_GROUPS } from './lib/caller';
import { raiseDataSourceError } from './lib/data-source-error';

export function request(ctx: Context<{ id: string }>): DynamoDBGetItemRequest {
  return { operation: 'GetItem', key: articleKey(ctx.args.id) };
}

/** Row rule: a draft is visible to staff (STAFF_GROUPS) only; anyone else gets null. */
export function response(ctx: Context<{ id: string }>): Article | null {
  raiseDataSourceError(ctx);
  const article = ctx.result as Article | null;
  if (!article) {
    return null;
  }
  if (article.status === 'PUBLISHED' || callerInEnvGroups(ctx, STAFF_GROUPS)) {
    return article;
  }
  return null;
}
