/**
 * Who is calling, and which deployment-configured groups they belong to.
 *
 * Group names never appear in resolver code: they arrive as AppSync API environment
 * variables (comma-separated lists) that the API construct derives from the config.
 */
import { util } from '@aws-appsync/utils';
import type { AppSyncIdentityCognito, Context } from '@aws-appsync/utils';

/** Every group named in the config: the only groups membership mutations may touch. */
const CONFIGURED_GROUPS = 'CONFIGURED_GROUPS';
/** Groups that may read drafts through `Query.article` (staff). */
export const STAFF_GROUPS = 'STAFF_GROUPS';
/** Groups that may update any article, not only their own. */
export const ADMIN_GROUPS = 'ADMIN_GROUPS';

/**
 * A comma-separated environment variable as a list. A missing variable is an empty list,
 * so a deployment that forgot it grants nothing (fail closed).
 */
function envList(ctx: Context, name: string): string[] {
  const raw = ctx.env[name] ?? '';
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/** A required environment variable; its absence is a deployment error, not a caller error. */
export function requiredEnv(ctx: Context, name: string): string {
  const value = ctx.env[name] ?? '';
  if (value.length === 0) {
    util.error(`The API environment variable ${name} is not set`, 'ConfigurationError');
  }
  return value;
}

/** The caller's user-pool groups; IAM callers and users in no group have none. */
export function callerGroups(ctx: Context): string[] {
  const identity = ctx.identity as Partial<AppSyncIdentityCognito> | null | undefined;
  return identity?.groups ?? [];
}

/** True when the caller belongs to at least one group of the list in env variable `name`. */
export function callerInEnvGroups(ctx: Context, name: string): boolean {
  const allowed = envList(ctx, name);
  return callerGroups(ctx).some((group) => allowed.includes(group));
}

/** The caller's user-pool `sub`; callers without one (IAM) are refused. */
export function callerSub(ctx: Context): string {
  const identity = ctx.identity as Partial<AppSyncIdentityCognito> | null | undefined;
  const sub = identity?.sub ?? '';
  if (sub.length === 0) {
    util.unauthorized();
  }
  return sub;
}

/** Refuses (BadRequest) a group the config does not name, before any Cognito call is made. */
export function requireConfiguredGroup(ctx: Context, group: string): void {
  const configured = envList(ctx, CONFIGURED_GROUPS);
  if (!configured.includes(group)) {
    util.error(
      `Group "${group}" is not a configured group; expected one of: ${configured.join(', ')}`,
      'BadRequest',
      null,
      { field: 'group', allowed: configured },
    );
  }
}
