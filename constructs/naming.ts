/**
 * Names of the stack's AWS resources, derived in one place so that every construct (and the
 * pre-token-generation trigger, which needs the group role names before the roles exist)
 * agrees on them.
 */

/** `<project>-<environment>`, e.g. `content-dev`: the start of every resource name of one stack. */
export function namePrefix(config: { readonly name: string; readonly env: { readonly name: string } }): string {
  return `${config.name}-${config.env.name}`;
}

/** `<namePrefix>-<suffix>`, e.g. `content-dev-authenticated`. */
export function resourceName(prefix: string, suffix: string): string {
  return `${prefix}-${suffix}`;
}

/** The IAM role a group's members receive from the identity pool. */
export function groupRoleName(prefix: string, group: string): string {
  return resourceName(prefix, `group-${group}`);
}

/** The identity pool's default role for signed-in users without a group role. */
export function authenticatedRoleName(prefix: string): string {
  return resourceName(prefix, 'authenticated');
}

/**
 * Days every log group of the stack keeps its logs: a year, the minimum of Security Hub
 * CloudWatch.16 (its default parameter) and checkov CKV_AWS_338.
 */
export const LOG_RETENTION_DAYS = 365;
