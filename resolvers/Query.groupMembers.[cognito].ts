import type { Context } from '@aws-appsync/utils';
import { requireConfiguredGroup } from './lib/caller';
import { COGNITO_PAGE_LIMIT, cognitoRequest, cognitoResult, toMember } from './lib/cognito';
import type { CognitoUser, Member } from './lib/cognito';

/**
 * ListUsersInGroup for a configured group (others: BadRequest before any call).
 * Returns the first page (up to COGNITO_PAGE_LIMIT users); the schema has no paging here.
 */
export function request(ctx: Context<{ group: string }>) {
  requireConfiguredGroup(ctx, ctx.args.group);
  return cognitoRequest(ctx, 'ListUsersInGroup', { GroupName: ctx.args.group, Limit: COGNITO_PAGE_LIMIT });
}

export function response(ctx: Context<{ group: string }>): Member[] {
  const page = cognitoResult<{ Users?: CognitoUser[] }>(ctx);
  return (page.Users ?? []).map((user) => toMember(user));
}
