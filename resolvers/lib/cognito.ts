/**
 * Requests to the Cognito user-pool JSON API through the `cognito` HTTP data source
 * (AppSync signs them with SigV4, service `cognito-idp`).
 */
import { util } from '@aws-appsync/utils';
import type { Context, HTTPRequest, HTTPResult } from '@aws-appsync/utils';
import { raiseDataSourceError } from './data-source-error';
import { requiredEnv } from './caller';

export type CognitoAction =
  | 'ListUsersInGroup'
  | 'AdminListGroupsForUser'
  | 'AdminAddUserToGroup'
  | 'AdminRemoveUserFromGroup'
  | 'AdminGetUser';

/** The most users or groups Cognito returns in one page (its maximum `Limit`). */
export const COGNITO_PAGE_LIMIT = 60;

export interface CognitoAttribute {
  Name: string;
  Value?: string;
}

/** A user as ListUsersInGroup (`Attributes`) or AdminGetUser (`UserAttributes`) returns it. */
export interface CognitoUser {
  Username: string;
  Attributes?: CognitoAttribute[];
  UserAttributes?: CognitoAttribute[];
}

/** The GraphQL `Member`, without `groups` (a field resolver, `Member.groups`, fills that). */
export interface Member {
  username: string;
  email: string | null;
}

/** A POST of one user-pool API action; the pool comes from the API's USER_POOL_ID variable. */
export function cognitoRequest(
  ctx: Context,
  action: CognitoAction,
  params: Record<string, unknown>,
): HTTPRequest<string> {
  return {
    method: 'POST',
    resourcePath: '/',
    params: {
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': `AWSCognitoIdentityProviderService.${action}`,
      },
      body: JSON.stringify({ ...params, UserPoolId: requiredEnv(ctx, 'USER_POOL_ID') }),
    },
  };
}

/**
 * The parsed JSON answer, or a GraphQL error carrying Cognito's own error type
 * (`__type`, e.g. UserNotFoundException) and message when the call failed.
 */
export function cognitoResult<T>(ctx: Context): T {
  raiseDataSourceError(ctx);
  const result = ctx.result as HTTPResult;
  const body = (result.body ? JSON.parse(result.body) : {}) as Record<string, unknown>;
  if (result.statusCode < 200 || result.statusCode > 299) {
    // Cognito may send a qualified type ("com.amazonaws...#UserNotFoundException").
    const qualified = String(body.__type ?? 'CognitoError').split('#');
    const errorType = qualified[qualified.length - 1];
    const message = String(body.message ?? body.Message ?? `Cognito answered HTTP ${result.statusCode}`);
    util.error(message, errorType, null, { statusCode: result.statusCode });
  }
  return body as T;
}

/** A Cognito user as a GraphQL `Member`. */
export function toMember(user: CognitoUser): Member {
  const attributes = user.Attributes ?? user.UserAttributes ?? [];
  const email = attributes.find((attribute) => attribute.Name === 'email');
  return { username: user.Username, email: email?.Value ?? null };
}
