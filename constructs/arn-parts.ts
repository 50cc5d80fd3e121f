import { Fn, Token } from 'cdktf';

/**
 * The account id and partition of the stack, read at apply time from an ARN the stack creates
 * (e.g. the user pool's). No `aws_caller_identity` data source: it would call AWS during
 * plan, and the offline plan has no account.
 */
export interface AccountRef {
  /** `123456789012` (a Terraform expression until apply). */
  readonly account: string;
  /** `aws`, `aws-cn`, `aws-us-gov` (a Terraform expression until apply). */
  readonly partition: string;
}

/** Fields 1 (partition) and 4 (account) of `arn:<partition>:<service>:<region>:<account>:<resource>`. */
export function accountOf(arn: string): AccountRef {
  const parts = Fn.split(':', arn);
  return { partition: Token.asString(Fn.element(parts, 1)), account: Token.asString(Fn.element(parts, 4)) };
}

/** The ARN of a CloudWatch Logs log group (without the `:*` stream suffix). */
export function logGroupArn(ref: AccountRef, region: string, name: string): string {
  return `arn:${ref.partition}:logs:${region}:${ref.account}:log-group:${name}`;
}
