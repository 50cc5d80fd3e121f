import { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import type { AccountRef } from './arn-parts';
import { allowPolicy, serviceTrustPolicy } from './iam-documents';
import type { LogKey } from './log-key';
import { LOG_RETENTION_DAYS } from './naming';

export interface ApiLogRoleProps {
  /** IAM role name. */
  readonly roleName: string;
  /** The stack's account (from an ARN of the stack). */
  readonly account: AccountRef;
  readonly region: string;
}

/**
 * The role AppSync writes its logs with. Created before the API (the API's `log_config` names
 * it); `writeTo` grants it the API's own log group once the API id is known.
 */
export class ApiLogRole extends Construct {
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: ApiLogRoleProps) {
    super(scope, id);
    // The API's own ARN would be a cycle (its log_config names this role), so the trust is
    // pinned to AppSync APIs of this account and region: another account's API cannot use it.
    const { account, partition } = props.account;
    this.role = new IamRole(this, 'role', {
      name: props.roleName,
      description: 'AppSync writes the API logs',
      assumeRolePolicy: serviceTrustPolicy('appsync.amazonaws.com', {
        sourceAccount: account,
        sourceArnPattern: `arn:${partition}:appsync:${props.region}:${account}:apis/*`,
      }),
    });
  }

  /**
   * Creates the API's log group (`/aws/appsync/apis/<apiId>`, the name AppSync writes to),
   * kept a year and encrypted with the stack's log key, and lets the role write only there.
   * Terraform creates the group, so the role needs no logs:CreateLogGroup.
   */
  writeTo(apiId: string, logKey: LogKey): CloudwatchLogGroup {
    const name = `/aws/appsync/apis/${apiId}`;
    const group = new CloudwatchLogGroup(this, 'group', { name, retentionInDays: LOG_RETENTION_DAYS, kmsKeyId: logKey.allowLogGroup(name) });
    new IamRolePolicy(this, 'policy', {
      name: 'write-api-logs',
      role: this.role.id,
      policy: allowPolicy([
        { actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${group.arn}:*`] },
      ]),
    });
    return group;
  }
}
