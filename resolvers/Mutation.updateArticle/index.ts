import type { Context } from '@aws-appsync/utils';
import type { Article } from '../lib/articles';
import { validateArticleInput } from '../lib/validation';
import type { UpdateArgs } from '../lib/update-article';

/** Pipeline before: refuse bad input before touching the table. */
export function request(ctx: Context<UpdateArgs>): Record<string, never> {
  validateArticleInput(ctx.args.input);
  return {};
}

/** Pipeline after: the article as the conditional UpdateItem left it. */
export function response(ctx: Context<UpdateArgs>): Article {
  return ctx.prev.result as Article;
}
