import type { Context, NONERequest } from '@aws-appsync/utils';

/**
 * AppSync's subscription pattern: the resolver runs once when a client subscribes and returns
 * null; each event's payload is the selection of the triggering `publishArticle` result.
 */
export function request(): NONERequest {
  return { payload: null };
}

export function response(ctx: Context) {
  return ctx.result as unknown;
}
