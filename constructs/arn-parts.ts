import { Construct } from 'constructs';
import { Fn, TerraformLocal } from 'cdktf';

/**
 * The account id and partition of the stack, read at apply time from an ARN the stack creates
 * (e.g. the user pool's). No `aws_caller_identity` data source: it would call AWS during
 * plan, and the offline plan has no account.
 */
export interface AccountRef {
  /** `${local.<name>}`: `123456789012` once applied. */
  readonly account: string;
  /** `${local.<name>}`: `aws`, `aws-cn` or `aws-us-gov` once applied. */
  readonly partition: string;
}

/**
 * Fields 1 (partition) and 4 (account) of `arn:<partition>:<service>:<region>:<account>:…`,
 * as Terraform locals. Locals, not the expressions inline: policies reference them as
 * `${local.x}`, so a policy's text stays valid JSON for the synth-time checks (an inline
 * `split(":", …)` would put quotes inside the JSON string).
 */
export class AccountOf extends Construct implements AccountRef {
  readonly account: string;
  readonly partition: string;

  constructor(scope: Construct, id: string, arn: string) {
    super(scope, id);
    const parts = Fn.split(':', arn);
    this.partition = new TerraformLocal(this, 'partition', Fn.element(parts, 1)).asString;
    this.account = new TerraformLocal(this, 'account_id', Fn.element(parts, 4)).asString;
  }
}

/** The ARN of a CloudWatch Logs log group (without the `:*` stream suffix). */
export function logGroupArn(ref: AccountRef, region: string, name: string): string {
  return `arn:${ref.partition}:logs:${region}:${ref.account}:log-group:${name}`;
}
