/**
 * The write step of `Mutation.updateArticle`. The row rule "editors update only articles they
 * wrote" is a DynamoDB condition on the write itself (`authorId = :caller`), so the table refuses
 * the write even if an earlier step were wrong. Callers in ADMIN_GROUPS may update any article.
 */
import { util } from '@aws-appsync/utils';
import type { Context, DynamoDBUpdateItemRequest } from '@aws-appsync/utils';
import { articleKey, articleNotFound, itemExists } from './articles';
import type { Article } from './articles';
import { ADMIN_GROUPS, callerInEnvGroups, callerSub } from './caller';
import { conditionFailed, raiseDataSourceError } from './data-source-error';
import { TEXT_FIELDS } from './validation';
import type { ArticleTextInput } from './validation';

export type UpdateArgs = { input: ArticleTextInput & { id: string } };

/** SET for given fields, REMOVE for optional fields given as null, always bump updatedAt. */
function updateExpression(input: ArticleTextInput) {
  const sets: string[] = ['#updatedAt = :updatedAt'];
  const removes: string[] = [];
  const names: Record<string, string> = { '#updatedAt': 'updatedAt' };
  const values: Record<string, unknown> = { ':updatedAt': util.time.nowISO8601() };
  for (const field of TEXT_FIELDS) {
    const value = input[field];
    if (value === null) {
      removes.push(`#${field}`);
      names[`#${field}`] = field;
    } else if (value !== undefined) {
      sets.push(`#${field} = :${field}`);
      names[`#${field}`] = field;
      values[`:${field}`] = value;
    }
  }
  const remove = removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : '';
  return {
    expression: `SET ${sets.join(', ')}${remove}`,
    expressionNames: names,
    expressionValues: util.dynamodb.toMapValues(values),
  };
}

export function updateArticleRequest(ctx: Context<UpdateArgs>): DynamoDBUpdateItemRequest {
  const { input } = ctx.args;
  const condition = callerInEnvGroups(ctx, ADMIN_GROUPS)
    ? itemExists()
    : {
        // Also false when the item is gone: a missing authorId never equals the caller.
        expression: '#authorId = :caller',
        expressionNames: { '#authorId': 'authorId' },
        expressionValues: util.dynamodb.toMapValues({ ':caller': callerSub(ctx) }),
      };
  return { operation: 'UpdateItem', key: articleKey(input.id), update: updateExpression(input), condition };
}

/**
 * A refused condition becomes errorType `Unauthorized` for non-admins (not the author) and
 * `NotFound` for admins (the article was deleted after step 1 loaded it).
 */
export function updateArticleResult(ctx: Context<UpdateArgs>): Article {
  const { id } = ctx.args.input;
  if (conditionFailed(ctx)) {
    if (callerInEnvGroups(ctx, ADMIN_GROUPS)) {
      articleNotFound(id);
    }
    util.error(
      `Not Authorized to update article ${id}: only its author or an admin may update it`,
      'Unauthorized',
      null,
      { id },
    );
  }
  raiseDataSourceError(ctx);
  return ctx.result as Article;
}
