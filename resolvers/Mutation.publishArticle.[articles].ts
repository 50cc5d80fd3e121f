import { util } from '@aws-appsync/utils';
import type { Context, DynamoDBUpdateItemRequest } from '@aws-appsync/utils';
import { articleKey, itemExists, writtenArticle } from './lib/articles';

/** Sets status PUBLISHED and stamps publishedAt; a missing article is a NotFound error. */
export function request(ctx: Context<{ id: string }>): DynamoDBUpdateItemRequest {
  const now = util.time.nowISO8601();
  return {
    operation: 'UpdateItem',
    key: articleKey(ctx.args.id),
    update: {
      expression: 'SET #status = :status, #publishedAt = :now, #updatedAt = :now',
      expressionNames: { '#status': 'status', '#publishedAt': 'publishedAt', '#updatedAt': 'updatedAt' },
      expressionValues: util.dynamodb.toMapValues({ ':status': 'PUBLISHED', ':now': now }),
    },
    condition: itemExists(),
  };
}

/** The announcement subscribers receive: no gated field (body, reviewNotes) in it. */
export function response(ctx: Context<{ id: string }>) {
  const article = writtenArticle(ctx, ctx.args.id);
  return {
    id: article.id,
    title: article.title,
    summary: article.summary,
    publishedAt: article.publishedAt,
  };
}
