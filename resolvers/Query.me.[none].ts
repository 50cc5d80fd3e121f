import type { AppSyncIdentityCognito, Context, NONERequest } from '@aws-appsync/utils';
import { callerGroups } from './lib/caller';

export function request(): NONERequest {
  return { payload: null };
}

/** The caller as its verified token describes it (no data source involved). */
export function response(ctx: Context) {
  const identity = ctx.identity as AppSyncIdentityCognito;
  const claims = (identity.claims ?? {}) as Record<string, unknown>;
  const email = typeof claims.email === 'string' ? claims.email : null;
  return { username: identity.username, email, groups: callerGroups(ctx) };
}
