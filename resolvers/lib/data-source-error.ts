import { util } from '@aws-appsync/utils';
import type { Context } from '@aws-appsync/utils';

/** The error type AppSync reports when a DynamoDB condition expression refuses a write. */
const CONDITION_FAILED = 'DynamoDB:ConditionalCheckFailedException';

/** True when the data source refused the write because its condition expression was false. */
export function conditionFailed(ctx: Context): boolean {
  return ctx.error?.type === CONDITION_FAILED;
}

/**
 * Resolver response handlers see data-source errors only in `ctx.error`; AppSync does not raise
 * them by itself. Every response handler calls this so no failure is returned as data.
 */
export function raiseDataSourceError(ctx: Context): void {
  if (ctx.error) {
    util.error(ctx.error.message, ctx.error.type);
  }
}
