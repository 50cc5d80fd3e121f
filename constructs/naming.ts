import type { StackConfig } from '../config';

/**
 * Names of the stack's AWS resources, derived in one place so that every construct (and the
 * pre-token-generation trigger, which needs the group role names before the roles exist)
 * agrees on them.
 */

/** `<project>-<environment>-<suffix>`, e.g. `content-dev-authenticated`. */
export function resourceName(config: StackConfig, suffix: string): string {
  return `${config.name}-${config.env.name}-${suffix}`;
}

/** The IAM role a group's members receive from the identity pool. */
export function groupRoleName(config: StackConfig, group: string): string {
  return resourceName(config, `group-${group}`);
}

/** The identity pool's default role for signed-in users without a group role. */
export function authenticatedRoleName(config: StackConfig): string {
  return resourceName(config, 'authenticated');
}

/**
 * Days every log group of the stack keeps its logs: a year, the minimum of Security Hub
 * CloudWatch.16 (its default parameter) and checkov CKV_AWS_338.
 */
export const LOG_RETENTION_DAYS = 365;
