import type { Context } from '@aws-appsync/utils';
import { COGNITO_PAGE_LIMIT, cognitoRequest, cognitoResult } from './lib/cognito';
import type { Member } from './lib/cognito';

/** Field resolver: a Member's groups, read from Cognito wherever a Member is returned. */
export function request(ctx: Context<Record<string, never>, Record<string, unknown>, undefined, Member>) {
  return cognitoRequest(ctx, 'AdminListGroupsForUser', {
    Username: ctx.source?.username,
    Limit: COGNITO_PAGE_LIMIT,
  });
}

export function response(ctx: Context): string[] {
  const page = cognitoResult<{ Groups?: { GroupName: string }[] }>(ctx);
  return (page.Groups ?? []).map((group) => group.GroupName);
}
