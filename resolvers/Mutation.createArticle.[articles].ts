import { util } from '@aws-appsync/utils';
import type { Context, DynamoDBPutItemRequest } from '@aws-appsync/utils';
import { articleKey } from './lib/articles';
import type { Article } from './lib/articles';
import { callerSub } from './lib/caller';
import { raiseDataSourceError } from './lib/data-source-error';
import { TEXT_FIELDS, validateArticleInput } from './lib/validation';
import type { ArticleTextInput } from './lib/validation';

type Args = { input: ArticleTextInput & { title: string; summary: string } };

/** A new DRAFT authored by the caller (their `sub`, never an argument). */
export function request(ctx: Context<Args>): DynamoDBPutItemRequest {
  const { input } = ctx.args;
  validateArticleInput(input);
  const now = util.time.nowISO8601();
  const attributes: Record<string, unknown> = {
    status: 'DRAFT',
    authorId: callerSub(ctx),
    createdAt: now,
    updatedAt: now,
  };
  for (const field of TEXT_FIELDS) {
    const value = input[field];
    if (value !== null && value !== undefined) {
      attributes[field] = value;
    }
  }
  return {
    operation: 'PutItem',
    key: articleKey(util.autoId()),
    attributeValues: util.dynamodb.toMapValues(attributes),
    // A fresh id never exists; the condition makes an id collision fail instead of overwrite.
    condition: { expression: 'attribute_not_exists(#id)', expressionNames: { '#id': 'id' } },
  };
}

export function response(ctx: Context<Args>): Article {
  raiseDataSourceError(ctx);
  return ctx.result as Article;
}
